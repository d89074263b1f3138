//! Reading and decoding an event stream in a task of its own.
//!
//! On a multi-thread runtime the connection is driven by a worker thread
//! while the caller usually waits on another (`#[tokio::main]`'s main
//! thread). Parsing in the caller's task made every HTTP chunk (a few bytes,
//! when the server flushes often) cross between threads. Here a spawned task
//! beside the connection reads, parses and decodes, and hands the caller
//! whole batches of items: one wake-up per batch instead of one per chunk.
//! The same holds, more cheaply, on a current-thread runtime (see
//! [`on_tokio_runtime`]); only a stream polled outside any tokio runtime is
//! read in the caller's task.
//!
//! Memory stays bounded: the channel holds one batch, so at most three
//! batches exist at once (being filled, queued, being read). A batch holds at
//! most [`BATCH`] items and ends once its events' data passes
//! [`BATCH_BYTES`], so it holds at most that much text and one event of the
//! configured size more.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::Error;
use super::stream_decode::{Decoded, Decoder};

/// Items per batch, at most.
///
/// Each batch is a wake-up of the caller, usually on another thread. Going
/// from 16 to 64 items cut the CPU of 200,001 chat chunks read on a
/// multi-thread runtime by a tenth (`farm-bench -n 20`, median ratio 0.90),
/// and left the current-thread runtime and 7-byte chunks as they were
/// (1.01, 1.00); 256 items gained nothing over 64 (1.03).
pub(crate) const BATCH: usize = 64;

/// Event data per batch: a batch ends once the data of its events passes
/// this, so large events are not held back 64 at a time.
pub(crate) const BATCH_BYTES: u64 = 256 * 1024;

/// Body bytes read towards an event not yet whole while a batch holds
/// whole ones: past this the batch is sent, so an event is not held back
/// while a long one after it comes in small chunks.
pub(crate) const HOLD_BYTES: u64 = 64 * 1024;

/// Items read together, and whether they end the stream.
pub(crate) struct Batch<E> {
    items: Vec<Decoded<E>>,
    last: bool,
}

/// The caller's end: batches from the task, and the task, which is stopped
/// when this is dropped.
pub(crate) struct TaskSource<E> {
    batches: mpsc::Receiver<Batch<E>>,
    current: std::vec::IntoIter<Decoded<E>>,
    last: bool,
    task: JoinHandle<()>,
    /// For the error reporting a task that stopped early.
    status: reqwest::StatusCode,
    request_id: Option<String>,
}

/// Whether a tokio runtime is current, to spawn the reader on.
///
/// On a multi-thread runtime the spawned reader saves a thread hop per
/// chunk. On a current-thread runtime it pays too: every wake-up of the
/// future the runtime's `block_on` is running (the caller, usually) goes
/// through the runtime's unpark, while a spawned task is only queued. With
/// 7-byte chunks `cargo xtask bench-runtime` measured 3.96 s of CPU against
/// 5.72 s reading in the caller's task (2026-11-29).
pub(crate) fn on_tokio_runtime() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

impl<E: DeserializeOwned + Send + 'static> TaskSource<E> {
    /// Spawns the task reading `decoder` on the current runtime.
    pub(crate) fn spawn(
        decoder: Decoder<E>,
        status: reqwest::StatusCode,
        request_id: Option<String>,
    ) -> Self {
        let (sender, batches) = mpsc::channel(1);
        TaskSource {
            batches,
            current: Vec::new().into_iter(),
            last: false,
            task: tokio::spawn(pump(decoder, sender)),
            status,
            request_id,
        }
    }
}

