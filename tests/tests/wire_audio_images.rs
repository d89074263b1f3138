//! Multipart operations of the newest spec on the wire: audio transcription
//! (JSON and streamed) and image edits with one or several images.

mod common;

use common::{
    client, cut, data_event, json_reply, named_event, only, recording_server, sse_reply, Part,
};
use futures_util::StreamExt;
use openai_client::types::{
    AudioResponseFormat, CreateImageEditRequest, CreateTranscriptionRequest,
    CreateTranscriptionResponse, CreateTranscriptionResponseJsonUsage,
    CreateTranscriptionResponseStreamEvent, ImagesResponseOutputFormat, ImagesResponseQuality,
    ImagesResponseSize, TranscriptionInclude,
};
use openai_client::InputFile;
use serde_json::json;

/// A few bytes that look like the start of an MP3 (an ID3 header) plus binary noise.
const MP3: &[u8] = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00\x00\x01\x02\xfe\r\n--";

/// A PNG signature and distinct payloads, to tell images apart.
fn png(tag: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0, 0, 0, 13, tag, 0xff, b'\r', b'\n', tag]);
    bytes
}

#[tokio::test]
async fn transcription_json_multipart_and_decoded_text() {
    let (server, log) = recording_server(|_, _| {
        json_reply(
            "req_tr_1",
            json!({
                "text": "Hello there, general wire test.",
                "usage": {
                    "type": "tokens",
                    "input_tokens": 16,
                    "input_token_details": {"text_tokens": 0, "audio_tokens": 16},
                    "output_tokens": 9,
                    "total_tokens": 25
                }
            }),
        )
    })
    .await;

    // `stream` set by mistake: the JSON call must not send it.
    let request = CreateTranscriptionRequest::new(
        InputFile::from_bytes("speech.mp3", MP3),
        "gpt-4o-transcribe",
    )
    .language("en")
    .response_format(AudioResponseFormat::Json)
    .temperature(0.0)
    .stream(true);
    let response = client(&server)
        .create_transcription(&request)
        .await
        .expect("transcription");

    let seen = only(&log);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/v1/audio/transcriptions");
    assert_eq!(seen.query, None);
    seen.assert_auth();
    assert_eq!(seen.media_type(), Some("multipart/form-data"));
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(
        seen.multipart(),
        vec![
            Part::file("file", "speech.mp3", "audio/mpeg", MP3),
            Part::text("model", "gpt-4o-transcribe"),
            Part::text("language", "en"),
            Part::text("response_format", "json"),
            Part::text("temperature", "0.0"),
        ]
    );

    assert_eq!(response.request_id(), Some("req_tr_1"));
    let CreateTranscriptionResponse::Json(transcript) = &*response else {
        panic!("expected the json variant, got {:?}", *response);
    };
    assert_eq!(transcript.text, "Hello there, general wire test.");
    match transcript.usage.as_ref().expect("usage") {
        CreateTranscriptionResponseJsonUsage::Tokens(tokens) => {
            assert_eq!(
                (
                    tokens.input_tokens,
                    tokens.output_tokens,
                    tokens.total_tokens
                ),
                (16, 9, 25)
            );
        }
        other => panic!("expected token usage, got {other:?}"),
    }
}

/// The transcription request both stream tests send.
fn stream_request() -> CreateTranscriptionRequest {
    CreateTranscriptionRequest::new(
        InputFile::from_bytes("speech.mp3", MP3),
        "gpt-4o-mini-transcribe",
    )
    .include(vec![TranscriptionInclude::Logprobs])
}

fn expected_stream_parts() -> Vec<Part> {
    vec![
        Part::file("file", "speech.mp3", "audio/mpeg", MP3),
        Part::text("model", "gpt-4o-mini-transcribe"),
        Part::text("include[]", "logprobs"),
        Part::text("stream", "true"),
    ]
}

/// Payloads of a transcription stream: three deltas, then the final text.
fn transcript_payloads() -> Vec<serde_json::Value> {
    let mut payloads: Vec<_> = ["The quick", " brown", " fox."]
        .into_iter()
        .map(|delta| {
            json!({"type": "transcript.text.delta", "delta": delta,
                   "logprobs": [{"token": delta, "logprob": -0.25, "bytes": delta.as_bytes()}]})
        })
        .collect();
    payloads.push(json!({
        "type": "transcript.text.done",
        "text": "The quick brown fox.",
        "logprobs": [],
        "usage": {"type": "tokens", "input_tokens": 12, "output_tokens": 5, "total_tokens": 17}
    }));
    payloads
}

async fn check_transcription_stream(body: String) {
    let (server, log) = recording_server(move |_, _| sse_reply("req_tr_2", cut(&body, 64))).await;
    let stream = client(&server)
        .create_transcription_stream(&stream_request())
        .await
        .expect("stream opens");
    let events: Vec<CreateTranscriptionResponseStreamEvent> = stream
        .events()
        .map(|event| event.expect("no stream error"))
        .collect()
        .await;

    let seen = only(&log);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/v1/audio/transcriptions");
    seen.assert_auth();
    assert_eq!(seen.media_type(), Some("multipart/form-data"));
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert_eq!(seen.multipart(), expected_stream_parts());

    assert_eq!(events.len(), 4, "{events:#?}");
    let mut text = String::new();
    for event in &events[..3] {
        match event {
            CreateTranscriptionResponseStreamEvent::TranscriptTextDelta(delta) => {
                text.push_str(&delta.delta)
            }
            other => panic!("expected a delta, got {other:?}"),
        }
    }
    assert_eq!(text, "The quick brown fox.");
    match &events[3] {
        CreateTranscriptionResponseStreamEvent::TranscriptTextDone(done) => {
            assert_eq!(done.text, text);
            assert_eq!(
                done.usage.as_ref().map(|usage| usage.total_tokens),
                Some(17)
            );
        }
        other => panic!("expected transcript.text.done, got {other:?}"),
    }
}

