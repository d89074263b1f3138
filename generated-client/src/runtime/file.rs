//! Files to upload, described so that each attempt can produce them again.

use std::fmt;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use reqwest::multipart::Part;
use reqwest::Body;
use tokio::io::AsyncRead;
use tokio_util::io::ReaderStream;

use super::error::Error;

/// Bytes read from an upload source at a time. `ReaderStream`'s default of 4 KiB
/// makes a 1 GiB file a quarter of a million reads, each a hop to tokio's
/// blocking pool for a file; 256 KiB blocks keep the upload at disk speed while
/// memory stays bounded to a few blocks in flight.
const UPLOAD_READ_BLOCK: usize = 256 * 1024;

/// The body stream of one upload, read in [`UPLOAD_READ_BLOCK`] blocks.
fn block_stream<R: AsyncRead + Send + 'static>(reader: R) -> Body {
    Body::wrap_stream(block_reader(reader))
}

fn block_reader<R: AsyncRead>(reader: R) -> ReaderStream<R> {
    ReaderStream::with_capacity(reader, UPLOAD_READ_BLOCK)
}

type SharedReader = Arc<Mutex<Option<Pin<Box<dyn AsyncRead + Send + Sync>>>>>;

/// A file to upload in a multipart request.
///
/// Paths and bytes can be sent any number of times, so requests carrying them
/// are retried like any other. A reader can be read only once: a request with
/// one is never retried, and sending it a second time fails with
/// [`Error::InvalidRequest`]. Clones of a reader-backed file share the reader.
#[derive(Clone)]
pub struct InputFile {
    source: Source,
    filename: Option<String>,
    content_type: Option<String>,
}

#[derive(Clone)]
enum Source {
    Path(PathBuf),
    Bytes(Bytes),
    Reader(SharedReader),
}

impl InputFile {
    /// A file on disk, opened and streamed when the request is sent (not read
    /// into memory). The filename is the path's file name and the content type
    /// is guessed from its extension.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let filename = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        InputFile {
            source: Source::Path(path),
            filename,
            content_type: None,
        }
    }

    /// In-memory contents under the given filename (content type guessed from it).
    pub fn from_bytes(filename: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        InputFile {
            source: Source::Bytes(bytes.into()),
            filename: Some(filename.into()),
            content_type: None,
        }
    }

    /// Contents read from an async reader, once (see the type's docs on retries).
    pub fn from_reader(
        filename: impl Into<String>,
        reader: impl AsyncRead + Send + Sync + 'static,
    ) -> Self {
        let reader: SharedReader = Arc::new(Mutex::new(Some(Box::pin(reader))));
        InputFile {
            source: Source::Reader(reader),
            filename: Some(filename.into()),
            content_type: None,
        }
    }

    /// Replaces the filename sent to the server.
    pub fn with_filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// Sets the content type instead of guessing it from the filename.
    pub fn with_content_type(mut self, mime: impl Into<String>) -> Self {
        self.content_type = Some(mime.into());
        self
    }

    /// The filename sent to the server (`"file"` when none is known).
    pub fn filename(&self) -> &str {
        self.filename.as_deref().unwrap_or("file")
    }

    /// The content type sent to the server: the one set, else a guess from the
    /// filename's extension, else `application/octet-stream`.
    pub fn content_type(&self) -> String {
        match &self.content_type {
            Some(mime) => mime.clone(),
            None => mime_guess::from_path(self.filename())
                .first_or_octet_stream()
                .to_string(),
        }
    }

    /// False for reader-backed files, which cannot be sent twice.
    pub(crate) fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Reader(_))
    }

    /// Builds the multipart part for one attempt.
    pub(crate) async fn to_part(&self) -> Result<Part, Error> {
        let part = match &self.source {
            Source::Path(path) => {
                let file =
                    tokio::fs::File::open(path)
                        .await
                        .map_err(|e| Error::InvalidRequest {
                            message: format!("cannot open upload file `{}`", path.display()),
                            source: Some(Box::new(e)),
                        })?;
                // A known length lets reqwest send Content-Length instead of chunking.
                let length = file.metadata().await.ok().map(|m| m.len());
                let body = block_stream(file);
                match length {
                    Some(length) => Part::stream_with_length(body, length),
                    None => Part::stream(body),
                }
            }
            Source::Bytes(bytes) => Part::stream(Body::from(bytes.clone())),
            Source::Reader(slot) => {
                let reader = slot
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .take();
                let reader = reader.ok_or_else(|| {
                    Error::invalid_request(format!(
                        "the reader of upload `{}` was already consumed by an earlier attempt; \
                         use InputFile::from_path or from_bytes for requests that may be retried",
                        self.filename()
                    ))
                })?;
                Part::stream(block_stream(reader))
            }
        };
        let content_type = self.content_type();
        part.file_name(self.filename().to_owned())
            .mime_str(&content_type)
            .map_err(|e| Error::InvalidRequest {
                message: format!(
                    "invalid content type `{content_type}` for upload `{}`",
                    self.filename()
                ),
                source: Some(Box::new(e)),
            })
    }
}

