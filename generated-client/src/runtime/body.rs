//! Reading response bodies within size and time limits.
//!
//! Two clocks bound a body: a deadline for the whole of it (a buffered
//! request's `timeout`, a stream's optional `stream_timeout`) and a limit on
//! each wait for the next chunk (`read_timeout`), so a server that stalls half
//! way fails soon while one that keeps sending may still take long.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

use super::error::{Error, TimeoutKind};

/// Why a body could not be read.
pub(crate) enum ReadError {
    /// A limit passed: which one, and how long it was.
    Timeout(TimeoutKind, Duration),
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

/// The limits on reading one body: all of it by `deadline` (which is
/// `total` after the request started), and each chunk within `idle`.
#[derive(Clone, Copy)]
pub(crate) struct ReadLimits {
    pub(crate) deadline: Instant,
    pub(crate) total: Duration,
    pub(crate) idle: Duration,
}

impl ReadLimits {
    /// Waits for the next chunk within both limits.
    async fn chunk(&self, response: &mut reqwest::Response) -> Result<Option<Bytes>, ReadError> {
        let idle_end = Instant::now() + self.idle;
        // The earlier limit decides; on a tie the whole-body one is named.
        let (end, kind, after) = if idle_end < self.deadline {
            (idle_end, TimeoutKind::Read, self.idle)
        } else {
            (self.deadline, TimeoutKind::Request, self.total)
        };
        match tokio::time::timeout_at(end, response.chunk()).await {
            Err(_) => Err(ReadError::Timeout(kind, after)),
            Ok(Err(e)) => Err(ReadError::Transport(e)),
            Ok(Ok(chunk)) => Ok(chunk),
        }
    }
}

/// Reads the body into memory, never holding more than `limit` bytes, within `limits`.
pub(crate) async fn read_limited(
    response: &mut reqwest::Response,
    limit: usize,
    overflow: Overflow,
    limits: ReadLimits,
) -> Result<Bytes, ReadError> {
    let declared = response.content_length().unwrap_or(0).min(limit as u64);
    let mut body = Gathered::new(declared as usize);
    read_into(response, limit, overflow, &mut body, limits).await?;
    Ok(body.finish())
}

/// Where a body's chunks go as they arrive: gathered whole ([`read_limited`]),
/// or a listing decoded as it comes (see `de::text::listing`).
pub(crate) trait Sink: Send {
    /// A body starts (again, when the request is retried).
    fn start(&mut self);
    /// The next chunk of the body.
    fn push(&mut self, chunk: Bytes);
}

/// Hands the body to `sink` a chunk at a time, never more than `limit`
/// bytes, within `limits`.
///
/// Generic over the sink, so that the gathering of every buffered body
/// (each small request's) calls it directly.
pub(crate) async fn read_into<S: Sink + ?Sized>(
    response: &mut reqwest::Response,
    limit: usize,
    overflow: Overflow,
    sink: &mut S,
    limits: ReadLimits,
) -> Result<(), ReadError> {
    // Trust Content-Length only to fail early; the real check is on bytes read.
    if overflow == Overflow::Fail
        && response
            .content_length()
            .is_some_and(|len| len > limit as u64)
    {
        return Err(ReadError::TooLarge);
    }
    sink.start();
    let mut read = 0;
    while let Some(chunk) = limits.chunk(response).await? {
        let room = limit - read;
        if chunk.len() > room {
            match overflow {
                Overflow::Fail => return Err(ReadError::TooLarge),
                Overflow::Truncate => {
                    sink.push(chunk.slice(..room));
                    return Ok(());
                }
            }
        }
        read += chunk.len();
        sink.push(chunk);
    }
    Ok(())
}

/// Room made ahead for a body from its `Content-Length`, at most: a body
/// that size or smaller is gathered without growing its buffer, and a
/// server that declares more than it sends makes the client reserve no
/// more than this.
const RESERVE_AHEAD: usize = 16 << 20;

/// A body's chunks gathered into one.
///
/// The first chunk is kept as it came: a body of one chunk (most small
/// responses) is not copied. Once a second comes, both go into a buffer
/// sized from the `Content-Length`, so a large body is not copied again
/// each time its buffer grows. (Under callgrind: a list of 20,000 files
/// 110.07 M instructions against 110.34–110.75 M, 2,000 small requests
/// 156.06 M against 156.37 M; reqwest's own `bytes()` keeps a lone chunk
/// the same way.)
struct Gathered {
    first: Option<Bytes>,
    /// Empty while `first` holds the body.
    rest: BytesMut,
    /// Room to reserve when the buffer is started: the declared length, up
    /// to [`RESERVE_AHEAD`].
    reserve: usize,
}

impl Sink for Gathered {
    fn start(&mut self) {
        self.first = None;
        self.rest.clear();
    }

