//! Reading and decoding an event stream in a task of its own.
//!
//! On a multi-thread runtime the connection is driven by a worker thread
//! while `#[tokio::main]`'s caller waits on another (the main thread).
//! Parsing in the caller's task made every HTTP chunk (a few bytes, when the
//! server flushes often) cross between threads. Here a spawned task beside
//! the connection reads, parses and decodes, and hands the caller whole
//! batches of items: one wake-up per batch instead of one per chunk. The
//! same holds, more cheaply, on a current-thread runtime. A caller that is
//! itself a task, or that runs outside any tokio runtime, reads the stream
//! itself (see [`reads_in_own_task`]); on a multi-thread runtime a task's
//! stream moves into a task of its own once its events come back to back
//! (see [`moves_when_fast`]).
//!
//! The task hands over events as text, and the caller converts them (see
//! `stream_decode::RawEvents`): converting allocates what the event holds,
//! and the caller is where that is freed, so both happen on one thread.
//!
//! Memory stays bounded: the channel holds one batch, so at most three
//! batches exist at once (being filled, queued, being read). A batch holds at
//! most [`BATCH`] events, or the events of one chunk, and ends once their
//! text passes [`BATCH_BYTES`], so it holds at most that much text and one
//! chunk or event of the configured size more.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::stream_decode::{Decoded, Decoder, RawEvents, RawStep, Rules};

/// Events per batch, at most, but for the events of one chunk, which go
/// together.
///
/// Each batch is a wake-up of the caller, usually on another thread, so
/// fewer are cheaper. While batches held decoded events, more than 16 made
/// glibc's allocator take its slow path (the events' blocks were freed on
/// the caller's thread: see `stream_decode::RawEvents`), and 16 measured
/// best. Batches of text have one block each; 64 against 16 (2026-12-02,
/// 200,001 chat chunks, paired `farm-bench`): CPU 0.78 on a multi-thread
/// runtime (`-n 12`), 0.97 on a current-thread one (`-n 10`), 7-byte
/// chunks 0.96 and a paced stream 0.99 (`-n 6`, multi-thread); 256 against
/// 64 measured 0.94 (pairs 0.64–1.26) on a multi-thread runtime and 1.01 on
/// a current-thread one, and holds a fast stream's events four times as long.
pub(crate) const BATCH: usize = 64;

/// Event text per batch: a batch ends once the text of its events passes
/// this, so large events are not held back [`BATCH`] at a time.
pub(crate) const BATCH_BYTES: u64 = 256 * 1024;

/// Body bytes read towards an event not yet whole while a batch holds
/// whole ones: past this the batch is sent, so an event is not held back
/// while a long one after it comes in small chunks.
pub(crate) const HOLD_BYTES: u64 = 64 * 1024;

/// Events read together, and whether they end the stream (with an error of
/// the stream's own, after them, when one ends it). A batch of one event is
/// converted by the task, any other handed over as text (see [`pump`]).
pub(crate) struct Batch<E> {
    /// The batch's one event, converted, and whether it ends the stream.
    converted: Option<(Option<Decoded<E>>, bool)>,
    /// The batch's events as text, for the caller to convert.
    events: RawEvents,
    /// The index of the next event of `events`.
    next: usize,
    tail: Option<Decoded<E>>,
    last: bool,
}

impl<E: DeserializeOwned> Batch<E> {
    /// The batch's next event, converted (by the task, or here by `rules`),
    /// and whether it ends the stream; `None` after the last.
    fn next_event(&mut self, rules: &Rules) -> Option<(Option<Decoded<E>>, bool)> {
        if let Some(converted) = self.converted.take() {
            return Some(converted);
        }
        let (event, ends) = self.events.get(self.next)?;
        self.next += 1;
        Some(rules.take_read(event, ends))
    }
}

/// The caller's end: batches from the task, converted here, and the task,
/// which is stopped when this is dropped.
pub(crate) struct TaskSource<E> {
    batches: mpsc::Receiver<Batch<E>>,
    /// The batch being read.
    current: Option<Batch<E>>,
    /// The stream's rules, which convert the events handed over as text.
    rules: Rules,
    /// An item ended the stream: nothing follows it.
    ended: bool,
    task: JoinHandle<()>,
}

