//! The command line the runtime bench's client binaries share:
//! `NAME SCENARIO URL multi|task|current|current-task ARG`, run on the
//! runtime named (`multi` is what `#[tokio::main]` builds; `task` is the same
//! runtime with the scenario run in a spawned task, as a server's request
//! handler runs; `current-task` is that on a current-thread runtime),
//! printing the summary line or the error;
//! and the encode scenario, which is the same on both sides but for the type.

use std::future::Future;

/// Parses the arguments, runs `run(scenario, url, arg)` on the runtime they
/// name and prints its summary; exits with 1 on its error, 2 on bad usage.
pub fn main<F, Fut>(name: &str, run: F)
where
    F: FnOnce(String, String, String) -> Fut,
    Fut: Future<Output = Result<String, String>> + Send + 'static,
{
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [scenario, url, runtime, arg] = <[String; 4]>::try_from(args).unwrap_or_else(|_| {
        eprintln!("usage: {name} SCENARIO URL multi|task|current|current-task ARG");
        std::process::exit(2);
    });
    let mut builder = match runtime.as_str() {
        "current" | "current-task" => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let in_task = runtime.ends_with("task");
    let runtime = builder.enable_all().build().expect("tokio runtime");
    let run = run(scenario, url, arg);
    let outcome = if in_task {
        runtime.block_on(async { tokio::spawn(run).await.expect("the scenario's task") })
    } else {
        runtime.block_on(run)
    };
    match outcome {
        Ok(summary) => println!("{summary}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

/// Runs `count` of `one` at once, each in a task of its own (as a server's
/// request handlers run), and sums the pairs of counts they return.
pub async fn at_once<Fut>(count: usize, one: impl Fn() -> Fut) -> Result<(usize, usize), String>
where
    Fut: Future<Output = Result<(usize, usize), String>> + Send + 'static,
{
    let tasks: Vec<_> = (0..count).map(|_| tokio::spawn(one())).collect();
    let (mut a, mut b) = (0, 0);
    for task in tasks {
        let (x, y) = task.await.map_err(|e| e.to_string())??;
        (a, b) = (a + x, b + y);
    }
    Ok((a, b))
}

/// The encode scenario: decodes the chat request `text` into `T`, encodes it
/// `count` times (the argument) with `write`, the client's own way of
/// encoding a request body, and checks the encoding is the request, member
/// for member, and also what `T`'s `Serialize` gives serde_json. Prints the
/// count and the encoded length.
// The transport floor shares this file and has no encode scenario.
#[allow(dead_code)]
pub fn encode<T: serde::Serialize + serde::de::DeserializeOwned>(
    text: &str,
    count: &str,
    write: impl Fn(&T) -> Result<Vec<u8>, String>,
) -> Result<String, String> {
    let count: usize = count.parse().map_err(|_| "the encode count is a number")?;
    let request: T = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let input: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut body = Vec::new();
    for _ in 0..count {
        body = write(std::hint::black_box(&request))?;
    }
    let encoded: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let through_serde = serde_json::to_value(&request).map_err(|e| e.to_string())?;
    if encoded != input || through_serde != input {
        return Err(format!(
            "the encoded request differs from the one decoded: {encoded}"
        ));
    }
    Ok(format!("encodes={count} bytes={}", body.len()))
}

/// The decode scenario: decodes `count` (the argument) of `events` in turn
/// with `decode`, the client's own way of decoding a stream's event, and
/// prints the count and the bytes of content `content` finds in them.
// The transport floor shares this file and has no decode scenario.
#[allow(dead_code)]
pub fn decode<T>(
    events: &[String],
    count: &str,
    decode: impl Fn(&str) -> Result<T, String>,
    content: impl Fn(&T) -> usize,
) -> Result<String, String> {
    let count: usize = count.parse().map_err(|_| "the decode count is a number")?;
    let mut bytes = 0;
    for event in events.iter().cycle().take(count) {
        bytes += content(&decode(std::hint::black_box(event))?);
    }
    Ok(format!("decodes={count} content_bytes={bytes}"))
}
