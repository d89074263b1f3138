//! The runtime bench's client on async-openai's side: the same scenarios as
//! `ours.rs`, with the same arguments and summary lines.

use async_openai::config::OpenAIConfig;
use async_openai::types::embeddings::{CreateEmbeddingRequest, EmbeddingInput, EncodingFormat};
use async_openai::types::files::{CreateFileRequest, FilePurpose};
use async_openai::Client;
use futures_util::StreamExt;

#[path = "cli.rs"]
mod cli;
#[path = "payloads.rs"]
mod payloads;

fn main() {
    cli::main("theirs", |scenario, url, arg| async move {
        run(&scenario, &url, &arg).await
    });
}

async fn run(scenario: &str, url: &str, arg: &str) -> Result<String, String> {
    let client = Client::with_config(
        OpenAIConfig::new()
            .with_api_key("sk-bench")
            .with_api_base(url),
    );
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
            let request: async_openai::types::responses::CreateResponse =
                serde_json::from_value(serde_json::json!({"model": "gpt-5", "input": "Write a long answer."}))
                    .map_err(|e| e.to_string())?;
            let mut stream = client
                .responses()
                .create_stream(request)
                .await
                .map_err(|e| e.to_string())?;
            let (mut events, mut deltas, mut completed) = (0, 0, 0);
            while let Some(event) = stream.next().await {
                events += 1;
                match event.map_err(|e| e.to_string())? {
                    async_openai::types::responses::ResponseStreamEvent::ResponseOutputTextDelta(e) => deltas += e.delta.len(),
                    async_openai::types::responses::ResponseStreamEvent::ResponseCompleted(e) => completed += message_text_bytes(&e.response),
                    _ => {}
                }
            }
            Ok(format!("events={events} delta_bytes={deltas} completed_text_bytes={completed}"))
        }
        "list" => {
            let list = client.files().list().await.map_err(|e| e.to_string())?;
            let bytes: u64 = list
                .data
                .iter()
                .map(|f| u64::from(f.bytes.unwrap_or(0)))
                .sum();
            Ok(format!("files={} bytes={bytes}", list.data.len()))
        }
        "upload" => {
            let request = CreateFileRequest {
                file: arg.into(),
                purpose: FilePurpose::Assistants,
                expires_after: None,
            };
            let file = client
                .files()
                .create(request)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("uploaded_bytes={}", file.bytes.unwrap_or(0)))
        }
        "small" => {
            let count: usize = arg.parse().map_err(|_| "the request count is a number")?;
            let mut model = String::new();
            for _ in 0..count {
                model = client
                    .models()
                    .retrieve("gpt-4o-2024-08-06")
                    .await
                    .map_err(|e| e.to_string())?
                    .id;
            }
            Ok(format!("requests={count} model={model}"))
        }
        "concurrent" => {
            let count: usize = arg.parse().map_err(|_| "the request count is a number")?;
            let mut answers = futures_util::stream::iter(0..count)
                .map(|_| async { client.models().retrieve(payloads::MODEL).await })
                .buffer_unordered(payloads::IN_FLIGHT);
            let (mut done, mut model) = (0, String::new());
            while let Some(answer) = answers.next().await {
                model = answer.map_err(|e| e.to_string())?.id;
                done += 1;
            }
            Ok(format!("requests={done} model={model}"))
        }
        "chat" => {
            let count: usize = arg.parse().map_err(|_| "the request count is a number")?;
            let request: async_openai::types::chat::CreateChatCompletionRequest =
                serde_json::from_str(&payloads::chat_send_json()).map_err(|e| e.to_string())?;
            let mut content = String::new();
            for _ in 0..count {
                // `create` takes the request by value.
                let completion = client
                    .chat()
                    .create(request.clone())
                    .await
                    .map_err(|e| e.to_string())?;
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
            let request = CreateEmbeddingRequest {
                model: payloads::EMBED_MODEL.to_owned(),
                input: EmbeddingInput::StringArray(payloads::embed_inputs()),
                encoding_format: (scenario == "embed").then_some(EncodingFormat::Base64),
                user: None,
                dimensions: None,
            };
            let (mut vectors, mut sum) = (0, 0);
            for _ in 0..count {
                // `create` and `create_base64` take the request by value.
                if scenario == "embed" {
                    // async-openai hands base64 back as text; its own
                    // conversion decodes it, as a caller would.
                    let response = client
                        .embeddings()
                        .create_base64(request.clone())
                        .await
                        .map_err(|e| e.to_string())?;
                    for item in response.data {
                        let values: Vec<f32> = item.embedding.into();
                        vectors += 1;
                        sum += payloads::embedding_sum(values.iter().map(|&v| f64::from(v)));
                    }
                } else {
                    let response = client
                        .embeddings()
                        .create(request.clone())
                        .await
                        .map_err(|e| e.to_string())?;
                    for item in &response.data {
                        vectors += 1;
                        sum +=
                            payloads::embedding_sum(item.embedding.iter().map(|&v| f64::from(v)));
                    }
                }
            }
            Ok(format!("requests={count} vectors={vectors} sum={sum}"))
        }
        "encode" => cli::encode::<async_openai::types::chat::CreateChatCompletionRequest>(
            &payloads::chat_request_json(),
            arg,
            |request| {
                // What reqwest's `json` (which async-openai calls) does.
                serde_json::to_vec(request).map_err(|e| e.to_string())
            },
        ),
        "decode" => cli::decode(
            &payloads::decode_events(),
            arg,
            // What async-openai does with each event of a stream.
            |text| serde_json::from_str(text).map_err(|e| e.to_string()),
            chunk_content,
        ),
        // The same events read by sonic-rs into the same types: the
        // yardstick of a faster serde-compatible JSON library.
        "decode-sonic" => cli::decode(
            &payloads::decode_events(),
            arg,
            |text| sonic_rs::from_str(text).map_err(|e| e.to_string()),
            chunk_content,
        ),
        "decode-response" | "decode-response-indented" => {
            let count: usize = arg.parse().map_err(|_| "the decode count is a number")?;
            let text = payloads::response_text(scenario);
            let (mut items, mut bytes) = (0, 0);
            for _ in 0..count {
                // How the client decodes a response body.
                let response: async_openai::types::responses::Response =
                    serde_json::from_slice(std::hint::black_box(text.as_bytes())).map_err(|e| e.to_string())?;
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
async fn chat_stream(client: Client<OpenAIConfig>) -> Result<(usize, usize), String> {
    let request = serde_json::from_value(serde_json::json!({
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Write a long answer."}],
    }))
    .map_err(|e| e.to_string())?;
    let mut stream = client
        .chat()
        .create_stream(request)
        .await
        .map_err(|e| e.to_string())?;
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
fn message_text_bytes(response: &async_openai::types::responses::Response) -> usize {
    let mut bytes = 0;
    for item in &response.output {
        if let async_openai::types::responses::OutputItem::Message(message) = item {
            for part in &message.content {
                if let async_openai::types::responses::OutputMessageContent::OutputText(t) = part {
                    bytes += t.text.len();
                }
            }
        }
    }
    bytes
}

/// The bytes of `delta.content` text in a chat chunk: what the decode
/// scenarios sum, so both sides prove they read the same text.
fn chunk_content(chunk: &async_openai::types::chat::CreateChatCompletionStreamResponse) -> usize {
    let content = chunk.choices.iter().map(|c| c.delta.content.as_ref());
    content.map(|c| c.map_or(0, String::len)).sum()
}