/// Whether a stream first polled here is read in a task of its own
/// ([`TaskSource`]) rather than in the caller's task.
///
/// - **No tokio runtime:** in the caller's task; there is nothing to spawn on.
/// - **The caller is the future a runtime's `block_on` runs** (the body of
///   `#[tokio::main]`, on a multi-thread or a current-thread runtime): in a
///   task of its own. On a multi-thread runtime the connection is driven by a
///   worker while `block_on` waits on another thread: read there, every
///   chunk would cross between the two. On a current-thread runtime every
///   wake-up of `block_on`'s future goes through the runtime's unpark, while
///   a spawned task is only queued: with 7-byte chunks `cargo xtask
///   bench-runtime` measured 3.96 s of CPU against 5.72 s reading in the
///   caller's task (2026-11-29).
/// - **The caller is a task** (a server's request handler, anything under
///   `tokio::spawn`), on either runtime: in the caller's task (on a
///   multi-thread runtime, until the stream is fast: [`moves_when_fast`]). The
///   connection already hands it the chunks; a reader task only adds a
///   hand-over of each batch, a task per stream, and on a multi-thread
///   runtime the scheduler's wake-ups of idle workers around it. Reading in
///   the caller's task, against a reader task (CPU, paired runs, 2026-12-01):
///   - multi-thread, one stream: 0.80 × with one HTTP chunk per event, 0.62 ×
///     paced one event a millisecond, 1.07 × with 7-byte chunks; 64 streams
///     at once: 0.84 × per event;
///   - current-thread, 64 streams at once: 0.84 × per event, 0.86 × paced,
///     1.01 × with 7-byte chunks, and 41 against 47 MiB; one stream: 0.95–1.06
///     × per event, 0.94 × paced, 1.10 × with 7-byte chunks, where the reader
///     task's look-ahead saves a wait per tiny chunk.
pub(crate) fn reads_in_own_task() -> bool {
    tokio::runtime::Handle::try_current().is_ok() && tokio::task::try_id().is_none()
}

/// Whether a stream read in the caller's task moves into a task of its own
/// once its events come quickly ([`Pace`]): when the caller is a task on a
/// multi-thread runtime.
///
/// There the connection's task and the reader wake each other for every
/// HTTP chunk, and the runtime's idle worker is woken, and parks again, every
/// few events (see the README's log entry "A second worker, parked and
/// woken"); a reader task of the stream's own does that part beside the
/// connection and hands the caller batches. For a fast stream that is
/// cheaper (200,001 chat chunks back to back, one HTTP chunk each, in a task
/// on two workers, paired `farm-bench -n 8`, 2026-12-03: 0.69 × the CPU and
/// 0.60 × the wall time of reading in the caller's task; 7-byte chunks 0.98
/// ×, one body 0.95 ×, 64 streams at once 0.92 ×); for events a millisecond
/// apart, where every batch is one event, it costs a hand-over per event
/// (1.57 × the CPU), so a slow stream stays with its caller. On a
/// current-thread runtime there is no second worker, and the caller's task
/// stays cheaper at any pace (see [`reads_in_own_task`]).
pub(crate) fn moves_when_fast() -> bool {
    tokio::runtime::Handle::try_current().is_ok_and(|handle| {
        handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
            && tokio::task::try_id().is_some()
    })
}

/// Events in a row, each handed to the caller within [`QUICK_GAP`] of the one
/// before, after which a stream is fast ([`Pace`]): a full batch's worth.
pub(crate) const QUICK_RUN: u32 = BATCH as u32;

/// The most time between two events of a fast stream ([`Pace`]).
///
/// A model's tokens come milliseconds apart; a chat chunk takes the caller
/// a few microseconds to read. Events this close together are queued up
/// behind the caller, which is when a reader task gathers them into batches.
pub(crate) const QUICK_GAP: std::time::Duration = std::time::Duration::from_micros(100);

