//! Turns text into speech and saves the audio to a file.
//!
//! ```text
//! export OPENAI_API_KEY=sk-...
//! cargo run -p openai-client --example speech_to_file -- "Hello from Rust!" hello.mp3
//! cargo run -p openai-client --example speech_to_file -- "Bonjour" bonjour.flac nova
//! ```
//!
//! The audio format follows the output file's extension (mp3, opus, aac or
//! flac; mp3 otherwise) and the optional third argument picks the voice
//! (alloy, echo, fable, onyx, nova or shimmer; alloy by default). The audio
//! is streamed to disk as it arrives.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use openai_client::types::{
    CreateSpeechRequest, CreateSpeechRequestModel, CreateSpeechRequestResponseFormat,
    CreateSpeechRequestVoice,
};
use openai_client::Client;

const USAGE: &str = "usage: speech_to_file <text> <output file> [voice]";

/// The audio encoding matching the output file's extension.
fn format_for(path: &Path) -> CreateSpeechRequestResponseFormat {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension.to_ascii_lowercase().as_str() {
        "opus" => CreateSpeechRequestResponseFormat::Opus,
        "aac" => CreateSpeechRequestResponseFormat::Aac,
        "flac" => CreateSpeechRequestResponseFormat::Flac,
        _ => CreateSpeechRequestResponseFormat::Mp3,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (text, output, voice) = match args.as_slice() {
        [text, output] => (text, PathBuf::from(output), "alloy"),
        [text, output, voice] => (text, PathBuf::from(output), voice.as_str()),
        _ => {
            eprintln!("{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };

    // OPENAI_API_KEY, and OPENAI_BASE_URL if set.
    let client = Client::new()?;
    let request = CreateSpeechRequest::new(
        CreateSpeechRequestModel::TTS_1,
        text.as_str(),
        CreateSpeechRequestVoice::from(voice),
    )
    .response_format(format_for(&output));
    let audio = client.create_speech(&request).await?;
    let written = audio.save_to(&output).await?;
    println!("wrote {written} bytes of audio to {}", output.display());
    Ok(ExitCode::SUCCESS)
}
