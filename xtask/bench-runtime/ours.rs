//! The runtime bench's client on our side: `ours SCENARIO URL RUNTIME ARG`
//! runs one scenario against the bench server and prints a summary line
//! (what it decoded), which must equal async-openai's.
//!
//! RUNTIME is `multi` (what `#[tokio::main]` builds) or `current`.

use futures_util::StreamExt;
use openai_client::{Client, InputFile};

#[path = "cli.rs"]
mod cli;
#[path = "payloads.rs"]
mod payloads;

fn main() {
    cli::main("ours", |scenario, url, arg| async move {
        run(&scenario, &url, &arg).await
    });
}

/// Runs `scenario` against `url` (the base URL); `arg` is the upload's file
/// path or the number of small requests.
pub async fn run(scenario: &str, url: &str, arg: &str) -> Result<String, String> {
    let client = Client::builder()
        .api_key("sk-bench")
        .base_url(url)
        .build()
        .map_err(|e| e.to_string())?;
    match scenario {
        "sse" => {
            let (events, content) = chat_stream(client).await?;
            Ok(format!("events={events} content_bytes={content}"))
        }
        "sse-many" => {
            // Each stream in its own task, as a server's request handlers
            // would read them.
            let (events, content) = cli::at_once(payloads::STREAMS, || chat_stream(client.clone())).await?;
            Ok(format!("streams={} events={events} content_bytes={content}", payloads::STREAMS))
        }
        "responses-sse" => {
            let request: openai_client::types::CreateResponse =
                serde_json::from_value(serde_json::json!({"model": "gpt-5", "input": "Write a long answer."}))
                    .map_err(|e| e.to_string())?;
            let mut stream = client
                .create_response_stream(&request)
                .await
                .map_err(|e| e.to_string())?
                .events();
            let (mut events, mut deltas, mut completed) = (0, 0, 0);
            while let Some(event) = stream.next().await {
                events += 1;
                match event.map_err(|e| e.to_string())? {
                    openai_client::types::ResponseStreamEvent::ResponseOutputTextDelta(e) => deltas += e.delta.len(),
                    openai_client::types::ResponseStreamEvent::ResponseCompleted(e) => completed += message_text_bytes(&e.response),
                    _ => {}
                }
            }
            Ok(format!("events={events} delta_bytes={deltas} completed_text_bytes={completed}"))
        }
        "list" => {
            let list = client
                .list_files(&Default::default())
                .await
                .map_err(|e| e.to_string())?;
            let bytes: i64 = list.data.iter().map(|f| f.bytes).sum();
            Ok(format!("files={} bytes={bytes}", list.data.len()))
        }
        "upload" => {
            let request = openai_client::types::CreateFileRequest::new(
                InputFile::from_path(arg),
                "assistants",
            );
            let file = client
                .create_file(&request)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("uploaded_bytes={}", file.bytes))
        }
        "small" => {
            let count: usize = arg.parse().map_err(|_| "the request count is a number")?;
            let mut model = String::new();
            for _ in 0..count {
                model = client
                    .retrieve_model("gpt-4o-2024-08-06")
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner()
                    .id;
            }
            Ok(format!("requests={count} model={model}"))
        }
        "concurrent" => {
            let count: usize = arg.parse().map_err(|_| "the request count is a number")?;
            let mut answers = futures_util::stream::iter(0..count)
                .map(|_| client.retrieve_model(payloads::MODEL))
                .buffer_unordered(payloads::IN_FLIGHT);
            let (mut done, mut model) = (0, String::new());
            while let Some(answer) = answers.next().await {
                model = answer.map_err(|e| e.to_string())?.into_inner().id;
                done += 1;
            }
            Ok(format!("requests={done} model={model}"))
        }
        "chat" => {
            let count: usize = arg.parse().map_err(|_| "the request count is a number")?;
            let request: openai_client::types::CreateChatCompletionRequest =
                serde_json::from_str(&payloads::chat_send_json()).map_err(|e| e.to_string())?;
            let mut content = String::new();
            for _ in 0..count {
                let completion = client
                    .create_chat_completion(&request)
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                content = completion.choices[0]
                    .message
                    .content
                    .clone()
                    .unwrap_or_default();
            }
            Ok(format!("chats={count} content={content}"))
        }
        "embed" | "embed-float" => {
            let count: usize = arg.parse().map_err(|_| "the request count is a number")?;
            let mut request: openai_client::types::CreateEmbeddingRequest =
                serde_json::from_str(&payloads::embed_request_json()).map_err(|e| e.to_string())?;
            if scenario == "embed-float" {
                request.encoding_format =
                    Some(openai_client::types::CreateEmbeddingRequestEncodingFormat::Float);
            }
            // Left unset, the client asks for base64 and decodes it.
            let (mut vectors, mut sum) = (0, 0);
            for _ in 0..count {
                let response = client
                    .create_embedding(&request)
                    .await
                    .map_err(|e| e.to_string())?
                    .into_inner();
                for item in &response.data {
                    vectors += 1;
                    sum += payloads::embedding_sum(item.embedding.iter().copied());
                }
            }
            Ok(format!("requests={count} vectors={vectors} sum={sum}"))
        }
        "encode" => cli::encode::<openai_client::types::CreateChatCompletionRequest>(
            &payloads::chat_request_json(),
            arg,
            |request| {
                // How the client encodes a request body.
                let mut body = Vec::new();
                openai_client::runtime::ser::Encode::write_json(request, &mut body)
                    .map_err(|e| e.to_string())?;
                Ok(body)
            },
        ),
        // `decode-sonic` is the same work on our side (the other side reads
        // it with sonic-rs).
        "decode" | "decode-sonic" => cli::decode(
            &payloads::decode_events(),
            arg,
            |text| {
                // How the client decodes each event of a stream.
                let decode = || openai_client::runtime::de::from_str(text);
                let (chunk, _fills) = openai_client::runtime::de::collect_fills(decode);
                chunk.map_err(|e| e.to_string())
            },
            |chunk: &openai_client::types::CreateChatCompletionStreamResponse| {
                let content = chunk.choices.iter().map(|c| c.delta.content.as_ref());
                content.map(|c| c.map_or(0, String::len)).sum()
            },
        ),
        "decode-response" | "decode-response-indented" => {
            let count: usize = arg.parse().map_err(|_| "the decode count is a number")?;
            let text = payloads::response_text(scenario);
            let (mut items, mut bytes) = (0, 0);
            for _ in 0..count {
                // How the client decodes a response body.
                let decode = || openai_client::runtime::de::from_slice(std::hint::black_box(text.as_bytes()));
                let (response, _fills) = openai_client::runtime::de::collect_fills(decode);
                let response: openai_client::types::Response = response.map_err(|e| e.to_string())?;
                items += response.output.len();
                bytes += message_text_bytes(&response);
            }
            Ok(format!("decodes={count} items={items} text_bytes={bytes}"))
        }
        other => Err(format!("unknown scenario `{other}`")),
    }
}

/// Reads a chat stream to its end: its chunks and the bytes of their
/// `delta.content` text.
async fn chat_stream(client: Client) -> Result<(usize, usize), String> {
    let request = serde_json::from_value(serde_json::json!({
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Write a long answer."}],
    }))
    .map_err(|e| e.to_string())?;
    let mut stream = client
        .create_chat_completion_stream(&request)
        .await
        .map_err(|e| e.to_string())?
        .events();
    let (mut events, mut content) = (0, 0);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        events += 1;
        for choice in &chunk.choices {
            content += choice.delta.content.as_ref().map_or(0, String::len);
        }
    }
    Ok((events, content))
}

/// Bytes of `output_text` in the messages of `response`.
fn message_text_bytes(response: &openai_client::types::Response) -> usize {
    let mut bytes = 0;
    for item in &response.output {
        if let openai_client::types::OutputItem::Message(message) = item {
            for part in &message.content {
                if let openai_client::types::OutputMessageContent::OutputText(t) = part {
                    bytes += t.text.len();
                }
            }
        }
    }
    bytes
}
