//! Runtime hardening on the wire: credentials stay with their origin across
//! redirects (two local servers on different ports, 301/302/303/307/308),
//! credentials never appear in `Debug` or errors (redaction by header-name
//! pattern, URL userinfo refused, sensitive query values), and control
//! characters in server text are escaped in `Error`'s `Display`.

use axum::http::StatusCode;
use client_tests::record::{json_reply, only, recording_server, Reply, Seen};
use client_tests::{Log, TestServer, TEST_API_KEY};
use futures_util::StreamExt;
use openai_client::runtime::{Method, RequestSpec, StreamConfig};
use openai_client::{
    Client, ClientBuilder, Error, InputFile, RedirectPolicy, RequestOptions, StreamItem,
};
use serde_json::{json, Value};

const CODES: [u16; 5] = [301, 302, 303, 307, 308];

/// Every kind of sensitive header the client may carry, with a value that
/// must never reach another origin.
const SECRET_HEADERS: [(&str, &str); 6] = [
    ("openai-organization", "org-SECRET"),
    ("openai-project", "proj-SECRET"),
    ("x-gateway-token", "gw-SECRET"),
    ("x-api-key", "xk-SECRET"),
    ("cookie", "session=SECRET"),
    ("x-tenant", "tenant-SECRET"),
];

/// A client with the test key, organization, project, credential-like
/// default headers, one header marked sensitive, and one ordinary header.
fn loaded_builder(server: &TestServer) -> ClientBuilder {
    Client::builder()
        .api_key(TEST_API_KEY)
        .base_url(&server.base_url)
        .organization("org-SECRET")
        .project("proj-SECRET")
        .default_header("X-Gateway-Token", "gw-SECRET")
        .default_header("X-Api-Key", "xk-SECRET")
        .default_header("Cookie", "session=SECRET")
        .default_header("X-Tenant", "tenant-SECRET")
        .sensitive_header("X-Tenant")
        .default_header("X-Trace", "trace-1")
        .max_retries(0)
}

/// The other origin: the same host on another port, recording what arrives.
async fn elsewhere() -> (TestServer, Log<Seen>) {
    recording_server(|_, _| json_reply("req_elsewhere", json!({"landed": true}))).await
}

/// The origin: `/v1/to/{code}` answers `code` with `Location: target`,
/// `/v1/same/{code}` redirects to `/v1/landing` on itself, `/v1/loop`
/// redirects to itself, anything else is a JSON echo of the method.
async fn origin(target: String) -> (TestServer, Log<Seen>) {
    recording_server(move |seen, _| {
        let redirect = |code: &str, location: &str| {
            let status = StatusCode::from_u16(code.parse().unwrap()).unwrap();
            Reply::json(json!({}))
                .status(status)
                .header("location", location)
        };
        if let Some(code) = seen.path.strip_prefix("/v1/to/") {
            redirect(code, &target)
        } else if let Some(code) = seen.path.strip_prefix("/v1/same/") {
            redirect(code, "/v1/landing")
        } else if seen.path == "/v1/loop" {
            redirect("302", "/v1/loop")
        } else {
            json_reply("req_origin", json!({"method": seen.method}))
        }
    })
    .await
}

fn assert_no_credentials(seen: &Seen) {
    assert_eq!(seen.header("authorization"), None, "{seen:?}");
    for (name, _) in SECRET_HEADERS {
        assert_eq!(seen.header(name), None, "{name} crossed the origin");
    }
    let all = format!("{:?}", seen.headers);
    assert!(
        !all.contains("SECRET") && !all.contains(TEST_API_KEY),
        "{all}"
    );
    // Ordinary headers go on.
    assert_eq!(seen.header("x-trace"), Some("trace-1"));
    assert!(seen
        .header("user-agent")
        .is_some_and(|agent| agent.starts_with("openai-client/")));
}

#[tokio::test]
async fn redirects_to_another_port_drop_every_sensitive_header() {
    let (other, other_log) = elsewhere().await;
    let (server, origin_log) = origin(format!("{}/landing", other.base_url)).await;
    let client = loaded_builder(&server).build().unwrap();
    for code in CODES {
        let spec = RequestSpec::new(Method::GET, format!("/to/{code}"));
        let landed = client.execute_json::<Value>(spec).await.expect("followed");
        assert_eq!(landed["landed"], json!(true), "{code}");
        let seen = other_log.entries().pop().unwrap();
        assert_eq!(seen.method, "GET", "{code}");
        assert_eq!(seen.path, "/v1/landing");
        assert_no_credentials(&seen);
    }
    assert_eq!(other_log.entries().len(), CODES.len());
    // The origin itself got everything.
    for seen in origin_log.entries() {
        seen.assert_auth();
        for (name, value) in SECRET_HEADERS {
            assert_eq!(seen.header(name), Some(value), "{name}");
        }
    }
}