/// How quickly a stream read in the caller's task hands over its events
/// (see [`moves_when_fast`]). Real time (`std`'s clock, not tokio's, which a
/// test may pause): the pace is the server's and the caller's.
#[derive(Debug, Default)]
pub(crate) struct Pace {
    last: Option<std::time::Instant>,
    run: u32,
}

impl Pace {
    /// Notes an event handed to the caller at `now`; true once [`QUICK_RUN`]
    /// events in a row each came within [`QUICK_GAP`] of the one before.
    pub(crate) fn quick(&mut self, now: std::time::Instant) -> bool {
        let close = self
            .last
            .is_some_and(|last| now.duration_since(last) <= QUICK_GAP);
        self.last = Some(now);
        self.run = if close { self.run + 1 } else { 0 };
        self.run >= QUICK_RUN
    }
}

impl<E: DeserializeOwned + Send + 'static> TaskSource<E> {
    /// Spawns the task reading `decoder` on the current runtime.
    pub(crate) fn spawn(decoder: Decoder<E>) -> Self {
        // The task reads on from the body (`Decoder::poll_raw`) and would
        // never hand out events already waiting in the decoder.
        debug_assert!(!decoder.holds_events(), "a decoder moved with events in it");
        let (sender, batches) = mpsc::channel(1);
        TaskSource {
            batches,
            current: None,
            rules: decoder.rules().clone(),
            ended: false,
            task: tokio::spawn(pump(decoder, sender)),
        }
    }
}

impl<E> TaskSource<E> {
    /// The next item; `None` after the last one.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Decoded<E>>>
    where
        E: DeserializeOwned,
    {
        loop {
            if self.ended {
                return Poll::Ready(None);
            }
            if let Some(batch) = &mut self.current {
                if let Some((item, ends)) = batch.next_event(&self.rules) {
                    if ends {
                        // Whatever the task read past it is not wanted: the
                        // body is let go now, not when the stream is dropped.
                        self.ended = true;
                        self.task.abort();
                    }
                    return Poll::Ready(item);
                }
                if let Some(tail) = batch.tail.take() {
                    self.ended = true;
                    return Poll::Ready(Some(tail));
                }
                if batch.last {
                    self.ended = true;
                    continue;
                }
                self.current = None;
            }
            match self.batches.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(batch)) => self.current = Some(batch),
                // The task ended without sending its last batch: it panicked
                // (the panic is passed on, as it would be inline) or its
                // runtime is shutting down. Its outcome may land just after
                // the channel closes: wait for it.
                Poll::Ready(None) => {
                    let outcome = match Pin::new(&mut self.task).poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(outcome) => outcome,
                    };
                    self.ended = true;
                    if let Err(e) = outcome {
                        if e.is_panic() {
                            std::panic::resume_unwind(e.into_panic());
                        }
                    }
                    let message =
                        "the task reading the stream was stopped (is the runtime shutting down?)";
                    let error = self.rules.stream_error(message, None);
                    return Poll::Ready(Some(Decoded::failed(error)));
                }
            }
        }
    }
}

impl<E> Drop for TaskSource<E> {
    fn drop(&mut self) {
        // Nobody reads any more: stop reading the body (and free the connection).
        self.task.abort();
    }
}

