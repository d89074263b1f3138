//! The runtime bench's server binary: `server EVENTS FILES` listens on an
//! ephemeral port of 127.0.0.1, prints the port, and serves until its
//! standard input closes (so it never outlives the xtask that started it).

use std::io::Write as _;
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("EVENTS and FILES are numbers"))
        .collect();
    let [events, files] = args[..] else {
        panic!("usage: server EVENTS FILES")
    };
    let payloads = Arc::new(app::Payloads::new(events, files));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    println!("{port}");
    std::io::stdout().flush().expect("stdout");
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    axum::serve(listener, app::router(payloads))
        .await
        .expect("serve");
}

#[path = "server_app.rs"]
mod app;
#[path = "payloads.rs"]
mod payloads;