#[tokio::test]
async fn a_post_body_never_goes_to_another_origin() {
    let (other, other_log) = elsewhere().await;
    let (server, _) = origin(format!("{}/landing", other.base_url)).await;
    let client = loaded_builder(&server).build().unwrap();
    let body = json!({"model": "m", "input": "private prompt"});
    for code in [301, 302, 303] {
        let spec = RequestSpec::new(Method::POST, format!("/to/{code}")).json(&body);
        client.execute_json::<Value>(spec).await.expect("followed");
        let seen = other_log.entries().pop().unwrap();
        assert_eq!(seen.method, "GET", "{code} continues as a GET");
        assert!(seen.body.is_empty(), "{code}");
        assert_eq!(seen.header("content-type"), None);
        assert_no_credentials(&seen);
    }
    let followed = other_log.entries().len();
    for code in [307, 308] {
        let spec = RequestSpec::new(Method::POST, format!("/to/{code}")).json(&body);
        let err = client.execute_json::<Value>(spec).await.unwrap_err();
        let Error::Redirect {
            status, message, ..
        } = &err
        else {
            panic!("expected a Redirect error, got {err:?}");
        };
        assert_eq!(status.as_u16(), code);
        assert!(
            message.contains(&format!("http://{}", other.addr)),
            "{message}"
        );
        assert!(message.contains("request body"), "{message}");
        assert!(!err.is_retryable());
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("SECRET") && !text.contains(TEST_API_KEY),
            "{text}"
        );
    }
    assert_eq!(
        other_log.entries().len(),
        followed,
        "307/308 sent nothing there"
    );
}

#[tokio::test]
async fn same_origin_redirects_keep_credentials_and_307_308_keep_the_body() {
    let (server, log) = origin(String::new()).await;
    let client = loaded_builder(&server).build().unwrap();
    for code in CODES {
        let spec =
            RequestSpec::new(Method::POST, format!("/same/{code}")).json(&json!({"n": code}));
        let echo = client.execute_json::<Value>(spec).await.expect("followed");
        let seen = log.entries().pop().unwrap();
        assert_eq!(seen.path, "/v1/landing");
        seen.assert_auth();
        assert_eq!(seen.header("x-tenant"), Some("tenant-SECRET"));
        if code >= 307 {
            assert_eq!(echo["method"], json!("POST"), "{code}");
            assert_eq!(seen.json(), json!({"n": code}));
        } else {
            assert_eq!(echo["method"], json!("GET"), "{code}");
            assert!(seen.body.is_empty());
        }
    }

    // A multipart body is built again for the new location.
    let mut form = openai_client::runtime::MultipartForm::new();
    form.file("file", &InputFile::from_bytes("a.txt", &b"abc"[..]));
    form.text("purpose", "assistants");
    let spec = RequestSpec::new(Method::POST, "/same/307").multipart(form);
    client.execute_json::<Value>(spec).await.expect("followed");
    let seen = log.entries().pop().unwrap();
    assert_eq!(seen.path, "/v1/landing");
    let parts = seen.multipart();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].bytes, b"abc");
}

#[tokio::test]
async fn another_host_name_is_another_origin_too() {
    let (other, other_log) = elsewhere().await;
    // Same port, host spelled differently: `localhost` is not `127.0.0.1`.
    let (server, _) = origin(format!("http://localhost:{}/v1/landing", other.addr.port())).await;
    let client = loaded_builder(&server).build().unwrap();
    client
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/to/302"))
        .await
        .expect("followed");
    assert_no_credentials(&only(&other_log));
}

#[tokio::test]
async fn redirect_policies_and_limits() {
    let (other, other_log) = elsewhere().await;
    let (server, origin_log) = origin(format!("{}/landing", other.base_url)).await;

    let same_only = loaded_builder(&server)
        .redirect_policy(RedirectPolicy::SameOriginOnly)
        .build()
        .unwrap();
    let err = same_only
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/to/302"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    assert!(other_log.entries().is_empty());
    same_only
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/same/302"))
        .await
        .expect("same-origin redirects are followed");

    let never = loaded_builder(&server)
        .redirect_policy(RedirectPolicy::Never)
        .build()
        .unwrap();
    let err = never
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/to/302"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
    assert_eq!(err.status(), Some(StatusCode::FOUND));
    assert!(other_log.entries().is_empty());

    let before = origin_log.entries().len();
    let client = loaded_builder(&server).build().unwrap();
    let err = client
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/loop"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    assert!(err.to_string().contains("more than 10 redirects"), "{err}");
    let sent = origin_log.entries().len() - before;
    assert_eq!(sent as u32, 1 + openai_client::runtime::MAX_REDIRECTS);
}

