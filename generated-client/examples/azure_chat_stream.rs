//! Streams a chat completion from Azure OpenAI.
//!
//! The endpoint, API version and credential come from the environment
//! variables openai-python's `AzureOpenAI` reads; the deployment is this
//! example's own variable (without it, the model name is used as the
//! deployment name, as Azure routes `/deployments/{model}`):
//!
//! ```text
//! export AZURE_OPENAI_ENDPOINT=https://my-resource.openai.azure.com
//! export OPENAI_API_VERSION=2024-10-21
//! export AZURE_OPENAI_API_KEY=...        # or AZURE_OPENAI_AD_TOKEN=<Entra ID token>
//! export AZURE_OPENAI_DEPLOYMENT=gpt-4o  # optional
//! cargo run -p openai-client --example azure_chat_stream -- "What is Rust?"
//! ```
//!
//! To refresh Entra ID tokens per request, pass
//! [`AzureConfig::ad_token_provider`] instead of a fixed token.

use std::io::Write;
use std::process::ExitCode;

use futures_util::StreamExt;
use openai_client::types::{
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    CreateChatCompletionRequest,
};
use openai_client::{AzureConfig, Client, Error};

/// Model (and deployment) used when `AZURE_OPENAI_DEPLOYMENT` is not set.
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// The Azure settings of this example: a deployment if one is given; the
/// endpoint, API version and credential are read from the environment when
/// the client is built.
pub fn azure_config(deployment: Option<&str>) -> AzureConfig {
    match deployment {
        Some(deployment) => AzureConfig::new().deployment(deployment),
        None => AzureConfig::new(),
    }
}

/// Asks `question` of `model` (on Azure: the deployment, unless the client
/// names one), passing each piece of the answer to `on_delta` as it arrives;
/// returns the whole answer.
pub async fn ask(
    client: &Client,
    model: &str,
    question: &str,
    mut on_delta: impl FnMut(&str),
) -> Result<String, Error> {
    let messages = vec![
        ChatCompletionRequestSystemMessage::new("Answer in one short paragraph.").into(),
        ChatCompletionRequestUserMessage::new(question).into(),
    ];
    let request = CreateChatCompletionRequest::new(messages, model);
    let mut chunks = client
        .create_chat_completion_stream(&request)
        .await?
        .events();
    let mut answer = String::new();
    while let Some(chunk) = chunks.next().await {
        // Azure sends a first chunk without choices (its prompt filter results).
        for choice in chunk?.choices.iter().filter(|choice| choice.index == 0) {
            if let Some(piece) = choice.delta.content.as_deref() {
                on_delta(piece);
                answer.push_str(piece);
            }
        }
    }
    Ok(answer)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let question = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "What is Rust?".to_owned());
    let deployment = std::env::var("AZURE_OPENAI_DEPLOYMENT").ok();
    let client = match Client::builder()
        .azure(azure_config(deployment.as_deref()))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let model = deployment.as_deref().unwrap_or(DEFAULT_MODEL);
    let print = |piece: &str| {
        print!("{piece}");
        // A failed flush only delays output; the answer is still complete.
        let _ = std::io::stdout().flush();
    };
    match ask(&client, model, &question, print).await {
        Ok(_) => {
            println!();
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("\n{error}");
            ExitCode::FAILURE
        }
    }
}
