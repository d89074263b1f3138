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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [scenario, url, runtime, _] = &args[..] else {
        eprintln!("usage: floor SCENARIO URL multi|current ARG");
        std::process::exit(2);
    };
    let mut builder = match runtime.as_str() {
        "current" => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = builder.enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(scenario, url)) {
        Ok(summary) => println!("{summary}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

async fn run(scenario: &str, url: &str) -> Result<String, String> {
    let client = reqwest::Client::new();
    let request = match scenario {
        "sse" => client
            .post(format!("{url}/chat/completions"))
            .header("content-type", "application/json")
            .body(r#"{"model":"gpt-4o","messages":[{"role":"user","content":"Write a long answer."}],"stream":true}"#),
        "list" => client.get(format!("{url}/files")),
        other => return Err(format!("no floor for scenario `{other}`")),
    };
    let response = request.send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    let drain = async move {
        let (mut bytes, mut chunks) = (0usize, 0usize);
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            bytes += chunk.map_err(|e| e.to_string())?.len();
            chunks += 1;
        }
        Ok(format!("bytes={bytes} chunks={chunks}"))
    };
    tokio::spawn(drain).await.map_err(|e| e.to_string())?
}
