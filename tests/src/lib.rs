//! Shared helpers for the wire tests: local HTTP servers on 127.0.0.1 (axum
//! routers, and raw TCP servers that misbehave on purpose), a client builder
//! pointed at them, and a retry sleeper that records waits instead of sleeping.
//!
//! Every server listens on an ephemeral port and stops when its
//! [`TestServer`] is dropped, so tests can run in parallel.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use openai_client::{Client, ClientBuilder};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub mod record;
pub mod wire;

/// API key the test clients send; tests assert it never leaks into output.
pub const TEST_API_KEY: &str = "sk-test-wire-SECRET-4242";

/// Base path every server is mounted under, so tests also check that the
/// client keeps the base URL's path when joining request paths.
pub const BASE_PATH: &str = "/v1";

/// A server running in the background of the current test.
pub struct TestServer {
    /// `http://127.0.0.1:<port>/v1`: what a client's `base_url` should be.
    pub base_url: String,
    /// The listening address.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn listen() -> (TcpListener, SocketAddr, String) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    (listener, addr, format!("http://{addr}{BASE_PATH}"))
}

/// Serves `router` under [`BASE_PATH`]: a route `/files` answers `/v1/files`.
pub async fn serve(router: Router) -> TestServer {
    let (listener, addr, base_url) = listen().await;
    let app = Router::new().nest(BASE_PATH, router);
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("axum server");
    });
    TestServer {
        base_url,
        addr,
        task,
    }
}

/// Serves raw TCP: `handler` gets each accepted connection and its 0-based
/// index, and may answer, stall, reset or close as the test needs.
pub async fn serve_raw<F, Fut>(handler: F) -> TestServer
where
    F: Fn(TcpStream, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (listener, addr, base_url) = listen().await;
    let handler = Arc::new(handler);
    let task = tokio::spawn(async move {
        let mut index = 0;
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(handler(stream, index));
            index += 1;
        }
    });
    TestServer {
        base_url,
        addr,
        task,
    }
}

/// An HTTP/1.1 request as read by [`read_request`].
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// e.g. `POST`.
    pub method: String,
    /// Path and query, e.g. `/v1/files?limit=2`.
    pub target: String,
    /// Header names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The first header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Reads one HTTP/1.1 request (Content-Length or chunked body) from a raw connection.
pub async fn read_request(stream: &mut TcpStream) -> std::io::Result<RawRequest> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let mut request = RawRequest {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    if let Some(length) = request
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        request.body.resize(length, 0);
        reader.read_exact(&mut request.body).await?;
    } else if request
        .header("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        loop {
            line.clear();
            reader.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; size + 2]; // data + CRLF
            reader.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
            request.body.extend_from_slice(&chunk[..size]);
        }
    }
    Ok(request)
}

/// Writes a complete response with `Content-Length` and `Connection: close`.
pub async fn write_response(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.flush().await
}

/// Closes the connection with a TCP reset instead of a clean shutdown.
pub fn reset(stream: TcpStream) {
    stream.set_zero_linger().expect("SO_LINGER");
    drop(stream);
}

/// A retry sleeper that records each requested wait and returns at once.
#[derive(Clone, Default)]
pub struct Sleeps(Arc<Mutex<Vec<Duration>>>);

impl Sleeps {
    /// No waits recorded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The waits requested so far, in order.
    pub fn recorded(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }

    /// Installs this recorder as the builder's sleeper.
    pub fn install(&self, builder: ClientBuilder) -> ClientBuilder {
        let waits = Arc::clone(&self.0);
        builder.sleeper(move |delay| {
            waits.lock().unwrap().push(delay);
            std::future::ready(())
        })
    }
}

/// A client builder for `server` with [`TEST_API_KEY`] and `sleeps` as its
/// sleeper; adjust it further, then `build()`.
pub fn builder(server: &TestServer, sleeps: &Sleeps) -> ClientBuilder {
    sleeps.install(
        Client::builder()
            .api_key(TEST_API_KEY)
            .base_url(&server.base_url),
    )
}

/// A built client for `server` (see [`builder`]).
pub fn client(server: &TestServer, sleeps: &Sleeps) -> Client {
    builder(server, sleeps).build().expect("test client")
}

/// A shared counter, e.g. of requests a handler has seen.
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicUsize>);

impl Counter {
    /// Starts at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Increments and returns the value before, i.e. the 0-based index of this hit.
    pub fn hit(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst)
    }

    /// The current value.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A shared log of values recorded by handlers (requests, headers, parts).
#[derive(Clone)]
pub struct Log<T>(Arc<Mutex<Vec<T>>>);

impl<T> Default for Log<T> {
    fn default() -> Self {
        Log(Arc::new(Mutex::new(Vec::new())))
    }
}

impl<T: Clone> Log<T> {
    /// Empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a value.
    pub fn push(&self, value: T) {
        self.0.lock().unwrap().push(value);
    }

    /// Appends a value and returns its 0-based index (how many came before it).
    pub fn append(&self, value: T) -> usize {
        let mut values = self.0.lock().unwrap();
        values.push(value);
        values.len() - 1
    }

    /// Everything recorded so far.
    pub fn entries(&self) -> Vec<T> {
        self.0.lock().unwrap().clone()
    }
}
