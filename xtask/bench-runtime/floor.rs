//! The runtime bench's transport floor: `floor SCENARIO URL RUNTIME ARG`
//! fetches what a client would, with plain reqwest (the transport both
//! clients use), and reads the whole body without decoding it. No client
//! built on reqwest can cost less; a target below this figure cannot be met
//! by decoding faster.
//!
//! The body is read in a spawned task: on a multi-thread runtime that keeps
//! each chunk on the worker that drives the connection (reading it in
//! `block_on` on the main thread would cost a thread hop per chunk, which is
//! no floor).
//!
//! A stream whose caller is `block_on`'s future (the `multi` and `current`
//! runtimes) must still reach that caller: every client does that much. So
//! there the task also hands what it read to the caller, as cheaply as a
//! hand-over goes: at each chunk that ends an event (the bench server ends
//! every event with `\n\n`), the byte count of whatever came in since the
//! caller last took one, through a channel of one message, never waiting for
//! the caller (see [`hand_over`]). Without it the floor of a paced stream in
//! `block_on` on a multi-thread runtime read 0.45 × async-openai's CPU, while
//! plain reqwest reading it in `block_on` costs 0.95 ×: each event's wake-up
//! of the main thread is the cost there, and no client avoids it.

use futures_util::StreamExt;

#[path = "cli.rs"]
mod cli;

fn main() {
    cli::main("floor", |scenario, url, _| async move {
        run(&scenario, &url).await
    });
}

async fn run(scenario: &str, url: &str) -> Result<String, String> {
    let client = reqwest::Client::new();
    // Each body in a task of its own; 64 at once for the many-streams case.
    let (count, scenario) = match scenario {
        "sse-many" => (payloads::STREAMS, "sse"),
        other => (1, other),
    };
    // `block_on`'s future, reading a stream: the caller each event must reach.
    let stream = matches!(scenario, "sse" | "responses-sse");
    if count == 1 && stream && tokio::task::try_id().is_none() {
        let (bytes, chunks) = hand_over(client, scenario.to_owned(), url.to_owned()).await?;
        return Ok(format!("bytes={bytes} chunks={chunks}"));
    }
    let one = || fetch(client.clone(), scenario.to_owned(), url.to_owned(), None);
    let (bytes, chunks) = cli::at_once(count, one).await?;
    Ok(format!("bytes={bytes} chunks={chunks}"))
}

/// [`fetch`] in a task of its own, which hands the byte count of what it
/// read to the caller as each event ends: one message in the channel at most, and
/// what comes in while the caller has not taken it is added to the next, so
/// the reading task never waits for the caller and the caller wakes no more
/// often than it must. Gives the bytes the caller was handed and the
/// chunks the task read.
async fn hand_over(client: reqwest::Client, scenario: String, url: String) -> Result<(usize, usize), String> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel(1);
    let task = tokio::spawn(fetch(client, scenario, url, Some(sender)));
    let mut bytes = 0;
    while let Some(n) = receiver.recv().await {
        bytes += n;
    }
    let (read, chunks) = task.await.map_err(|e| e.to_string())??;
    match bytes == read {
        true => Ok((bytes, chunks)),
        false => Err(format!("the caller was handed {bytes} bytes of {read}")),
    }
}

/// Fetches what `scenario` would and reads the body, in the task that
/// polls it: its bytes and chunks. With `caller`, the byte counts read are
/// also handed over as the events they hold end (see [`hand_over`]).
async fn fetch(
    client: reqwest::Client,
    scenario: String,
    url: String,
    caller: Option<tokio::sync::mpsc::Sender<usize>>,
) -> Result<(usize, usize), String> {
    let request = match scenario.as_str() {
        "sse" => client
            .post(format!("{url}/chat/completions"))
            .header("content-type", "application/json")
            .body(r#"{"model":"gpt-4o","messages":[{"role":"user","content":"Write a long answer."}],"stream":true}"#),
        "responses-sse" => client
            .post(format!("{url}/responses"))
            .header("content-type", "application/json")
            .body(r#"{"model":"gpt-5","input":"Write a long answer.","stream":true}"#),
        "list" => client.get(format!("{url}/files")),
        other => return Err(format!("no floor for scenario `{other}`")),
    };
    let response = request.send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    let (mut bytes, mut chunks, mut unsent) = (0usize, 0usize, 0usize);
    let mut after_newline = false;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        (bytes, chunks, unsent) = (bytes + chunk.len(), chunks + 1, unsent + chunk.len());
        // Only a chunk that ends an event is worth the caller's wake-up (a
        // client hands over events, not the pieces of one); and when the
        // caller has not taken the last count yet, this one waits with the next.
        let ends_event = ends_event(&chunk, &mut after_newline);
        if let (Some(caller), true) = (&caller, ends_event) {
            if let Ok(permit) = caller.try_reserve() {
                permit.send(std::mem::take(&mut unsent));
            }
        }
    }
    if let (Some(caller), true) = (&caller, unsent > 0) {
        caller.send(unsent).await.map_err(|e| e.to_string())?;
    }
    Ok((bytes, chunks))
}

/// Whether `chunk` ends an event: it holds a blank line's `\n\n`, or starts
/// with the `\n` after the one that ended the chunk before
/// (`after_newline`, updated for the next chunk).
fn ends_event(chunk: &[u8], after_newline: &mut bool) -> bool {
    let ends = memchr::memmem::find(chunk, b"\n\n").is_some()
        || (*after_newline && chunk.first() == Some(&b'\n'));
    *after_newline = chunk.last() == Some(&b'\n');
    ends
}

#[path = "payloads.rs"]
#[allow(dead_code)]
mod payloads;
