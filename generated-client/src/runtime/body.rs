//! Reading response bodies within size and time limits.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

use super::error::Error;

/// Why a body could not be read.
pub(crate) enum ReadError {
    /// The deadline passed.
    Timeout,
    /// The connection failed.
    Transport(reqwest::Error),
    /// The body is larger than the limit (only with [`Overflow::Fail`]).
    TooLarge,
}

/// What to do with bytes past the limit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Overflow {
    /// Fail: the caller needs the whole body (JSON).
    Fail,
    /// Keep the first `limit` bytes and drop the rest (error excerpts).
    Truncate,
}

/// Reads the body into memory, never holding more than `limit` bytes, and
/// giving up at `deadline`.
pub(crate) async fn read_limited(
    response: &mut reqwest::Response,
    limit: usize,
    overflow: Overflow,
    deadline: Instant,
) -> Result<Bytes, ReadError> {
    // Trust Content-Length only to fail early; the real check is on bytes read.
    if overflow == Overflow::Fail
        && response
            .content_length()
            .is_some_and(|len| len > limit as u64)
    {
        return Err(ReadError::TooLarge);
    }
    let mut buffer = BytesMut::new();
    loop {
        let chunk = match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => return Err(ReadError::Timeout),
            Ok(Err(e)) => return Err(ReadError::Transport(e)),
            Ok(Ok(None)) => return Ok(buffer.freeze()),
            Ok(Ok(Some(chunk))) => chunk,
        };
        let room = limit - buffer.len();
        if chunk.len() > room {
            match overflow {
                Overflow::Fail => return Err(ReadError::TooLarge),
                Overflow::Truncate => {
                    buffer.extend_from_slice(&chunk[..room]);
                    return Ok(buffer.freeze());
                }
            }
        }
        buffer.extend_from_slice(&chunk);
    }
}

/// Reads and drops the body so the connection can be reused.
pub(crate) async fn drain(
    response: &mut reqwest::Response,
    deadline: Instant,
) -> Result<(), ReadError> {
    loop {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => return Err(ReadError::Timeout),
            Ok(Err(e)) => return Err(ReadError::Transport(e)),
            Ok(Ok(None)) => return Ok(()),
            Ok(Ok(Some(_))) => {}
        }
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A response body as a stream of chunks that fails with [`Error::Timeout`]
/// when no chunk arrives for `idle` (a long download or stream may take any
/// time in total, but a stalled one must not hang forever).
pub(crate) struct BodyStream {
    inner: ByteStream,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
    request_id: Option<String>,
    done: bool,
}

impl BodyStream {
    pub(crate) fn new(
        response: reqwest::Response,
        idle: Duration,
        request_id: Option<String>,
    ) -> Self {
        BodyStream {
            inner: Box::pin(response.bytes_stream()),
            idle,
            timer: Box::pin(tokio::time::sleep(idle)),
            request_id,
            done: false,
        }
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match this.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let next_deadline = Instant::now() + this.idle;
                this.timer.as_mut().reset(next_deadline);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.done = true;
                Poll::Ready(Some(Err(Error::from_transport(e, this.request_id.clone()))))
            }
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.done = true;
                    let request_id = this.request_id.clone();
                    Poll::Ready(Some(Err(Error::Timeout {
                        after: Some(this.idle),
                        request_id,
                    })))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}