/// Lets the tasks already queued on this worker run once before this one
/// resumes: wakes itself and returns `Pending` once.
///
/// Not `tokio::task::yield_now`, which defers the wake-up until the
/// runtime has polled its I/O driver (a non-blocking `epoll_wait` and a
/// clock read): on a current-thread runtime, one such poll per event of a
/// server that flushes every event was about an eighth of the stream's CPU.
/// The connection task this one waits for is already queued, woken when the
/// body was asked for more.
fn requeue() -> impl Future<Output = ()> {
    let mut woken = false;
    std::future::poll_fn(move |cx| {
        if std::mem::replace(&mut woken, true) {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    })
}

/// Whether a turn of the scheduler before a batch is sent is worth taking.
///
/// A turn lets the connection task read the next chunk when it is already
/// in the socket: a fast stream's batches fill up. For a stream whose events
/// come one at a time, slower than they are read (a model streaming its
/// tokens), every turn brings nothing and costs a trip through the
/// scheduler; on a multi-thread runtime a task that wakes itself is queued
/// as a yield, which wakes an idle worker to steal it. With 2,000 events a
/// millisecond apart that was 1.7–1.9 × async-openai's CPU (2026-12-01).
/// So after two batches in a row whose turn brought nothing, batches are
/// sent without one; a batch whose first event was there without waiting (events
/// are piling up) or a turn that brings bytes goes back to taking them, and
/// one batch in [`PROBE_EVERY`] takes one anyway.
#[derive(Default)]
struct Turns {
    /// In the batch being read: a turn brought bytes.
    fruitful: bool,
    /// In the batch being read: a turn brought nothing.
    fruitless: bool,
    /// Batches in a row whose turns brought nothing.
    idle_batches: u32,
    /// Batches that could have taken a turn while the stream looked idle
    /// (one in [`PROBE_EVERY`] takes it).
    skipped: u32,
}

/// In a stream that looks idle, one batch in this many still takes its
/// turn, to notice the stream speeding up.
const PROBE_EVERY: u32 = 64;

impl Turns {
    /// Whether to take a turn before sending the batch being read.
    fn worth_one(&mut self) -> bool {
        if self.idle_batches < 2 {
            return true;
        }
        self.skipped = self.skipped.wrapping_add(1);
        self.skipped % PROBE_EVERY == 0
    }

    /// A batch's first item was there without waiting: events are piling up.
    fn ready_at_once(&mut self) {
        self.idle_batches = 0;
    }

    /// Takes note of the batch's turns once it is sent.
    fn batch_sent(&mut self) {
        if self.fruitful {
            self.idle_batches = 0;
        } else if self.fruitless {
            self.idle_batches = self.idle_batches.saturating_add(1);
        }
        self.fruitful = false;
        self.fruitless = false;
    }
}

/// Reads `decoder` into batches of events as text: waits for one event,
/// then takes whatever is ready, up to [`BATCH`] events or [`BATCH_BYTES`] of
/// their text, so a slow stream's events are sent as soon as they arrive and
/// a fast one's go many at a time. The caller converts them.
///
/// When the decoder runs dry mid-batch the task yields before sending.
/// Reading the body has just woken the connection task, which usually sits
/// in this worker's queue with the next HTTP chunk already in its socket
/// buffer; tokio runs it (and polls for I/O without blocking) before this
/// task resumes. A server that flushes every event would otherwise get
/// batches of one: a cross-thread wake-up of the caller per event, which is
/// the hop this task exists to save. The batch goes on as long as each turn
/// brings a chunk, whole event or not: a server that flushes every few bytes
/// got batches of one event before (7-byte chunks on a multi-thread
/// runtime: 0.72 × the CPU since). A turn that brings nothing ends the
/// batch, so a stream that really is idle loses only that one turn of the
/// scheduler before its event is sent; so do [`HOLD_BYTES`] read towards
/// an unfinished event while whole ones wait. Once two batches in a row
/// found their turn empty, batches go without one (see [`Turns`]).
async fn pump<E: DeserializeOwned>(mut decoder: Decoder<E>, sender: mpsc::Sender<Batch<E>>) {
    let look_ahead = super::body::look_ahead();
    let mut turns = Turns::default();
    let (mut room, mut text_room) = (BATCH, 0);
    loop {
        let mut events = RawEvents::with_capacity(room, text_room);
        // `poll_raw` until it reads an event, noting whether it had to wait.
        let mut waited = false;
        let first = std::future::poll_fn(|cx| {
            let polled = decoder.poll_raw(cx, &mut events);
            waited |= polled.is_pending();
            polled
        })
        .await;
        if !waited {
            turns.ready_at_once();
        }
        // An event that ends the stream (the end marker) ends the batch too.
        let (mut tail, mut last) = match first {
            RawStep::Read { ended } => (None, ended),
            RawStep::Finished(tail) => (tail, true),
        };
        let mut yielded = false;
        let (mut read_at_yield, mut read_at_item) = (0, decoder.body_bytes());
        while !last && events.len() < BATCH && (events.text_len() as u64) < BATCH_BYTES {
            // A pending poll under the look-ahead waker registers nothing
            // (and arms no idle timer); the next `poll_raw` awaited polls
            // again with this task's waker.
            let polled = decoder.poll_raw(&mut Context::from_waker(look_ahead), &mut events);
            match polled {
                Poll::Ready(RawStep::Read { ended }) => {
                    turns.fruitful |= yielded;
                    yielded = false;
                    read_at_item = decoder.body_bytes();
                    last = ended;
                }
                Poll::Ready(RawStep::Finished(end)) => {
                    tail = end;
                    last = true;
                }
                Poll::Pending => {
                    let read = decoder.body_bytes();
                    if yielded {
                        // Nothing came in the last turn: send what is here.
                        if read == read_at_yield {
                            turns.fruitless = true;
                            break;
                        }
                        turns.fruitful = true;
                        // A long event is still coming while whole ones wait.
                        if read - read_at_item > HOLD_BYTES {
                            break;
                        }
                    } else if !turns.worth_one() {
                        break;
                    }
                    read_at_yield = read;
                    requeue().await;
                    yielded = true;
                }
            }
        }
        turns.batch_sent();
        // The next batch gets the room this one took (it grows if it needs
        // more). A paced stream's batches hold one event each, and room for
        // [`BATCH`] is past what glibc keeps per thread for reuse: it cost
        // an allocation from the arena and a sweep of its free lists per
        // event.
        room = events.len().next_power_of_two().min(BATCH);
        // And room for the text this one held and a quarter more (events
        // differ in length by their content): grown from nothing, a batch
        // of 64 chat chunks (17 KB) was reallocated and copied eight times
        // (callgrind, 2026-12-02: 206 instructions an event).
        let text = events.text_len();
        text_room = (text + text / 4).min(BATCH_BYTES as usize);
        // One event at a time is a stream slower than its reader (a model's
        // tokens): its event is converted here, on the thread that just
        // read it. The caller, woken once per event, would convert it
        // where the decoder's code and the event's text are no longer in
        // its core's caches: 2,000 chat chunks 1 ms apart on a multi-thread
        // runtime took 1.19 × the CPU so, against 0.94 × converted here
        // (`farm-bench -n 12`, 2026-12-02). A fast stream's batches are
        // converted by the caller (see `stream_decode::RawEvents`).
        let converted = match events.get(0) {
            Some((event, by_kind)) if events.len() == 1 => {
                let (item, ends) = decoder.rules().take_read(event, by_kind);
                last |= ends;
                Some((item, ends))
            }
            _ => None,
        };
        if converted.is_some() {
            events.clear();
        }
        let batch = Batch {
            converted,
            events,
            next: 0,
            tail,
            last,
        };
        if sender.send(batch).await.is_err() || last {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use futures_util::Stream;

    use super::super::stream_config::StreamItem;
    use super::super::stream_decode::value_decoder;

    /// The sizes of the batches [`pump`] sends for `events` small events,
    /// then the end marker, cut into chunks of `piece` bytes.
    fn batch_sizes(events: usize, piece: usize) -> Vec<usize> {
        let text: String = (0..events)
            .map(|n| format!("data: {{\"n\":{n}}}\n\n"))
            .collect();
        batch_sizes_of(text, piece)
    }

    /// The sizes of the batches [`pump`] sends for the events of `text`,
    /// then the end marker, cut into chunks of `piece` bytes, one a turn.
    fn batch_sizes_of(text: String, piece: usize) -> Vec<usize> {
        let chunks = Bytes::from(text);
        let chunks = (0..chunks.len())
            .step_by(piece)
            .map(|at| (None, chunks.slice(at..(at + piece).min(chunks.len()))))
            .collect();
        scripted_batches(chunks, 1).sizes
    }

    #[test]
    fn a_batch_goes_on_while_chunks_keep_coming() {
        // Every event in 7-byte chunks, one chunk a turn: a turn that gives
        // a chunk but no event yet is progress, and the batch goes on until
        // it is full. (It used to end there, at one event a batch.)
        let sizes = batch_sizes(200, 7);
        assert_eq!(sizes.iter().sum::<usize>(), 200, "{sizes:?}");
        let (last, full) = sizes.split_last().unwrap();
        assert!(full.iter().all(|&n| n == BATCH), "{sizes:?}");
        assert_eq!(*last, 200 % BATCH, "{sizes:?}");
        // All the events in one chunk: one batch, the end marker after it
        // (the task hands over text, a chunk's events at once).
        assert_eq!(batch_sizes(200, 1 << 16), [200, 0]);
    }

    #[test]
    fn a_whole_event_is_not_held_while_a_long_one_trickles_in() {
        // A small event, then one of 200 KB in 7-byte chunks, one a turn:
        // the small one is sent once 64 KiB of the long one came in.
        let long = format!("data: {{\"n\":1,\"pad\":\"{}\"}}\n\n", "x".repeat(200_000));
        let text = format!("data: {{\"n\":0}}\n\n{long}data: {{\"n\":2}}\n\n");
        let sizes = batch_sizes_of(text, 7);
        assert_eq!(sizes.first(), Some(&1), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 3, "{sizes:?}");
    }

    /// A body fed by a task of its own, as hyper's connection task feeds a
    /// response body: each chunk after its wait (a tokio sleep, in paused
    /// time: a server pacing its events; or `None`: none, a chunk already in
    /// the socket, handed over when the feeding task next gets a turn). It
    /// counts the times it is polled: each turn the reading task takes polls
    /// it once more.
    struct Fed {
        chunks: mpsc::Receiver<Bytes>,
        polls: Arc<AtomicUsize>,
    }

    impl Stream for Fed {
        type Item = Result<Bytes, std::io::Error>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.polls.fetch_add(1, Ordering::Relaxed);
            self.chunks.poll_recv(cx).map(|chunk| chunk.map(Ok))
        }
    }

    /// What [`scripted_batches`] saw.
    struct Sent {
        /// The items of each batch.
        sizes: Vec<usize>,
        /// The room each batch's items were given.
        rooms: Vec<usize>,
        /// How many times each batch's text grew past the room it was given.
        grew: Vec<usize>,
        /// How often the body was polled.
        polls: usize,
    }

    /// The batches [`pump`] sends, through a channel of `room` batches,
    /// for `chunks` (each after its wait, see [`Fed`]) and then the end
    /// marker, and how often it polled the body. The events must be numbered
    /// in order (`{"n":0}`, `{"n":1}`...).
    fn scripted_batches(chunks: Vec<(Option<Duration>, Bytes)>, room: usize) -> Sent {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        let _entered = runtime.enter();
        let (feed, received) = mpsc::channel(1);
        let done = (None, Bytes::from_static(b"data: [DONE]\n\n"));
        let feeder = tokio::spawn(async move {
            for (wait, chunk) in chunks.into_iter().chain([done]) {
                if let Some(wait) = wait {
                    tokio::time::sleep(wait).await;
                }
                if feed.send(chunk).await.is_err() {
                    return;
                }
            }
        });
        let polls = Arc::new(AtomicUsize::new(0));
        let body = Fed {
            chunks: received,
            polls: polls.clone(),
        };
        let decoder = value_decoder(reqwest::Body::wrap_stream(body));
        let rules = decoder.rules().clone();
        let (sizes, rooms, grew) = runtime.block_on(async {
            let (sender, mut batches) = mpsc::channel(room);
            let task = tokio::spawn(pump(decoder, sender));
            let (mut sizes, mut rooms, mut grew, mut n) = (Vec::new(), Vec::new(), Vec::new(), 0);
            while let Some(mut batch) = batches.recv().await {
                // The items the batch's events convert to (the end marker
                // converts to none).
                let mut items = 0;
                rooms.push(batch.events.capacity());
                grew.push(batch.events.grew());
                let last = batch.last;
                while let Some((item, _)) = batch.next_event(&rules) {
                    let Some(item) = item else { continue };
                    items += 1;
                    if let Ok(StreamItem::Event(event)) = item.into_parts().0 {
                        assert_eq!(event["n"], n, "events in order");
                        n += 1;
                    }
                }
                sizes.push(items);
                if last {
                    break;
                }
            }
            task.await.unwrap();
            feeder.await.unwrap();
            (sizes, rooms, grew)
        });
        Sent {
            sizes,
            rooms,
            grew,
            polls: polls.load(Ordering::Relaxed),
        }
    }

    /// Event `n` as one chunk.
    fn event(n: usize) -> Bytes {
        Bytes::from(format!("data: {{\"n\":{n}}}\n\n"))
    }

    #[test]
    fn a_stream_slower_than_its_reader_is_sent_without_turns() {
        // 200 events a millisecond apart: each is sent alone. A turn of the
        // scheduler before sending would poll the body once more per event
        // (four polls, not three) and bring nothing; after two batches whose
        // turn brought nothing, and but for one probe in `PROBE_EVERY`,
        // there is none.
        let events = 200;
        let paced = (0..events)
            .map(|n| (Some(Duration::from_millis(1)), event(n)))
            .collect();
        let Sent {
            sizes,
            rooms,
            polls,
            ..
        } = scripted_batches(paced, 1);
        assert_eq!(sizes.iter().sum::<usize>(), events, "{sizes:?}");
        assert!(sizes.iter().all(|&n| n <= 1), "{sizes:?}");
        // Each batch after the first has the room of one event, not of
        // `BATCH` (see `pump`).
        assert!(rooms[1..].iter().all(|&room| room == 1), "{rooms:?}");
        let turns = 2 + events / PROBE_EVERY as usize + 1;
        assert!(
            polls <= 3 * events + turns + 4,
            "{polls} polls for {events} events"
        );
    }

    #[test]
    fn a_stream_that_speeds_up_gets_full_batches_again() {
        // Ten paced events, then 1,000 a turn apart: the turns come back and
        // the batches fill up.
        let slow = (0..10).map(|n| (Some(Duration::from_millis(1)), event(n)));
        let fast = (10..1010).map(|n| (None, event(n)));
        let events: Vec<_> = slow.chain(fast).collect();
        let fast_batches = 1000 / BATCH + 1;
        // A reader that takes a batch only when the task waits to send the
        // next: meanwhile the feeder runs, so the next batch's first event is
        // there at once, and the turns come back with the next batch.
        let Sent {
            sizes, rooms, grew, ..
        } = scripted_batches(events.clone(), 1);
        assert_eq!(sizes.iter().sum::<usize>(), 1010, "{sizes:?}");
        assert!(sizes.len() <= 10 + 3 + fast_batches, "{sizes:?}");
        // The full batches got the room they needed, and no more.
        let full = sizes.iter().zip(&rooms).filter(|(&n, _)| n == BATCH);
        assert!(full.clone().count() >= fast_batches - 2, "{sizes:?}");
        assert!(full.clone().all(|(_, &room)| room == BATCH), "{rooms:?}");
        // And room for their text: a full batch after a full one held its
        // text without growing (the events' numbers get a digit longer, an
        // eighth of their text, within the quarter more it is given).
        let after_full = sizes.windows(2).zip(&grew[1..]);
        let regrown: Vec<_> = after_full
            .filter(|(pair, _)| pair == &[BATCH, BATCH])
            .collect();
        assert!(regrown.len() >= fast_batches - 3, "{sizes:?}");
        assert!(regrown.iter().all(|(_, &n)| n == 0), "{grew:?}");
        // Room for every batch: sending never waits and no event is there at
        // once; the probe, one batch in `PROBE_EVERY`, brings the turns back.
        let Sent { sizes, .. } = scripted_batches(events, 10_000);
        assert_eq!(sizes.iter().sum::<usize>(), 1010, "{sizes:?}");
        assert!(
            sizes.len() > 10 + fast_batches + 8,
            "no batch went without a turn: {sizes:?}"
        );
        assert!(
            sizes.len() <= 10 + PROBE_EVERY as usize + fast_batches + 2,
            "{sizes:?}"
        );
        assert_eq!(
            sizes.iter().rev().skip(1).take(8).min(),
            Some(&BATCH),
            "{sizes:?}"
        );
    }
}