    fn push(&mut self, chunk: Bytes) {
        Gathered::push(self, chunk);
    }
}

impl Gathered {
    fn new(declared: usize) -> Self {
        Gathered {
            first: None,
            rest: BytesMut::new(),
            reserve: declared.min(RESERVE_AHEAD),
        }
    }

    fn push(&mut self, chunk: Bytes) {
        match self.first.take() {
            None if self.rest.is_empty() => self.first = Some(chunk),
            None => self.rest.extend_from_slice(&chunk),
            Some(first) => {
                self.rest
                    .reserve(self.reserve.max(first.len() + chunk.len()));
                self.rest.extend_from_slice(&first);
                self.rest.extend_from_slice(&chunk);
            }
        }
    }

    fn finish(self) -> Bytes {
        match self.first {
            Some(first) => first,
            None => self.rest.freeze(),
        }
    }
}

/// Reads and drops the body so the connection can be reused.
pub(crate) async fn drain(
    response: &mut reqwest::Response,
    limits: ReadLimits,
) -> Result<(), ReadError> {
    while limits.chunk(response).await?.is_some() {}
    Ok(())
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A response body as a stream of chunks that fails with [`Error::Timeout`]
/// when a wait for the next chunk lasts `idle` (a long download or stream
/// may take any time in total, but a stalled one must not hang forever), or,
/// when a total limit is set, once the stream has lasted that long however
/// steadily the server sends (keep-alive comments included).
///
/// A wait's deadline is set when the stream starts to wait after a chunk, not
/// at each chunk, and look-ahead polls ([`look_ahead`]), which nobody waits
/// on, leave it alone: a reader that takes what is ready before it waits
/// reads the clock once per wait, not once per chunk (0.966 × the CPU of a
/// chat stream of one chunk per event on a current-thread runtime).
///
/// Setting the deadline only stores it: the timer keeps the deadline it was
/// armed with, which is never later, and is moved on when it fires while a
/// later wait is under way ([`BodyStream::wait`]). A timer polled again by
/// the task it already wakes is not polled. With 7-byte chunks most chunks
/// are waited for, one at a time, and moving and polling the timer at each
/// wait was 8.7 % of the CPU of a reader in a task (`perf`, 2026-12-01);
/// the timeout is still exact.
pub(crate) struct BodyStream {
    inner: ByteStream,
    idle: Duration,
    /// Armed at or before `idle_deadline`.
    timer: Pin<Box<Sleep>>,
    /// When the current wait for a chunk times out.
    idle_deadline: Instant,
    /// The waker `timer` was last polled with, while it had not fired.
    timer_waker: Option<Waker>,
    /// A chunk was read since the wait's deadline was set.
    fresh: bool,
    /// The total limit and its timer, when one is set.
    total: Option<(Duration, Pin<Box<Sleep>>)>,
    request_id: Option<String>,
    done: bool,
}

impl BodyStream {
    pub(crate) fn new(
        response: reqwest::Response,
        idle: Duration,
        request_id: Option<String>,
    ) -> Self {
        let idle_deadline = Instant::now() + idle;
        BodyStream {
            inner: Box::pin(response.bytes_stream()),
            idle,
            timer: Box::pin(tokio::time::sleep_until(idle_deadline)),
            idle_deadline,
            timer_waker: None,
            fresh: false,
            total: None,
            request_id,
            done: false,
        }
    }

    /// Ends the stream with a timeout at `deadline`, `total` after its request started.
    pub(crate) fn with_total(mut self, total: Duration, deadline: Instant) -> Self {
        self.total = Some((total, Box::pin(tokio::time::sleep_until(deadline))));
        self
    }

    fn timeout(
        &mut self,
        kind: TimeoutKind,
        after: Duration,
    ) -> Poll<Option<Result<Bytes, Error>>> {
        self.done = true;
        Poll::Ready(Some(Err(Error::Timeout {
            after: Some(after),
            kind,
            request_id: self.request_id.clone(),
        })))
    }

    /// Waits for the current wait's deadline: pending (the timer will wake
    /// `cx`), or the read timeout once it has passed.
    fn wait(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Error>>> {
        let registered = self.timer_waker.as_ref();
        if registered.is_some_and(|w| w.will_wake(cx.waker())) && !self.timer.is_elapsed() {
            // The timer has not fired and wakes this task when it does.
            return Poll::Pending;
        }
        loop {
            match self.timer.as_mut().poll(cx) {
                Poll::Pending => {
                    self.timer_waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
                // Armed for an earlier wait: chunks came since, this wait
                // ends later.
                Poll::Ready(()) if self.timer.deadline() < self.idle_deadline => {
                    let deadline = self.idle_deadline;
                    self.timer.as_mut().reset(deadline);
                }
                Poll::Ready(()) => {
                    let idle = self.idle;
                    return self.timeout(TimeoutKind::Read, idle);
                }
            }
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
        // Checked before the body: a server that always has a chunk ready
        // (pings every second) must still meet the total limit.
        if let Some((total, timer)) = &mut this.total {
            if timer.as_mut().poll(cx).is_ready() {
                let total = *total;
                return this.timeout(TimeoutKind::Stream, total);
            }
        }
        match this.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.fresh = true;
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
            Poll::Pending if is_look_ahead(cx) => Poll::Pending,
            Poll::Pending => {
                if std::mem::take(&mut this.fresh) {
                    this.idle_deadline = Instant::now() + this.idle;
                }
                this.wait(cx)
            }
        }
    }
}

/// The waker of a look-ahead poll: one that takes what is ready and, when
/// nothing is, goes on without waiting (the stream's reading task, between
/// the events of a batch). It wakes nobody.
pub(crate) fn look_ahead() -> &'static Waker {
    futures_util::task::noop_waker_ref()
}

/// Whether `cx` is a look-ahead poll ([`look_ahead`]).
fn is_look_ahead(cx: &Context<'_>) -> bool {
    cx.waker().will_wake(look_ahead())
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    /// A response whose body sends `chunk` every `every`, `count` times, then
    /// stalls for good (`None`: never ends).
    fn paced(chunk: &'static str, every: Duration, count: Option<usize>) -> reqwest::Response {
        let body = futures_util::stream::unfold(0usize, move |sent| async move {
            match count {
                Some(count) if sent >= count => {
                    std::future::pending::<()>().await;
                    None
                }
                _ => {
                    tokio::time::sleep(every).await;
                    Some((
                        Ok::<_, std::io::Error>(Bytes::from_static(chunk.as_bytes())),
                        sent + 1,
                    ))
                }
            }
        });
        let response = ::http::Response::builder()
            .status(200)
            .body(reqwest::Body::wrap_stream(body))
            .unwrap();
        reqwest::Response::from(response)
    }

    fn limits(total: u64, idle: u64) -> ReadLimits {
        ReadLimits {
            deadline: Instant::now() + Duration::from_secs(total),
            total: Duration::from_secs(total),
            idle: Duration::from_secs(idle),
        }
    }

    fn timeout_of(error: ReadError) -> (TimeoutKind, Duration) {
        match error {
            ReadError::Timeout(kind, after) => (kind, after),
            _ => panic!("expected a timeout"),
        }
    }

    #[test]
    fn a_body_of_one_chunk_is_not_copied_and_more_are_gathered_in_order() {
        let chunk = Bytes::from_static(b"{\"id\":\"file-1\"}");
        let mut one = Gathered::new(chunk.len());
        one.push(chunk.clone());
        assert_eq!(one.finish().as_ptr(), chunk.as_ptr(), "the chunk itself");
        let mut three = Gathered::new(0);
        for part in ["{\"a\":", "", "1}"] {
            three.push(Bytes::from_static(part.as_bytes()));
        }
        assert_eq!(three.finish(), Bytes::from_static(b"{\"a\":1}"));
        let empty = Gathered::new(0).finish();
        assert!(empty.is_empty());
    }

    #[test]
    fn the_declared_length_is_reserved_once_and_only_up_to_a_bound() {
        let mut body = Gathered::new(100_000);
        body.push(Bytes::from(vec![b'x'; 10]));
        body.push(Bytes::from(vec![b'y'; 10]));
        assert!(body.rest.capacity() >= 100_000, "{}", body.rest.capacity());
        // A server may declare far more than it sends: the room made ahead
        // is bounded, and the body still grows past it when it is that long.
        let mut body = Gathered::new(usize::MAX);
        body.push(Bytes::from(vec![b'x'; 10]));
        body.push(Bytes::from(vec![b'y'; 10]));
        assert!(
            body.rest.capacity() < 2 * RESERVE_AHEAD,
            "{}",
            body.rest.capacity()
        );
        assert_eq!(body.finish().len(), 20);
    }

    #[tokio::test(start_paused = true)]
    async fn buffered_body_that_stalls_hits_the_read_timeout() {
        // Two chunks, then nothing: the 600 s whole-body limit is far away.
        let mut response = paced("{\"half\":", Duration::from_secs(1), Some(2));
        let started = Instant::now();
        let error = read_limited(&mut response, 1 << 20, Overflow::Fail, limits(600, 5))
            .await
            .err()
            .unwrap();
        assert_eq!(
            timeout_of(error),
            (TimeoutKind::Read, Duration::from_secs(5))
        );
        assert_eq!(started.elapsed(), Duration::from_secs(2 + 5));
    }

    #[tokio::test(start_paused = true)]
    async fn buffered_body_that_trickles_hits_the_request_timeout() {
        // A chunk every second never trips a 5 s read limit; the whole body's 30 s does.
        let mut response = paced("x", Duration::from_secs(1), None);
        let started = Instant::now();
        let error = drain(&mut response, limits(30, 5)).await.err().unwrap();
        assert_eq!(
            timeout_of(error),
            (TimeoutKind::Request, Duration::from_secs(30))
        );
        assert_eq!(started.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn buffered_body_in_time_is_read_whole() {
        // Chunks 4 s apart pass a 5 s read limit; a body this slow that ends is read whole.
        let mut response = paced("ab", Duration::from_secs(4), Some(3));
        let limits = limits(600, 5);
        let mut got = 0;
        while let Ok(Some(chunk)) = limits.chunk(&mut response).await {
            got += chunk.len();
        }
        assert_eq!(got, 6);
    }

    #[tokio::test(start_paused = true)]
    async fn pinged_stream_hits_the_stream_timeout() {
        // `: ping` every second keeps the read limit from ever passing.
        let started = Instant::now();
        let body = BodyStream::new(
            paced(": ping\n\n", Duration::from_secs(1), None),
            Duration::from_secs(5),
            Some("req_p".into()),
        )
        .with_total(Duration::from_secs(10), started + Duration::from_secs(10));
        let items: Vec<_> = body.collect().await;
        let (last, pings) = items.split_last().unwrap();
        assert!(pings.iter().all(Result::is_ok));
        assert!((9..=10).contains(&pings.len()), "{}", pings.len());
        assert!(
            matches!(
                last,
                Err(Error::Timeout { after: Some(after), kind: TimeoutKind::Stream, request_id: Some(id) })
                    if *after == Duration::from_secs(10) && id == "req_p"
            ),
            "{last:?}"
        );
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn pinged_stream_without_a_total_limit_goes_on() {
        let body = BodyStream::new(
            paced(": ping\n\n", Duration::from_secs(1), None),
            Duration::from_secs(5),
            None,
        );
        let items: Vec<_> = body.take(100).collect().await;
        assert!(
            items.iter().all(Result::is_ok),
            "100 s of pings, no limit hit"
        );
    }

    /// The next item of `body` polled once under the look-ahead waker.
    fn look(body: &mut BodyStream) -> Poll<Option<Result<Bytes, Error>>> {
        Pin::new(body).poll_next(&mut Context::from_waker(look_ahead()))
    }

    /// A stream whose one chunk comes at 1 s, then nothing, with a 5 s read
    /// limit; its chunk already read.
    async fn read_one_chunk_then_silence() -> BodyStream {
        let mut body = BodyStream::new(
            paced("data: 1\n\n", Duration::from_secs(1), Some(1)),
            Duration::from_secs(5),
            None,
        );
        assert!(body.next().await.unwrap().is_ok());
        body
    }

    /// Waits for the next item of `body`, which must be a read timeout.
    async fn wait_for_read_timeout(body: &mut BodyStream) {
        let error = body.next().await.unwrap().unwrap_err();
        assert!(
            matches!(
                error,
                Error::Timeout {
                    kind: TimeoutKind::Read,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_is_timed_from_its_start_not_from_the_last_chunk() {
        // The reader comes back 4 s after the chunk and waits: the 5 s limit
        // counts from then.
        let started = Instant::now();
        let mut body = read_one_chunk_then_silence().await;
        tokio::time::sleep(Duration::from_secs(4)).await;
        wait_for_read_timeout(&mut body).await;
        assert_eq!(started.elapsed(), Duration::from_secs(1 + 4 + 5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_steady_stream_outlives_the_timer_and_times_out_exactly_when_it_stalls() {
        // A chunk every 3 s for 30 s, with a 5 s limit: the timer armed for
        // the first wait fires at 5 s, while a later wait runs to 8 s, and is
        // moved on each time; the stall after the last chunk ends at 35 s.
        let started = Instant::now();
        let mut body = BodyStream::new(
            paced("data: 1\n\n", Duration::from_secs(3), Some(10)),
            Duration::from_secs(5),
            None,
        );
        for _ in 0..10 {
            assert!(body.next().await.unwrap().is_ok());
        }
        wait_for_read_timeout(&mut body).await;
        assert_eq!(started.elapsed(), Duration::from_secs(30 + 5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_polled_by_another_task_is_woken_by_the_timer() {
        // The stream's first wait is polled with another waker, so the timer
        // wakes that one; this task then waits: the timeout must wake it.
        // Not the look-ahead waker (a no-op one would compare equal to it).
        struct Other;
        impl std::task::Wake for Other {
            fn wake(self: std::sync::Arc<Self>) {}
        }
        let started = Instant::now();
        let mut body = BodyStream::new(
            paced("data: 1\n\n", Duration::from_secs(1), Some(1)),
            Duration::from_secs(5),
            None,
        );
        let other = Waker::from(std::sync::Arc::new(Other));
        let polled = Pin::new(&mut body).poll_next(&mut Context::from_waker(&other));
        assert!(polled.is_pending());
        assert!(body.next().await.unwrap().is_ok());
        let waited =
            tokio::time::timeout(Duration::from_secs(60), wait_for_read_timeout(&mut body));
        assert!(waited.await.is_ok());
        assert_eq!(started.elapsed(), Duration::from_secs(1 + 5));
    }

    #[tokio::test(start_paused = true)]
    async fn look_ahead_polls_arm_no_timer_and_end_nothing() {
        let started = Instant::now();
        let mut body = read_one_chunk_then_silence().await;
        // Looking ahead finds nothing ready, for far longer than the limit,
        // and neither fails nor arms the timer.
        for _ in 0..20 {
            assert!(look(&mut body).is_pending());
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        // A real wait then times out its own 5 s later.
        wait_for_read_timeout(&mut body).await;
        assert_eq!(started.elapsed(), Duration::from_secs(1 + 20 + 5));
    }

    #[tokio::test(start_paused = true)]
    async fn stalled_stream_hits_the_read_timeout_before_the_total() {
        let started = Instant::now();
        let body = BodyStream::new(
            paced("data: 1\n\n", Duration::from_secs(1), Some(1)),
            Duration::from_secs(5),
            None,
        )
        .with_total(Duration::from_secs(60), started + Duration::from_secs(60));
        let items: Vec<_> = body.collect().await;
        assert!(items[0].is_ok());
        assert!(
            matches!(&items[1], Err(Error::Timeout { kind: TimeoutKind::Read, after: Some(after), .. }) if *after == Duration::from_secs(5)),
            "{items:?}"
        );
        assert_eq!(items.len(), 2);
        assert_eq!(started.elapsed(), Duration::from_secs(6));
    }
}