#[tokio::test]
async fn transcription_stream_with_named_events() {
    let body: String = transcript_payloads()
        .iter()
        .map(|payload| named_event(payload["type"].as_str().unwrap(), payload))
        .collect();
    check_transcription_stream(body).await;
}

/// What the API sends (the spec's own streaming example): `data:` lines only,
/// the event type inside the JSON.
#[tokio::test]
async fn transcription_stream_with_data_only_events() {
    let body: String = transcript_payloads().iter().map(data_event).collect();
    check_transcription_stream(body).await;
}

#[tokio::test]
async fn transcription_verbose_json_decodes_as_verbose() {
    let (server, _log) = recording_server(|_, _| {
        json_reply(
            "req_tr_3",
            json!({
                "task": "transcribe",
                "language": "english",
                "duration": 1.5,
                "text": "Hi.",
                "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": "Hi.",
                              "tokens": [50364, 2421, 13], "temperature": 0.0, "avg_logprob": -0.3,
                              "compression_ratio": 0.6, "no_speech_prob": 0.01}],
                "usage": {"type": "duration", "seconds": 2}
            }),
        )
    })
    .await;
    let request =
        CreateTranscriptionRequest::new(InputFile::from_bytes("speech.mp3", MP3), "whisper-1")
            .response_format(AudioResponseFormat::VerboseJson);
    let response = client(&server)
        .create_transcription(&request)
        .await
        .unwrap();
    match &*response {
        CreateTranscriptionResponse::VerboseJson(verbose) => {
            assert_eq!(verbose.language, "english");
            assert_eq!(verbose.segments.as_ref().map(Vec::len), Some(1));
        }
        other => panic!("expected the verbose_json variant, got {other:?}"),
    }
}

fn images_response() -> serde_json::Value {
    json!({
        "created": 1713833628,
        "data": [{"b64_json": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="}],
        "background": "opaque",
        "output_format": "png",
        "size": "1024x1024",
        "quality": "high",
        "usage": {
            "total_tokens": 100,
            "input_tokens": 50,
            "output_tokens": 50,
            "input_tokens_details": {"text_tokens": 10, "image_tokens": 40}
        }
    })
}

#[tokio::test]
async fn image_edit_with_two_images_sends_image_array_parts() {
    let (server, log) = recording_server(|_, _| json_reply("req_img_1", images_response())).await;
    let request = CreateImageEditRequest::new(
        vec![
            InputFile::from_bytes("cat.png", png(1)),
            InputFile::from_bytes("hat.webp", png(2)),
        ],
        "Put the hat on the cat",
    )
    .model("gpt-image-1")
    .n(1);
    let response = client(&server)
        .create_image_edit(&request)
        .await
        .expect("image edit");

    let seen = only(&log);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/v1/images/edits");
    seen.assert_auth();
    assert_eq!(seen.media_type(), Some("multipart/form-data"));
    assert_eq!(
        seen.multipart(),
        vec![
            Part::file("image[]", "cat.png", "image/png", &png(1)),
            Part::file("image[]", "hat.webp", "image/webp", &png(2)),
            Part::text("prompt", "Put the hat on the cat"),
            Part::text("model", "gpt-image-1"),
            Part::text("n", "1"),
        ]
    );

    assert_eq!(response.request_id(), Some("req_img_1"));
    assert_eq!(response.created, 1713833628);
    let data = response.data.as_ref().expect("data");
    assert_eq!(data.len(), 1);
    assert!(data[0]
        .b64_json
        .as_deref()
        .unwrap()
        .starts_with("iVBORw0KGgo"));
    assert_eq!(data[0].url, None);
    assert_eq!(
        response.output_format,
        Some(ImagesResponseOutputFormat::Png)
    );
    assert_eq!(response.size, Some(ImagesResponseSize::V1024x1024));
    assert_eq!(response.quality, Some(ImagesResponseQuality::High));
    let usage = response.usage.as_ref().expect("usage");
    assert_eq!(usage.total_tokens, 100);
    assert_eq!(usage.input_tokens_details.image_tokens, 40);
}

#[tokio::test]
async fn image_edit_with_one_image_sends_a_plain_image_part() {
    let (server, log) = recording_server(|_, _| json_reply("req_img_2", images_response())).await;
    let request =
        CreateImageEditRequest::new(InputFile::from_bytes("cat.png", png(3)), "Make it blue")
            .mask(InputFile::from_bytes("mask.png", png(4)));
    let response = client(&server)
        .create_image_edit(&request)
        .await
        .expect("image edit");

    let seen = only(&log);
    assert_eq!(seen.path, "/v1/images/edits");
    assert_eq!(
        seen.multipart(),
        vec![
            Part::file("image", "cat.png", "image/png", &png(3)),
            Part::text("prompt", "Make it blue"),
            Part::file("mask", "mask.png", "image/png", &png(4)),
        ]
    );
    assert_eq!(response.data.as_ref().map(Vec::len), Some(1));
}