#[test]
fn debug_redacts_credential_like_names_everywhere() {
    let builder = Client::builder()
        .api_key(TEST_API_KEY)
        .base_url("http://127.0.0.1:9/v1")
        .default_header("X-Goog-Api-Key", "a-SECRET")
        .default_header("X-Auth-Token", "b-SECRET")
        .default_header("X-Client-Secret", "c-SECRET")
        .default_header("Cookie", "d-SECRET")
        .default_header("X-Db-Password", "e-SECRET")
        .default_header("X-Tenant", "f-SECRET")
        .sensitive_header("x-tenant")
        .default_header("X-Visible", "shown")
        .default_query("subscription-key", "g-SECRET");
    let client = builder.clone().build().unwrap();
    let options = RequestOptions::new()
        .header("Proxy-Authorization", "h-SECRET")
        .query("api_key", "i-SECRET");
    let view = client.with_options(options.clone());
    for debug in [
        format!("{builder:?}"),
        format!("{client:#?}"),
        format!("{options:?}"),
        format!("{view:?}"),
    ] {
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(!debug.contains(TEST_API_KEY), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
    }
    assert!(format!("{client:?}").contains("shown"));
}

#[test]
fn base_url_userinfo_is_refused_and_redacted() {
    let builder = Client::builder()
        .api_key(TEST_API_KEY)
        .base_url("https://admin:hunter2-SECRET@gateway.example/v1");
    assert!(!format!("{builder:?}").contains("SECRET"));
    let err = builder.build().unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains("SECRET"), "{text}");
    assert!(
        text.contains("https://[redacted]@gateway.example/v1"),
        "{text}"
    );
    assert!(text.contains("must not contain credentials"), "{text}");
}

#[tokio::test]
async fn sensitive_response_headers_and_query_values_stay_out_of_errors() {
    let (server, _) = recording_server(|_, _| {
        Reply::json(json!({"error": {"message": "no"}}))
            .status(StatusCode::UNAUTHORIZED)
            .header("set-cookie", "session=SECRET-cookie")
            .header("x-request-id", "req_401")
    })
    .await;
    let client = Client::builder()
        .api_key(TEST_API_KEY)
        .base_url(&server.base_url)
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/models"))
        .await
        .unwrap_err();
    let text = format!("{err} {err:?} {err:#?}");
    assert!(!text.contains("SECRET"), "{text}");
    assert!(text.contains("req_401"), "{text}");

    // A connection error names the URL, with sensitive query values redacted.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let client = Client::builder()
        .api_key(TEST_API_KEY)
        .base_url(format!("http://{closed}/v1"))
        .default_query("subscription-key", "q-SECRET")
        .default_query("deployment", "visible")
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/models"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains("q-SECRET"), "{text}");
    assert!(!text.contains(TEST_API_KEY), "{text}");
    assert!(text.contains("deployment=visible"), "{text}");
}

#[tokio::test]
async fn control_characters_in_server_text_are_escaped_in_display() {
    let (server, _) = recording_server(|seen, _| {
        if seen.path == "/v1/html" {
            Reply::bytes(
                "text/html",
                "<b>\x1b[2J\x1b]0;owned\x07</b>\r\nX-Injected: yes",
            )
            .status(StatusCode::BAD_GATEWAY)
        } else {
            Reply::json(json!({"error": {
                "message": "Bad key\x1b[31m\r\nINFO all good\x07",
                "type": "invalid\x1b[0m", "code": "c\u{202e}", "param": null
            }}))
            .status(StatusCode::BAD_REQUEST)
            .header("x-request-id", "req_esc")
        }
    })
    .await;
    let client = Client::builder()
        .api_key(TEST_API_KEY)
        .base_url(&server.base_url)
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/json"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "API error 400 Bad Request: Bad key\\u{1b}[31m\\r\\nINFO all good\\u{7} \
         [type invalid\\u{1b}[0m] [code c\\u{202e}] (request id req_esc)"
    );
    // The parsed object keeps the text as sent.
    assert_eq!(
        err.api_error().unwrap().message,
        "Bad key\x1b[31m\r\nINFO all good\x07"
    );

    let err = client
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/html"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(text.contains("\\u{1b}[2J\\u{1b}]0;owned\\u{7}"), "{text}");
}

#[tokio::test]
async fn control_characters_in_stream_errors_are_escaped() {
    let event = "event: error\ndata: {\"error\": {\"message\": \"boom\\u001b[5m\\n\", \"type\": \"server_error\"}}\n\n";
    let (server, _) = recording_server(move |_, _| Reply::sse([event])).await;
    let client = Client::builder()
        .api_key(TEST_API_KEY)
        .base_url(&server.base_url)
        .max_retries(0)
        .build()
        .unwrap();
    let spec = RequestSpec::new(Method::POST, "/chat/completions")
        .json(&json!({"model": "m", "stream": true}))
        .accept("text/event-stream");
    let items: Vec<_> = client
        .execute_sse::<Value>(spec, StreamConfig::data_only().done_marker("[DONE]"))
        .await
        .unwrap()
        .collect()
        .await;
    let err = match items.last() {
        Some(Err(err)) => err,
        other => panic!("expected an error item, got {other:?}"),
    };
    let text = err.to_string();
    assert!(text.contains("boom\\u{1b}[5m\\n"), "{text}");
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(!items
        .iter()
        .any(|item| matches!(item, Ok(StreamItem::Event(_)))));
}