impl<E> TaskSource<E> {
    /// The next item; `None` after the last one.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Decoded<E>>> {
        loop {
            if let Some(item) = self.current.next() {
                return Poll::Ready(Some(item));
            }
            if self.last {
                return Poll::Ready(None);
            }
            match self.batches.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(batch)) => {
                    self.last = batch.last;
                    self.current = batch.items.into_iter();
                }
                // The task ended without sending its last batch: it panicked
                // (the panic is passed on, as it would be inline) or its
                // runtime is shutting down. Its outcome may land just after
                // the channel closes: wait for it.
                Poll::Ready(None) => {
                    let outcome = match Pin::new(&mut self.task).poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(outcome) => outcome,
                    };
                    self.last = true;
                    if let Err(e) = outcome {
                        if e.is_panic() {
                            std::panic::resume_unwind(e.into_panic());
                        }
                    }
                    return Poll::Ready(Some(Decoded::failed(Error::Stream {
                        status: self.status,
                        request_id: self.request_id.clone(),
                        message: "the task reading the stream was stopped (is the runtime shutting down?)".to_owned(),
                        source: None,
                    })));
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

/// Reads `decoder` into batches: waits for one item, then takes whatever is
/// ready, up to [`BATCH`] items or [`BATCH_BYTES`] of their data, so a slow
/// stream's items are sent as soon as they arrive and a fast one's go many
/// at a time.
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
/// an unfinished event while whole ones wait.
async fn pump<E: DeserializeOwned>(mut decoder: Decoder<E>, sender: mpsc::Sender<Batch<E>>) {
    let look_ahead = super::body::look_ahead();
    loop {
        let mut items = Vec::with_capacity(BATCH);
        let start = decoder.data_bytes();
        let mut last = match decoder.next().await {
            Some(item) => {
                items.push(item);
                false
            }
            None => true,
        };
        let mut yielded = false;
        let (mut read_at_yield, mut read_at_item) = (0, decoder.body_bytes());
        while !last && items.len() < BATCH && decoder.data_bytes() - start < BATCH_BYTES {
            // A pending poll under the look-ahead waker registers nothing
            // (and arms no idle timer); the next `decoder.next().await`
            // polls again with this task's waker.
            let polled = Pin::new(&mut decoder).poll_next(&mut Context::from_waker(look_ahead));
            match polled {
                Poll::Ready(Some(item)) => {
                    items.push(item);
                    yielded = false;
                    read_at_item = decoder.body_bytes();
                }
                Poll::Ready(None) => last = true,
                Poll::Pending => {
                    let read = decoder.body_bytes();
                    // Nothing came in the last turn, or a long event is
                    // still coming while whole ones wait: send them.
                    if yielded && (read == read_at_yield || read - read_at_item > HOLD_BYTES) {
                        break;
                    }
                    read_at_yield = read;
                    requeue().await;
                    yielded = true;
                }
            }
        }
        if sender.send(Batch { items, last }).await.is_err() || last {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::collections::VecDeque;

    use super::super::stream_decode::value_decoder;

    /// A body that hands over one chunk per turn of the scheduler, as a
    /// connection task does: pending (and woken) before each chunk.
    struct OneChunkPerTurn {
        chunks: VecDeque<Bytes>,
        turn: bool,
    }

    impl Stream for OneChunkPerTurn {
        type Item = Result<Bytes, std::io::Error>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if !std::mem::replace(&mut self.turn, true) {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            self.turn = false;
            Poll::Ready(self.chunks.pop_front().map(Ok))
        }
    }

    /// The sizes of the batches [`pump`] sends for `events` small events,
    /// then the end marker, cut into chunks of `piece` bytes.
    fn batch_sizes(events: usize, piece: usize) -> Vec<usize> {
        let text: String = (0..events)
            .map(|n| format!("data: {{\"n\":{n}}}\n\n"))
            .collect();
        batch_sizes_of(text, piece)
    }

    /// The sizes of the batches [`pump`] sends for the events of `text`,
    /// then the end marker, cut into chunks of `piece` bytes.
    fn batch_sizes_of(mut text: String, piece: usize) -> Vec<usize> {
        text.push_str("data: [DONE]\n\n");
        let chunks = text
            .as_bytes()
            .chunks(piece)
            .map(Bytes::copy_from_slice)
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _entered = runtime.enter();
        let decoder = value_decoder(reqwest::Body::wrap_stream(OneChunkPerTurn {
            chunks,
            turn: false,
        }));
        runtime.block_on(async {
            let (sender, mut batches) = mpsc::channel(1);
            let task = tokio::spawn(pump(decoder, sender));
            let mut sizes = Vec::new();
            while let Some(batch) = batches.recv().await {
                sizes.push(batch.items.len());
                if batch.last {
                    break;
                }
            }
            task.await.unwrap();
            sizes
        })
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
        // Whole events a chunk: the same batches.
        assert_eq!(batch_sizes(200, 1 << 16), sizes);
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
}
