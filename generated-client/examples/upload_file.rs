//! Uploads a file for fine-tuning or for assistants and prints the file
//! object the API returns (its `id` is what later requests refer to).
//!
//! ```text
//! export OPENAI_API_KEY=sk-...
//! cargo run -p openai-client --example upload_file -- train.jsonl fine-tune
//! cargo run -p openai-client --example upload_file -- handbook.pdf assistants
//! ```
//!
//! The file is streamed from disk, not read into memory first.

use std::path::PathBuf;
use std::process::ExitCode;

use openai_client::types::{CreateFileRequest, CreateFileRequestPurpose, OpenAiFile};
use openai_client::{Client, Error, InputFile, Response};

const USAGE: &str =
    "usage: upload_file <path> <purpose: assistants|batch|fine-tune|vision|user_data|evals>";

/// The command line: the file and what it is for.
fn parse_args() -> Option<(PathBuf, CreateFileRequestPurpose)> {
    let mut args = std::env::args_os().skip(1);
    let (path, purpose) = (args.next()?, args.next()?);
    if args.next().is_some() {
        return None;
    }
    // Any purpose the API knows: a value the spec does not list yet is sent as given.
    let purpose = CreateFileRequestPurpose::from(purpose.to_str()?);
    Some((path.into(), purpose))
}

/// Uploads the file at `path`, streamed from disk, for `purpose`.
pub async fn upload(
    client: &Client,
    path: &std::path::Path,
    purpose: CreateFileRequestPurpose,
) -> Result<Response<OpenAiFile>, Error> {
    let request = CreateFileRequest::new(InputFile::from_path(path), purpose);
    client.create_file(&request).await
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let Some((path, purpose)) = parse_args() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    // OPENAI_API_KEY, and OPENAI_BASE_URL if set.
    let client = Client::new()?;
    let file = upload(&client, &path, purpose).await?;
    println!("{}", serde_json::to_string_pretty(&*file)?);
    if let Some(request_id) = file.request_id() {
        eprintln!("request id: {request_id}");
    }
    Ok(ExitCode::SUCCESS)
}
