//! Wire tests of the images and audio operations: JSON image generation,
//! multipart image edits and variations, binary speech, and multipart
//! transcriptions and translations (files from bytes, an async reader and a
//! path).

mod common;
use client_tests::wire::{Part, Reply, Wire};
use common::SeedWire;
use seed_client::types::{
    CreateImageEditRequest, CreateImageEditRequestModel, CreateImageEditRequestResponseFormat,
    CreateImageEditRequestSize, CreateImageRequest, CreateImageRequestModel,
    CreateImageRequestQuality, CreateImageRequestResponseFormat, CreateImageRequestSize,
    CreateImageRequestStyle, CreateImageVariationRequest,
    CreateImageVariationRequestResponseFormat, CreateImageVariationRequestSize,
    CreateSpeechRequest, CreateSpeechRequestModel, CreateSpeechRequestResponseFormat,
    CreateSpeechRequestVoice, CreateTranscriptionRequest, CreateTranscriptionRequestModel,
    CreateTranscriptionRequestResponseFormat, CreateTranslationRequest,
    CreateTranslationRequestModel,
};
use seed_client::InputFile;
use serde_json::json;

/// The 8-byte PNG signature and a little more: enough to look like a PNG.
fn png(seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend((0..4096u32).map(|i| (i as u8).wrapping_mul(seed)));
    bytes
}

/// Bytes that look like an MP3 frame header followed by noise.
fn mp3(len: usize) -> Vec<u8> {
    let mut bytes = b"ID3\x04\0\0\0\0\0\0\xff\xfb\x90\x64".to_vec();
    bytes.extend((0..len).map(|i| (i * 7 % 256) as u8));
    bytes
}

#[tokio::test]
async fn create_image() {
    let wire = Wire::serve(
        "POST",
        "/images/generations",
        Reply::json(json!({
            "created": 1700000000,
            "data": [{
                "url": "https://oaidalleapiprodscus.blob.core.windows.net/private/img-1.png",
                "revised_prompt": "A photograph of a white Siamese cat sitting on a windowsill"
            }]
        }))
        .request_id("req_image"),
    )
    .await;
    let body = CreateImageRequest::new("A white siamese cat")
        .model(CreateImageRequestModel::DALL_E_3)
        .n(1)
        .quality(CreateImageRequestQuality::Hd)
        .response_format(CreateImageRequestResponseFormat::Url)
        .size(CreateImageRequestSize::V1024x1792)
        .style(CreateImageRequestStyle::Natural)
        .user("user-1234");

    let resp = wire.seed().create_image(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/images/generations");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "prompt": "A white siamese cat",
        "model": "dall-e-3",
        "n": 1,
        "quality": "hd",
        "response_format": "url",
        "size": "1024x1792",
        "style": "natural",
        "user": "user-1234"
    }));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_image"));
    assert_eq!(resp.created, 1700000000);
    assert_eq!(
        resp.data[0].url.as_deref(),
        Some("https://oaidalleapiprodscus.blob.core.windows.net/private/img-1.png")
    );
    assert_eq!(
        resp.data[0].revised_prompt.as_deref(),
        Some("A photograph of a white Siamese cat sitting on a windowsill")
    );
    assert_eq!(resp.data[0].b64_json, None);
}

#[tokio::test]
async fn create_image_with_only_the_prompt() {
    let wire = Wire::serve(
        "POST",
        "/images/generations",
        Reply::json(json!({"created": 1, "data": [{"url": "https://example.com/a.png"}]})),
    )
    .await;
    wire.seed()
        .create_image(&CreateImageRequest::new("a red fox"))
        .await
        .unwrap();
    wire.request().assert_json(&json!({"prompt": "a red fox"}));
}

