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

use openai_client::types::{CreateFileRequest, CreateFileRequestPurpose};
use openai_client::{Client, InputFile};

const USAGE: &str = "usage: upload_file <path> <fine-tune|assistants>";

/// The command line: the file and what it is for.
fn parse_args() -> Option<(PathBuf, CreateFileRequestPurpose)> {
    let mut args = std::env::args_os().skip(1);
    let (path, purpose) = (args.next()?, args.next()?);
    if args.next().is_some() {
        return None;
    }
    let purpose = match purpose.to_str()? {
        "fine-tune" => CreateFileRequestPurpose::FineTune,
        "assistants" => CreateFileRequestPurpose::Assistants,
        _ => return None,
    };
    Some((path.into(), purpose))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let Some((path, purpose)) = parse_args() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    // OPENAI_API_KEY, and OPENAI_BASE_URL if set.
    let client = Client::new()?;
    let request = CreateFileRequest::new(InputFile::from_path(&path), purpose);
    let file = client.create_file(&request).await?;
    println!("{}", serde_json::to_string_pretty(&*file)?);
    if let Some(request_id) = file.request_id() {
        eprintln!("request id: {request_id}");
    }
    Ok(ExitCode::SUCCESS)
}