impl fmt::Debug for InputFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("InputFile");
        match &self.source {
            Source::Path(path) => out.field("path", path),
            Source::Bytes(bytes) => out.field("bytes", &bytes.len()),
            Source::Reader(_) => out.field("reader", &"<one-shot>"),
        };
        out.field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_guessed_types() {
        let file = InputFile::from_path("/tmp/dir/speech.mp3");
        assert_eq!(file.filename(), "speech.mp3");
        assert_eq!(file.content_type(), "audio/mpeg");
        let bytes = InputFile::from_bytes("notes.txt", &b"hi"[..]);
        assert_eq!(bytes.content_type(), "text/plain");
        let unknown = InputFile::from_bytes("blob.zzz-unknown", &b""[..]);
        assert_eq!(unknown.content_type(), "application/octet-stream");
        let png = InputFile::from_bytes("x.png", &b""[..]).with_filename("y.jpg");
        assert_eq!(png.content_type(), "image/jpeg");
        let set = InputFile::from_bytes("x.png", &b""[..]).with_content_type("text/plain");
        assert_eq!(set.content_type(), "text/plain");
    }

    #[test]
    fn debug_does_not_dump_contents() {
        let file = InputFile::from_bytes("a.txt", vec![b'x'; 1000]);
        let text = format!("{file:?}");
        assert!(text.contains("bytes: 1000"));
        assert!(!text.contains("xxxx"));
    }

    /// Records the room each read is offered.
    struct Recording(std::sync::Arc<Mutex<Vec<usize>>>, usize);

    impl AsyncRead for Recording {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.0.lock().unwrap().push(buf.remaining());
            let n = buf.remaining().min(self.1);
            buf.put_slice(&vec![b'x'; n]);
            self.1 -= n;
            std::task::Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn uploads_are_read_in_large_blocks() {
        use futures_util::StreamExt;
        let offered = std::sync::Arc::new(Mutex::new(Vec::new()));
        let total = 3 * UPLOAD_READ_BLOCK + 5;
        let mut stream = block_reader(Recording(offered.clone(), total));
        let mut read = 0;
        while let Some(chunk) = stream.next().await {
            read += chunk.unwrap().len();
        }
        assert_eq!(read, total);
        // Every read is offered (nearly) a whole block: the leftover of the
        // previous read stays in the buffer until the stream yields it.
        let offered = offered.lock().unwrap();
        assert!(offered.len() <= 5, "{offered:?}");
        assert!(offered.iter().all(|n| *n >= 255 * 1024), "{offered:?}");
    }

    #[tokio::test]
    async fn reader_is_one_shot() {
        let file = InputFile::from_reader("r.txt", &b"hello"[..]);
        assert!(!file.is_replayable());
        let clone = file.clone();
        assert!(file.to_part().await.is_ok());
        let err = clone.to_part().await.unwrap_err();
        assert!(err.to_string().contains("already consumed"), "{err}");
    }

    #[tokio::test]
    async fn missing_path_is_an_invalid_request() {
        let err = InputFile::from_path("/definitely/not/here.txt")
            .to_part()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }));
        assert!(
            err.to_string().contains("/definitely/not/here.txt"),
            "{err}"
        );
    }
}
