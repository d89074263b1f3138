//! The Responses API streamed, with a function tool round trip.
//!
//! The question goes out with one function tool, `get_weather`. The answer
//! streams back as `response.*` events: text deltas are printed as they
//! arrive, and a finished `function_call` item means the model wants the
//! tool. The example runs the tool locally and sends its result back as a
//! `function_call_output` item that continues the same response
//! (`previous_response_id`), and the final answer streams in. A model that asks
//! for tools again and again is cut off after [`MAX_ROUNDS`] rounds.
//!
//! ```text
//! export OPENAI_API_KEY=sk-...
//! cargo run -p openai-client --example responses_stream -- "Do I need an umbrella in Oslo?"
//! ```

use futures_util::StreamExt;
use openai_client::types::{
    CreateResponse, FunctionCallOutputItemParam, FunctionTool, FunctionToolCall, InputItem,
    OutputItem, ResponseStreamEvent, Tool,
};
use openai_client::{Client, Error};
use serde_json::json;

/// Model used when `RESPONSES_MODEL` is not set.
pub const DEFAULT_MODEL: &str = "gpt-4.1-mini";
/// Name of the one tool the model may call.
pub const WEATHER_TOOL: &str = "get_weather";
/// Requests per question at most: the first, plus one per round of tool calls.
pub const MAX_ROUNDS: usize = 4;

/// The `get_weather` tool: takes a city, strict JSON schema.
pub fn weather_tool() -> Tool {
    let parameters = json!({
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": false
    });
    FunctionTool::new(WEATHER_TOOL, parameters, true)
        .description("Current weather of a city")
        .into()
}

/// The tool itself, run locally: a made-up forecast for the city in `arguments`.
pub fn get_weather(arguments: &str) -> String {
    let city = serde_json::from_str::<serde_json::Value>(arguments)
        .ok()
        .and_then(|a| a["city"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "an unknown city".to_owned());
    json!({"city": city, "forecast": "light rain", "celsius": 9}).to_string()
}

/// What one streamed response produced.
#[derive(Debug, Default)]
pub struct Turn {
    /// The response's id, to continue it.
    pub response_id: Option<String>,
    /// Text of the answer.
    pub text: String,
    /// Function calls the model asked for.
    pub calls: Vec<FunctionToolCall>,
}

/// Streams one response, passing text deltas to `on_delta`.
pub async fn stream_turn(
    client: &Client,
    request: &CreateResponse,
    on_delta: &mut impl FnMut(&str),
) -> Result<Turn, Error> {
    let mut events = client.create_response_stream(request).await?.events();
    let mut turn = Turn::default();
    while let Some(event) = events.next().await {
        match event? {
            ResponseStreamEvent::ResponseCreated(created) => {
                turn.response_id = Some(created.response.id.clone());
            }
            ResponseStreamEvent::ResponseOutputTextDelta(delta) => {
                on_delta(&delta.delta);
                turn.text.push_str(&delta.delta);
            }
            ResponseStreamEvent::ResponseOutputItemDone(done) => {
                if let OutputItem::FunctionCall(call) = done.item {
                    turn.calls.push(call);
                }
            }
            _ => {}
        }
    }
    Ok(turn)
}

/// Asks `question`, answering the model's tool calls until it answers in
/// text; returns the final answer.
pub async fn ask(
    client: &Client,
    model: &str,
    question: &str,
    mut on_delta: impl FnMut(&str),
) -> Result<String, Error> {
    let mut request = CreateResponse::new()
        .model(model)
        .tools(vec![weather_tool()])
        .input(question);
    for _ in 0..MAX_ROUNDS {
        let turn = stream_turn(client, &request, &mut on_delta).await?;
        let Some(previous) = turn.response_id.filter(|_| !turn.calls.is_empty()) else {
            return Ok(turn.text);
        };
        let outputs: Vec<InputItem> = turn
            .calls
            .iter()
            .map(|call| {
                let result = if call.name == WEATHER_TOOL {
                    get_weather(&call.arguments)
                } else {
                    json!({"error": format!("no tool named {}", call.name)}).to_string()
                };
                FunctionCallOutputItemParam::new(result)
                    .call_id(call.call_id.as_str())
                    .into()
            })
            .collect();
        request = CreateResponse::new()
            .model(model)
            .tools(vec![weather_tool()])
            .previous_response_id(previous)
            .input(outputs);
    }
    Ok(String::new())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let question = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let question = if question.is_empty() {
        "Do I need an umbrella in Oslo today?".to_owned()
    } else {
        question
    };
    // OPENAI_API_KEY, and OPENAI_BASE_URL if set.
    let client = Client::new()?;
    let model = std::env::var("RESPONSES_MODEL").unwrap_or_else(|_| DEFAULT_MODEL.to_owned());
    ask(&client, &model, &question, |piece| print!("{piece}")).await?;
    println!();
    Ok(())
}
