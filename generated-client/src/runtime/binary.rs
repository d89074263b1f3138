//! Responses whose body is raw bytes (file contents, audio), read on demand.

use std::fmt;
use std::path::Path;

use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;

use super::body::BodyStream;
use super::error::Error;
use super::response::ResponseMeta;

/// A successful response whose body has not been read yet.
///
/// Read it whole with [`bytes`](Self::bytes), write it to disk without
/// holding it in memory with [`save_to`](Self::save_to), or consume it chunk
/// by chunk with [`into_stream`](Self::into_stream). The body must arrive
/// steadily: a pause longer than the request timeout is an [`Error::Timeout`].
pub struct BinaryResponse {
    body: BodyStream,
    meta: ResponseMeta,
}

impl BinaryResponse {
    pub(crate) fn new(body: BodyStream, meta: ResponseMeta) -> Self {
        BinaryResponse { body, meta }
    }

    /// HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.meta.status
    }

    /// Response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }

    /// The `x-request-id` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id.as_deref()
    }

    /// The `Content-Type` header, if present and text.
    pub fn content_type(&self) -> Option<&str> {
        self.meta
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// Reads the whole body into memory.
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let mut buffer = BytesMut::new();
        while let Some(chunk) = self.body.next().await {
            buffer.extend_from_slice(&chunk?);
        }
        Ok(buffer.freeze())
    }

    /// Streams the body into a file (created or truncated) and returns the
    /// number of bytes written. On failure the partial file is removed, so a
    /// file at `path` is always complete.
    pub async fn save_to(mut self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let io_error = |action: &str, source| Error::Io {
            message: format!("cannot {action} `{}`", path.display()),
            source,
        };
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(|e| io_error("create", e))?;
        let mut written = 0u64;
        let result: Result<(), Error> = async {
            while let Some(chunk) = self.body.next().await {
                let chunk = chunk?;
                file.write_all(&chunk)
                    .await
                    .map_err(|e| io_error("write to", e))?;
                written += chunk.len() as u64;
            }
            file.flush().await.map_err(|e| io_error("write to", e))?;
            file.sync_all().await.map_err(|e| io_error("sync", e))
        }
        .await;
        if let Err(error) = result {
            drop(file);
            // Best effort: the original error is what matters to the caller.
            let _ = tokio::fs::remove_file(path).await;
            return Err(error);
        }
        Ok(written)
    }

    /// The body as a stream of chunks.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error>> + Send + Unpin + 'static {
        self.body
    }
}

impl fmt::Debug for BinaryResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BinaryResponse")
            .field("status", &self.meta.status)
            .field("content_type", &self.content_type())
            .field("request_id", &self.meta.request_id)
            .finish()
    }
}
