//! A multi-turn chat service: one conversation per (user, group), answers
//! streamed as they are generated.
//!
//! Requests arrive on stdin, one JSON object per line, in the upper layer's
//! format:
//!
//! ```text
//! {"version": "1.0.0", "pars": {"user_id": "123", "question": "What is Rust?", "group_id": "456", "question_id": ""}}
//! ```
//!
//! For each request the question is appended to the conversation of that
//! user in that group, the conversation is sent with
//! `create_chat_completion_stream`, the answer is printed piece by piece as it
//! arrives, and the full answer is appended to the conversation so the next
//! question of the same user and group has it as context. A conversation
//! keeps only its last [`MAX_HISTORY_MESSAGES`] messages.
//!
//! Run it with a key (and optionally another endpoint or model):
//!
//! ```text
//! export OPENAI_API_KEY=sk-...
//! export OPENAI_BASE_URL=https://api.openai.com/v1   # optional
//! export CHAT_MODEL=gpt-3.5-turbo                    # optional
//! cargo run -p openai-client --example chat_stream < questions.jsonl
//! ```
//!
//! or start it without redirection and type requests line by line (Ctrl-D ends).

use std::collections::{HashMap, VecDeque};
use std::io::Write;

use futures_util::StreamExt;
use openai_client::types::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, CreateChatCompletionRequest,
};
use openai_client::{Client, Error};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The request format version this service understands.
pub const SUPPORTED_VERSION: &str = "1.0.0";
/// Model used when `CHAT_MODEL` is not set.
pub const DEFAULT_MODEL: &str = "gpt-3.5-turbo";
/// Messages (questions and answers) kept per conversation; older ones are dropped.
pub const MAX_HISTORY_MESSAGES: usize = 20;

/// One request of the upper layer.
#[derive(Debug, Deserialize)]
pub struct UpperRequest {
    /// Format version, `1.0.0`.
    pub version: String,
    /// The request's parameters.
    pub pars: Pars,
}

/// Parameters of a request: who asks what, in which group.
#[derive(Debug, Deserialize)]
pub struct Pars {
    /// The asking user.
    pub user_id: String,
    /// The question text.
    pub question: String,
    /// The group the user asks in; each (user, group) pair is its own conversation.
    pub group_id: String,
    /// The caller's ID for this question, echoed in error messages.
    #[serde(default)]
    pub question_id: String,
}

/// Conversation histories, keyed by (user ID, group ID).
pub struct Conversations {
    model: String,
    system_prompt: Option<String>,
    max_messages: usize,
    histories: HashMap<(String, String), VecDeque<ChatCompletionRequestMessage>>,
}

impl Conversations {
    /// No conversations yet; each will keep at most `max_messages` messages.
    pub fn new(model: impl Into<String>, max_messages: usize) -> Self {
        Conversations {
            model: model.into(),
            system_prompt: None,
            max_messages: max_messages.max(1),
            histories: HashMap::new(),
        }
    }

    /// Instructions sent first in every request (never dropped from the history).
    pub fn with_system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.system_prompt = Some(prompt.into());
        self
    }

    /// Asks `pars.question` in the conversation of `pars.user_id` in
    /// `pars.group_id`, passing each piece of the answer to `on_delta` as it
    /// arrives, and returns the whole answer.
    ///
    /// On failure the question is taken back out of the history, so asking
    /// it again does not send it twice.
    pub async fn ask(
        &mut self,
        client: &Client,
        pars: &Pars,
        mut on_delta: impl FnMut(&str),
    ) -> Result<String, Error> {
        let key = (pars.user_id.clone(), pars.group_id.clone());
        let history = self.histories.entry(key).or_default();
        history.push_back(user_message(&pars.question));

        let system = self.system_prompt.as_deref().map(system_message);
        let messages: Vec<_> = system.into_iter().chain(history.iter().cloned()).collect();
        let request = CreateChatCompletionRequest::new(messages, self.model.as_str());

        match stream_answer(client, &request, &mut on_delta).await {
            Ok(answer) => {
                history.push_back(assistant_message(&answer));
                trim(history, self.max_messages);
                Ok(answer)
            }
            Err(error) => {
                history.pop_back();
                Err(error)
            }
        }
    }
}

/// Streams one completion, returning the concatenated text of the first choice.
async fn stream_answer(
    client: &Client,
    request: &CreateChatCompletionRequest,
    on_delta: &mut impl FnMut(&str),
) -> Result<String, Error> {
    let mut chunks = client
        .create_chat_completion_stream(request)
        .await?
        .events();
    let mut answer = String::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        let text = chunk
            .choices
            .iter()
            .filter(|choice| choice.index == 0)
            .filter_map(|choice| choice.delta.content.as_deref());
        for piece in text {
            on_delta(piece);
            answer.push_str(piece);
        }
    }
    Ok(answer)
}

/// Drops the oldest messages beyond `max`, and then any answer left without
/// its question, so a history always starts with a question.
fn trim(history: &mut VecDeque<ChatCompletionRequestMessage>, max: usize) {
    while history.len() > max {
        history.pop_front();
    }
    while matches!(
        history.front(),
        Some(ChatCompletionRequestMessage::Assistant(_))
    ) {
        history.pop_front();
    }
}

fn system_message(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestSystemMessage::new(text.to_owned()).into()
}

fn user_message(text: &str) -> ChatCompletionRequestMessage {
    let content = ChatCompletionRequestUserMessageContent::TextContent(text.to_owned());
    ChatCompletionRequestUserMessage::new(content).into()
}

fn assistant_message(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestAssistantMessage::new(text.to_owned()).into()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // OPENAI_API_KEY, and OPENAI_BASE_URL if set.
    let client = Client::new()?;
    let model = std::env::var("CHAT_MODEL").unwrap_or_else(|_| DEFAULT_MODEL.to_owned());
    let mut conversations = Conversations::new(model, MAX_HISTORY_MESSAGES)
        .with_system_prompt("You are a helpful assistant. Answer concisely.");

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        let request: UpperRequest = match serde_json::from_str(&line) {
            Ok(request) => request,
            Err(error) => {
                eprintln!("skipping a malformed request: {error}");
                continue;
            }
        };
        if request.version != SUPPORTED_VERSION {
            eprintln!(
                "skipping a request of version {:?}; this service speaks {SUPPORTED_VERSION}",
                request.version
            );
            continue;
        }
        let print_delta = |piece: &str| {
            print!("{piece}");
            // A failed flush only delays output; the answer is still complete.
            let _ = std::io::stdout().flush();
        };
        match conversations.ask(&client, &request.pars, print_delta).await {
            Ok(_) => println!(),
            Err(error) => eprintln!(
                "\nquestion {:?} of user {} in group {} failed: {error}",
                request.pars.question_id, request.pars.user_id, request.pars.group_id
            ),
        }
    }
    Ok(())
}