#[tokio::test]
async fn create_image_edit_with_image_and_mask_from_bytes() {
    let (image, mask) = (png(3), png(5));
    let wire = Wire::serve(
        "POST",
        "/images/edits",
        Reply::json(json!({
            "created": 1700000001,
            "data": [
                {"url": "https://example.com/edit-1.png"},
                {"url": "https://example.com/edit-2.png"}
            ]
        }))
        .request_id("req_edit"),
    )
    .await;
    let body = CreateImageEditRequest::new(
        InputFile::from_bytes("otter.png", image.clone()),
        "A cute baby sea otter wearing a beret",
    )
    .mask(InputFile::from_bytes("mask.png", mask.clone()))
    .model(CreateImageEditRequestModel::DALL_E_2)
    .n(2)
    .size(CreateImageEditRequestSize::V512x512)
    .response_format(CreateImageEditRequestResponseFormat::Url)
    .user("user-1234");

    let resp = wire.seed().create_image_edit(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/images/edits");
    seen.assert_no_query();
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(
        seen.multipart(),
        [
            Part::file("image", "otter.png", "image/png", &image),
            Part::text("prompt", "A cute baby sea otter wearing a beret"),
            Part::file("mask", "mask.png", "image/png", &mask),
            Part::text("model", "dall-e-2"),
            Part::text("n", "2"),
            Part::text("size", "512x512"),
            Part::text("response_format", "url"),
            Part::text("user", "user-1234"),
        ]
    );
    assert_eq!(resp.request_id(), Some("req_edit"));
    assert_eq!(resp.data.len(), 2);
    assert_eq!(
        resp.data[1].url.as_deref(),
        Some("https://example.com/edit-2.png")
    );
}

#[tokio::test]
async fn create_image_variation() {
    let image = png(7);
    let wire = Wire::serve(
        "POST",
        "/images/variations",
        Reply::json(json!({
            "created": 1700000002,
            "data": [{"b64_json": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="}]
        }))
        .request_id("req_variation"),
    )
    .await;
    let body = CreateImageVariationRequest::new(InputFile::from_bytes("corgi.png", image.clone()))
        .n(1)
        .response_format(CreateImageVariationRequestResponseFormat::B64Json)
        .size(CreateImageVariationRequestSize::V256x256);

    let resp = wire.seed().create_image_variation(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/images/variations");
    seen.assert_no_query();
    assert_eq!(
        seen.multipart(),
        [
            Part::file("image", "corgi.png", "image/png", &image),
            Part::text("n", "1"),
            Part::text("response_format", "b64_json"),
            Part::text("size", "256x256"),
        ]
    );
    assert_eq!(resp.request_id(), Some("req_variation"));
    assert!(resp.data[0]
        .b64_json
        .as_deref()
        .unwrap()
        .starts_with("iVBORw0KGgo"));
    assert_eq!(resp.data[0].url, None);
}

#[tokio::test]
async fn create_speech_as_bytes_and_to_disk() {
    let audio = mp3(50_000);
    let wire = Wire::serve(
        "POST",
        "/audio/speech",
        Reply::bytes("audio/mpeg", audio.clone()).request_id("req_speech"),
    )
    .await;
    let client = wire.seed();
    let body = CreateSpeechRequest::new(
        CreateSpeechRequestModel::TTS_1,
        "The quick brown fox jumped over the lazy dog.",
        CreateSpeechRequestVoice::Alloy,
    )
    .response_format(CreateSpeechRequestResponseFormat::Mp3)
    .speed(1.25);

    let speech = client.create_speech(&body).await.unwrap();
    assert_eq!(speech.status(), 200);
    assert_eq!(speech.request_id(), Some("req_speech"));
    assert_eq!(speech.content_type(), Some("audio/mpeg"));
    assert_eq!(speech.bytes().await.unwrap(), audio);

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("speech.mp3");
    let written = client
        .create_speech(&body)
        .await
        .unwrap()
        .save_to(&target)
        .await
        .unwrap();
    assert_eq!(written, audio.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), audio);

    let requests = wire.requests();
    assert_eq!(requests.len(), 2);
    for seen in requests {
        seen.assert_call("POST", "/audio/speech");
        seen.assert_no_query();
        assert_eq!(seen.header("content-type"), Some("application/json"));
        assert_eq!(
            seen.header("accept"),
            Some("*/*"),
            "binary responses accept anything"
        );
        assert_eq!(
            seen.json(),
            json!({
                "model": "tts-1",
                "input": "The quick brown fox jumped over the lazy dog.",
                "voice": "alloy",
                "response_format": "mp3",
                "speed": 1.25
            })
        );
    }
}

#[tokio::test]
async fn create_speech_octet_stream_with_required_fields_only() {
    let audio = b"fLaC\0\0\0\x22\x10\x00\xff\xfe".to_vec();
    let wire = Wire::serve(
        "POST",
        "/audio/speech",
        Reply::bytes("application/octet-stream", audio.clone()),
    )
    .await;
    let body = CreateSpeechRequest::new("tts-1-hd", "Hallo", CreateSpeechRequestVoice::Shimmer);
    let speech = wire.seed().create_speech(&body).await.unwrap();
    assert_eq!(speech.content_type(), Some("application/octet-stream"));
    assert_eq!(speech.bytes().await.unwrap(), audio);
    let seen = wire.request();
    assert_eq!(
        seen.json(),
        json!({"model": "tts-1-hd", "input": "Hallo", "voice": "shimmer"})
    );
}

#[tokio::test]
async fn create_transcription_from_an_async_reader() {
    let audio = mp3(20_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recording.bin");
    std::fs::write(&path, &audio).unwrap();
    let wire = Wire::serve(
        "POST",
        "/audio/transcriptions",
        Reply::json(json!({
            "text": "Imagine the wildest idea that you've ever had, and you're curious about how it might scale."
        }))
        .request_id("req_transcribe"),
    )
    .await;
    let reader = tokio::io::BufReader::new(tokio::fs::File::open(&path).await.unwrap());
    let body = CreateTranscriptionRequest::new(
        InputFile::from_reader("speech.mp3", reader),
        CreateTranscriptionRequestModel::WHISPER_1,
    )
    .language("en")
    .prompt("ZyntriQix, Digique Plus")
    .response_format(CreateTranscriptionRequestResponseFormat::Json)
    .temperature(0.2);

    let resp = wire.seed().create_transcription(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/audio/transcriptions");
    seen.assert_no_query();
    assert_eq!(
        seen.multipart(),
        [
            Part::file("file", "speech.mp3", "audio/mpeg", &audio),
            Part::text("model", "whisper-1"),
            Part::text("language", "en"),
            Part::text("prompt", "ZyntriQix, Digique Plus"),
            Part::text("response_format", "json"),
            Part::text("temperature", "0.2"),
        ]
    );
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_transcribe"));
    assert_eq!(
        resp.text,
        "Imagine the wildest idea that you've ever had, and you're curious about how it might scale."
    );
}

#[tokio::test]
async fn create_transcription_from_an_in_memory_reader_with_required_fields_only() {
    static AUDIO: &[u8] = b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0";
    let wire = Wire::serve(
        "POST",
        "/audio/transcriptions",
        Reply::json(json!({"text": "Hello."})),
    )
    .await;
    let body = CreateTranscriptionRequest::new(
        InputFile::from_reader("hello.wav", tokio::io::BufReader::new(AUDIO)),
        "whisper-1",
    );
    let resp = wire.seed().create_transcription(&body).await.unwrap();
    let parts = wire.request().multipart();
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert_eq!(parts[0].name, "file");
    assert_eq!(parts[0].filename.as_deref(), Some("hello.wav"));
    assert_eq!(parts[0].bytes, AUDIO);
    assert_eq!(parts[1], Part::text("model", "whisper-1"));
    assert_eq!(resp.text, "Hello.");
}

#[tokio::test]
async fn create_translation() {
    let audio = b"\0\0\0\x20ftypM4A \0\0\0\0M4A mp42isom".repeat(100);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("german.m4a");
    std::fs::write(&path, &audio).unwrap();
    let wire = Wire::serve(
        "POST",
        "/audio/translations",
        Reply::json(json!({
            "text": "Hello, my name is Wolfgang and I come from Germany. Where are you heading today?"
        }))
        .request_id("req_translate"),
    )
    .await;
    let body = CreateTranslationRequest::new(
        InputFile::from_path(&path).with_content_type("audio/mp4"),
        CreateTranslationRequestModel::WHISPER_1,
    )
    .prompt("Wolfgang")
    .response_format("json")
    .temperature(0.5);

    let resp = wire.seed().create_translation(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/audio/translations");
    seen.assert_no_query();
    assert_eq!(
        seen.multipart(),
        [
            Part::file("file", "german.m4a", "audio/mp4", &audio),
            Part::text("model", "whisper-1"),
            Part::text("prompt", "Wolfgang"),
            Part::text("response_format", "json"),
            Part::text("temperature", "0.5"),
        ]
    );
    assert_eq!(resp.request_id(), Some("req_translate"));
    assert_eq!(
        resp.text,
        "Hello, my name is Wolfgang and I come from Germany. Where are you heading today?"
    );
}
