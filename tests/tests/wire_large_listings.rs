//! Listings larger than a megabyte are decoded as their bodies arrive (the
//! runtime's `execute_listing`): over real HTTP, in the socket's own
//! chunks, plain and gzip, after a retry, the result must be the listing
//! decoded whole, with the same lenient fills; a broken item is an error
//! naming it, with the status, request id and the body from it on.

use std::io::Write;

use client_tests::{builder, read_request, reset, serve_raw, Sleeps, TestServer};
use flate2::write::GzEncoder;
use flate2::Compression;
use openai_client::params::ListFilesParams;
use openai_client::runtime::de;
use openai_client::types::ListFilesResponse;
use openai_client::Error;
use tokio::io::AsyncWriteExt;

/// A listing of `n` files, each with a field the spec does not declare and
/// characters of several bytes; one in 1,000 leaves out its required `bytes`.
fn listing(n: usize, broken_at: Option<usize>) -> Vec<u8> {
    let mut body = String::from(r#"{"object":"list","data":["#);
    for i in 0..n {
        if i > 0 {
            body.push(',');
        }
        let bytes = match i % 1000 {
            7 => String::new(),
            _ => format!(r#","bytes":{}"#, i * 7919),
        };
        let id = match Some(i) == broken_at {
            true => "5".to_owned(),
            false => format!(r#""file-{i}""#),
        };
        body.push_str(&format!(
            r#"{{"id":{id},"object":"file"{bytes},"created_at":1700000000,"filename":"ü-{i}.jsonl","purpose":"batch","status":"processed","note":"日本 {i}"}}"#
        ));
    }
    body.push_str(r#"],"first_id":"file-0","last_id":"file-last","has_more":true,"next":"x"}"#);
    body.into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Serves `body` to every request, in 4,096-byte writes; with `cut_first`
/// the first connection gets half of it and a reset.
async fn server(body: Vec<u8>, gzipped: bool, cut_first: bool) -> TestServer {
    let body = std::sync::Arc::new(body);
    serve_raw(move |mut stream, index| {
        let body = body.clone();
        async move {
            if read_request(&mut stream).await.is_err() {
                return;
            }
            let encoding = if gzipped { "Content-Encoding: gzip\r\n" } else { "" };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{encoding}x-request-id: req_large\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            let end = if cut_first && index == 0 { body.len() / 2 } else { body.len() };
            for chunk in body[..end].chunks(4096) {
                if stream.write_all(chunk).await.is_err() {
                    return;
                }
            }
            if end < body.len() {
                stream.flush().await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                reset(stream);
            }
        }
    })
    .await
}

/// `body` decoded whole, as any other response is: the listing and its
/// lenient fills.
fn decoded_whole(body: &[u8]) -> (String, Vec<String>) {
    let (page, fills) = de::collect_fills(|| de::from_slice::<ListFilesResponse>(body));
    (format!("{:?}", page.expect("decodes whole")), fills)
}

async fn list(server: &TestServer, retries: u32) -> Result<(String, Vec<String>), Error> {
    let sleeps = Sleeps::new();
    let client = builder(server, &sleeps)
        .max_retries(retries)
        .build()
        .unwrap();
    let page = client.list_files(&ListFilesParams::new()).await?;
    let fills = page.decode_warnings().to_vec();
    Ok((format!("{:?}", page.into_inner()), fills))
}

#[tokio::test]
async fn a_large_listing_decodes_as_it_does_whole() {
    let body = listing(20_000, None);
    assert!(
        body.len() > 3 << 20,
        "{} bytes: more than the runtime gathers",
        body.len()
    );
    let expected = decoded_whole(&body);
    assert_eq!(expected.1.len(), 20, "the files without `bytes` are filled");
    for gzipped in [false, true] {
        let served = if gzipped { gzip(&body) } else { body.clone() };
        let got = list(&server(served, gzipped, false).await, 0)
            .await
            .unwrap();
        assert!(
            got == expected,
            "gzip {gzipped}: the listing differs from the whole decode"
        );
    }
}

#[tokio::test]
async fn a_large_listing_cut_short_is_retried_from_its_start() {
    let body = listing(20_000, None);
    let expected = decoded_whole(&body);
    let got = list(&server(body, false, true).await, 2).await.unwrap();
    assert!(
        got == expected,
        "the retried listing differs from the whole decode"
    );
}

#[tokio::test]
async fn a_broken_item_of_a_large_listing_is_named_with_the_body_from_it_on() {
    let body = listing(20_000, Some(15_000));
    let error = list(&server(body.clone(), false, false).await, 0)
        .await
        .unwrap_err();
    let Error::Decode {
        message, status, ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(status.as_u16(), 200);
    assert_eq!(error.request_id(), Some("req_large"));
    assert!(message.contains("item 15000 of `data`"), "{message}");
    assert!(message.contains("`id`"), "{message}");
    let rest = error.body().unwrap();
    assert!(
        rest.starts_with(br#"{"id":5,"#),
        "{:?}",
        String::from_utf8_lossy(&rest[..40])
    );
    assert!(body.ends_with(rest));
}

#[tokio::test]
async fn a_large_listing_past_the_size_limit_fails_at_the_limit() {
    let body = gzip(&listing(20_000, None));
    let server = server(body, true, false).await;
    let sleeps = Sleeps::new();
    let client = builder(&server, &sleeps)
        .max_response_bytes(2 << 20)
        .build()
        .unwrap();
    let error = client
        .list_files(&ListFilesParams::new())
        .await
        .unwrap_err();
    let Error::Decode { message, .. } = &error else {
        panic!("{error:?}")
    };
    assert!(
        message.contains("larger than the 2097152-byte limit"),
        "{message}"
    );
}
