//! The runtime bench's server and our bench client, on tiny scenarios: the
//! client decodes what the server sends into the summary the payloads
//! predict. `cargo xtask bench-runtime` runs the same code at full size,
//! against async-openai too (not built here: it would cost minutes).

use std::sync::Arc;

// The bench client includes the payloads too (its encode scenario reads the
// request from them): two copies of one module, harmless in a test.
#[allow(clippy::duplicate_mod)]
#[path = "../../xtask/bench-runtime/payloads.rs"]
mod payloads;

#[path = "../../xtask/bench-runtime/server_app.rs"]
mod app;

// Its `main` is the bench binary's entry point, unused here.
#[allow(dead_code)]
#[path = "../../xtask/bench-runtime/ours.rs"]
mod ours;

const EVENTS: usize = 57;
const FILES: usize = 40;

/// Serves the bench router on an ephemeral port; returns the base address.
async fn bench_server() -> String {
    let payloads = Arc::new(app::Payloads::new(EVENTS, FILES));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app::router(payloads)).await });
    format!("http://{addr}")
}

async fn every_scenario(server: &str) {
    // The chat stream, and the Responses API stream (named events without
    // an end marker), in every framing.
    let streams = [
        ("sse", payloads::sse_summary(EVENTS)),
        ("responses-sse", payloads::responses_sse_summary(EVENTS)),
    ];
    for (scenario, expected) in streams {
        for framing in ["event", "7", "1", "body"] {
            let url = format!("{server}/sse/{framing}");
            let summary = ours::run(scenario, &url, "").await;
            assert_eq!(summary, Ok(expected.clone()), "{scenario}, framing {framing}");
        }
    }
    // The paced stream: its own 2,000 events, one a millisecond (2 s).
    let paced = ours::run("sse", &format!("{server}/sse/paced"), "").await;
    assert_eq!(paced, Ok(payloads::sse_summary(payloads::PACED_EVENTS)));
    let v1 = format!("{server}/v1");
    // The list compact, and indented as the API lays it out.
    for base in [v1.clone(), format!("{server}/indented/v1")] {
        assert_eq!(
            ours::run("list", &base, "").await,
            Ok(payloads::files_summary(FILES)),
            "{base}"
        );
    }
    assert_eq!(
        ours::run("small", &v1, "3").await,
        Ok(payloads::small_summary(3))
    );
    // More requests than are let in flight at once.
    let requests = payloads::IN_FLIGHT * 2 + 1;
    assert_eq!(
        ours::run("concurrent", &v1, &requests.to_string()).await,
        Ok(payloads::small_summary(requests))
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    let size = 300_001;
    file.as_file().set_len(size).unwrap();
    let path = file.path().display().to_string();
    assert_eq!(
        ours::run("upload", &v1, &path).await,
        Ok(payloads::upload_summary(size))
    );
    // The server answers only the exact chat request.
    assert_eq!(
        ours::run("chat", &v1, "2").await,
        Ok(payloads::chat_summary(2))
    );
    // The chat request encodes to exactly what it was decoded from.
    assert_eq!(
        ours::run("encode", &v1, "3").await,
        Ok(payloads::encode_summary(3))
    );
    // Stream events decode to their content, past one round of them.
    let decodes = payloads::DECODE_EVENTS + 3;
    assert_eq!(
        ours::run("decode", &v1, &decodes.to_string()).await,
        Ok(payloads::decode_summary(decodes))
    );
    // A Responses API response decodes to its items and text.
    for scenario in ["decode-response", "decode-response-indented"] {
        assert_eq!(
            ours::run(scenario, &v1, "3").await,
            Ok(payloads::response_decode_summary(3)),
            "{scenario}"
        );
    }
    // Embeddings: base64 (asked for by default) and JSON numbers give the
    // same vectors; the server answers only the payloads' request, in the
    // form it asks for.
    for scenario in ["embed", "embed-float"] {
        assert_eq!(
            ours::run(scenario, &v1, "2").await,
            Ok(payloads::embed_summary(2)),
            "{scenario}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_client_decodes_what_the_bench_server_sends_multi_thread() {
    every_scenario(&bench_server().await).await;
}

#[tokio::test]
async fn bench_client_decodes_what_the_bench_server_sends_current_thread() {
    every_scenario(&bench_server().await).await;
}
