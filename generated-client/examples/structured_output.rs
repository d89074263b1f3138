//! Structured outputs: the answer as a Rust type.
//!
//! The request carries a strict `json_schema` response format made from
//! [`CalendarEvent`] (nested struct, enum, `Option` and `Vec` fields), so the
//! model answers with JSON of exactly that shape, which is parsed back into
//! the type. A model may refuse instead; the refusal is reported as such.
//!
//! ```text
//! export OPENAI_API_KEY=sk-...
//! cargo run -p openai-client --features structured-outputs --example structured_output -- \
//!     "Alice and Bob are going to a science fair on Friday 2025-05-09."
//! ```

use openai_client::structured::{self, schemars::JsonSchema};
use openai_client::types::{ChatCompletionRequestUserMessage, CreateChatCompletionRequest};
use openai_client::Client;
use serde::Deserialize;

/// Model used when `STRUCTURED_MODEL` is not set.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// What the model is asked to pull out of the text. Doc comments become
/// `description`s in the schema the model sees.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[schemars(crate = "openai_client::structured::schemars")]
pub struct CalendarEvent {
    /// A short title for the event.
    pub name: String,
    /// The day as YYYY-MM-DD, when the text gives one.
    pub date: Option<String>,
    /// Everyone taking part.
    pub participants: Vec<Participant>,
    /// What kind of event it is.
    pub kind: EventKind,
}

/// Someone taking part.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[schemars(crate = "openai_client::structured::schemars")]
pub struct Participant {
    /// Their name.
    pub name: String,
    /// Their role, when the text says.
    pub role: Option<String>,
}

/// Kinds of event.
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
#[schemars(crate = "openai_client::structured::schemars")]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A meeting.
    Meeting,
    /// A call.
    Call,
    /// Anything social.
    Social,
}

/// What the model answered.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// The event, parsed.
    Event(CalendarEvent),
    /// The model declined, with its reason.
    Refused(String),
}

/// Asks `model` to extract the event in `text`.
pub async fn extract(
    client: &Client,
    model: &str,
    text: &str,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let question = ChatCompletionRequestUserMessage::new(text);
    let request = CreateChatCompletionRequest::new(vec![question.into()], model)
        .response_format(structured::response_format::<CalendarEvent>()?);
    let completion = client.create_chat_completion(&request).await?;
    let message = &completion
        .choices
        .first()
        .ok_or("the answer has no choices")?
        .message;
    if let Some(refusal) = &message.refusal {
        return Ok(Outcome::Refused(refusal.clone()));
    }
    let content = message
        .content
        .as_deref()
        .ok_or("the answer has no content")?;
    Ok(Outcome::Event(structured::parse(content)?))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let text = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        eprintln!("usage: structured_output TEXT");
        std::process::exit(2);
    }
    let model = std::env::var("STRUCTURED_MODEL").unwrap_or_else(|_| DEFAULT_MODEL.to_owned());
    // OPENAI_API_KEY, and OPENAI_BASE_URL if set.
    let client = Client::new()?;
    match extract(&client, &model, &text).await? {
        Outcome::Event(event) => println!("{event:#?}"),
        Outcome::Refused(reason) => println!("refused: {reason}"),
    }
    Ok(())
}
