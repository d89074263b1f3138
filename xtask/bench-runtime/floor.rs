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
    let one = || fetch(client.clone(), scenario.to_owned(), url.to_owned());
    let (bytes, chunks) = cli::at_once(count, one).await?;
    Ok(format!("bytes={bytes} chunks={chunks}"))
}

/// Fetches what `scenario` would and reads the body, in the task that
/// polls it: its bytes and chunks.
async fn fetch(client: reqwest::Client, scenario: String, url: String) -> Result<(usize, usize), String> {
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
    let (mut bytes, mut chunks) = (0usize, 0usize);
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        bytes += chunk.map_err(|e| e.to_string())?.len();
        chunks += 1;
    }
    Ok((bytes, chunks))
}

#[path = "payloads.rs"]
#[allow(dead_code)]
mod payloads;
