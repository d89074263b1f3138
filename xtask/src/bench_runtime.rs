//! `cargo xtask bench-runtime`: the runtime's speed against async-openai's,
//! measured in one run on one machine.
//!
//! Three release binaries are built in a scratch workspace under
//! `target/bench-runtime/` (sources in `xtask/bench-runtime/`, one lock file
//! copied from ours so reqwest, hyper and tokio resolve to the same versions):
//! a local axum server, our client (the checked-in generated client, default
//! features but TLS, and the chat, embeddings, files, models and responses
//! groups) and async-openai 0.43.0's (chat-completion, embedding, file, model
//! and responses, no TLS either: the server is
//! plain HTTP). Each client runs one scenario per process; its CPU time
//! (user + system), wall time and peak RSS come from `wait4`. Ours and theirs
//! run interleaved (ours, theirs, ours, theirs...), and both must print the
//! summary the payloads predict, so a faster client cannot be a wrong one.
//!
//! For the SSE and list cases a third binary, the transport floor, runs in
//! the same rounds: plain reqwest reading the same body without decoding it
//! (and, for a stream read from `block_on`, handing the bytes of each event
//! to that caller as they end, which any client must). A target ratio whose
//! figure lies below the floor cannot be met by any client on reqwest, and
//! the report says so.

use crate::conformance::cargo_in;
use crate::workspace_root;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

#[path = "../bench-runtime/payloads.rs"]
mod payloads;

/// The async-openai release compared against (as in `compile-bench`).
const ASYNC_OPENAI: &str = "0.43.0";

pub const USAGE: &str = "usage: cargo xtask bench-runtime [--quick] [--rounds N] [--only LIST]
       [--events N] [--files N] [--upload-mib N] [--requests N] [--chats N] [--encodes N]
       [--decodes N] [--embeds N]

Builds (release, in target/bench-runtime/) a local HTTP server and two small client
binaries, ours and async-openai 0.43.0's, then runs each scenario with both
clients interleaved and prints medians of CPU time (user + system), wall time and
peak RSS of the client process, with ratios ours / async-openai (below 1: ours is
cheaper). Both clients must print the same summary of what they decoded. For SSE
and the list, a third binary (plain reqwest reading the body without decoding it,
and handing each event's bytes to a block_on caller as the event ends) gives the
transport floor no client on reqwest can go below, as a share of async-openai's
CPU.

Scenarios (--only takes a comma-separated list of these names):
  sse      chat completion stream of N chunk events, framed as one HTTP chunk per
           event, 7-byte HTTP chunks and one body; on a multi-thread runtime (what
           #[tokio::main] builds) and on a current-thread runtime, each in block_on
           and in a task (as a server's request handler reads it); a paced stream
           of 2,000 events, one every millisecond (each one waited for, as a
           model's tokens are), the same four ways; and 64 streams at once, each
           in its own task (a server relaying as many answers), of N / 64 events
           one chunk per event or of 2,000 paced, on both runtimes
  responses
           Responses API stream of N events (`event:` lines; created, in progress,
           the message and its part added, N - 8 text deltas with the API's
           `obfuscation` padding, the text, part and message done, then a
           completed response holding the whole text), one HTTP chunk per event
           and one body, on both runtimes
  list     GET /files answering a list of N file objects, compact and indented
           as the API lays out the bodies it does not stream
  upload   POST /files of an N MiB file (sparse, made once under target/)
  small    N sequential model lookups, and the same N with 64 in flight at once
  chat     N sequential chat completions sending the 21 KB request below (without
           its streaming options; async-openai's `create` takes it by value, so
           its side clones it per call): encoding, sending and a short answer
  encode   a 21 KB chat completion request (151 messages) encoded N times the way
           the client encodes a request body (ours: its own JSON writer;
           async-openai: serde_json), in the client process; no request is sent
  decode   N chat stream chunk events (1,000 distinct ones in turn) decoded the way
           the client decodes a stream's event (ours: the runtime's reader and the
           generated impls; async-openai: serde_json and derived impls), in the
           client process: the decoding alone, which the SSE and list cases
           include; the same events decoded into async-openai's types by
           sonic-rs (a SIMD JSON library with serde support), as the yardstick
           of a faster JSON library on this workload; and a tenth as many
           decodes of a completed Responses API
           response (reasoning, a web search call, a message citing two pages,
           a function call, the tools and options echoed back), compact and
           indented as the API lays out the bodies it does not stream
  embed    N sequential embeddings requests of 64 texts, answered with 64 vectors of
           1,536 components: as base64 of float32s (ours asks for it by default, as
           openai-python does, and decodes it; async-openai's `create_base64`, then
           its own conversion to Vec<f32>) and as JSON numbers (ours asked for
           `float`; async-openai's `create`, its default)

  --rounds N      runs per client and case (default 3; --quick: 1)
  --events N      stream chunks (default 200001; --quick: 20001)
  --files N       files in the list (default 100000; --quick: 10000)
  --upload-mib N  upload size (default 1024; --quick: 64)
  --requests N    small requests (default 20000; --quick: 2000)
  --chats N       chat completion requests (default 5000; --quick: 500)
  --encodes N     request encodings (default 20000; --quick: 2000)
  --decodes N     event decodings (default 200000; --quick: 20000)
  --embeds N      embeddings requests (default 100; --quick: 10)

Slow (release builds, then minutes of runs); not part of `cargo xtask test`.";

struct Options {
    rounds: usize,
    events: usize,
    files: usize,
    upload_mib: u64,
    requests: usize,
    chats: usize,
    encodes: usize,
    decodes: usize,
    embeds: usize,
    only: Vec<String>,
}

const SCENARIOS: &[&str] = &["sse", "responses", "list", "upload", "small", "chat", "encode", "decode", "embed"];

fn options(args: &[String]) -> Result<Options, String> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut o = if quick {
        Options { rounds: 1, events: 20_001, files: 10_000, upload_mib: 64, requests: 2_000, chats: 500, encodes: 2_000, decodes: 20_000, embeds: 10, only: Vec::new() }
    } else {
        Options { rounds: 3, events: 200_001, files: 100_000, upload_mib: 1024, requests: 20_000, chats: 5_000, encodes: 20_000, decodes: 200_000, embeds: 100, only: Vec::new() }
    };
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        if a == "--quick" {
            continue;
        }
        let value = iter.next().ok_or(format!("{a} needs a value"))?;
        let number = || value.parse::<usize>().ok().filter(|n| *n > 0).ok_or(format!("{a} takes a positive number, not `{value}`"));
        match a.as_str() {
            "--rounds" => o.rounds = number()?,
            "--events" => o.events = number()?,
            "--files" => o.files = number()?,
            "--upload-mib" => o.upload_mib = number()? as u64,
            "--requests" => o.requests = number()?,
            "--chats" => o.chats = number()?,
            "--encodes" => o.encodes = number()?,
            "--decodes" => o.decodes = number()?,
            "--embeds" => o.embeds = number()?,
            "--only" => {
                for name in value.split(',') {
                    if !SCENARIOS.contains(&name) {
                        return Err(format!("--only: unknown scenario `{name}` (scenarios: {})", SCENARIOS.join(", ")));
                    }
                    o.only.push(name.to_owned());
                }
            }
            other => return Err(format!("unknown option `{other}`; see cargo xtask bench-runtime --help")),
        }
    }
    Ok(o)
}

/// One measured case: a label, the scenario, the path under the server's
/// address the client gets as its base URL, the runtime, the last argument
/// and the summary both clients must print.
struct Case {
    label: String,
    scenario: &'static str,
    base: String,
    runtime: &'static str,
    arg: String,
    expected: String,
}

impl Case {
    /// Whether the transport floor is measured too: for the cases whose
    /// targets are CPU ratios of reading a body (SSE and the list).
    fn has_floor(&self) -> bool {
        matches!(self.scenario, "sse" | "sse-many" | "responses-sse" | "list")
    }
}

fn cases(o: &Options, upload: &Path) -> Vec<Case> {
    let wanted = |s: &str| o.only.is_empty() || o.only.iter().any(|w| w == s);
    let mut out = Vec::new();
    let case = |label: String, scenario, base: String, runtime, arg: String, expected: String| Case { label, scenario, base, runtime, arg, expected };
    if wanted("sse") {
        // A request handler is a task: a stream read there is read
        // differently (see the runtime's `stream_task`).
        let runtimes = [("multi", "multi-thread"), ("task", "in a task, multi-thread"), ("current", "current-thread"), ("current-task", "in a task, current-thread")];
        for (framing, name) in [("event", "one chunk per event"), ("7", "7-byte chunks"), ("body", "one body")] {
            for (runtime, rt_name) in runtimes {
                out.push(case(format!("sse, {name}, {rt_name}"), "sse", format!("/sse/{framing}"), runtime, String::new(), payloads::sse_summary(o.events)));
            }
        }
        for (runtime, rt_name) in runtimes {
            let name = format!("sse, paced ({} events, 1/ms), {rt_name}", payloads::PACED_EVENTS);
            out.push(case(name, "sse", "/sse/paced".to_owned(), runtime, String::new(), payloads::sse_summary(payloads::PACED_EVENTS)));
        }
        // A server relaying many answers at once: each stream in a task of
        // its own (the scenario spawns them), the events shared out.
        let per_stream = payloads::events_per_stream(o.events);
        let many = [("event", per_stream, format!("{per_stream} events, one chunk per event")), ("paced", payloads::PACED_EVENTS, format!("{} events, 1/ms", payloads::PACED_EVENTS))];
        for (framing, events, name) in many {
            for (runtime, rt_name) in [("multi", "multi-thread"), ("current", "current-thread")] {
                let label = format!("sse, {} at once, {name}, {rt_name}", payloads::STREAMS);
                out.push(case(label, "sse-many", format!("/sse-many/{framing}"), runtime, String::new(), payloads::many_summary(events)));
            }
        }
    }
    if wanted("responses") {
        // Not in 7-byte chunks: what that framing costs is the transport's,
        // which the chat stream measures.
        for (framing, name) in [("event", "one chunk per event"), ("body", "one body")] {
            for (runtime, rt_name) in [("multi", "multi-thread"), ("current", "current-thread")] {
                out.push(case(format!("responses stream, {name}, {rt_name}"), "responses-sse", format!("/sse/{framing}"), runtime, String::new(), payloads::responses_sse_summary(o.events)));
            }
        }
    }
    if wanted("list") {
        out.push(case(format!("list of {} files", o.files), "list", "/v1".to_owned(), "multi", String::new(), payloads::files_summary(o.files)));
        // The same list as the API lays it out: what a caller's decoder reads.
        out.push(case(format!("list of {} files, indented as the API sends it", o.files), "list", "/indented/v1".to_owned(), "multi", String::new(), payloads::files_summary(o.files)));
    }
    if wanted("upload") {
        out.push(case(format!("upload {} MiB", o.upload_mib), "upload", "/v1".to_owned(), "multi", upload.display().to_string(), payloads::upload_summary(o.upload_mib << 20)));
    }
    if wanted("small") {
        out.push(case(format!("{} small requests", o.requests), "small", "/v1".to_owned(), "multi", o.requests.to_string(), payloads::small_summary(o.requests)));
        let label = format!("{} small requests, {} in flight", o.requests, payloads::IN_FLIGHT);
        out.push(case(label, "concurrent", "/v1".to_owned(), "multi", o.requests.to_string(), payloads::small_summary(o.requests)));
    }
    if wanted("chat") {
        out.push(case(format!("{} chat requests of 21 KB", o.chats), "chat", "/v1".to_owned(), "multi", o.chats.to_string(), payloads::chat_summary(o.chats)));
    }
    if wanted("encode") {
        out.push(case(format!("{} chat request encodes", o.encodes), "encode", "/v1".to_owned(), "multi", o.encodes.to_string(), payloads::encode_summary(o.encodes)));
    }
    if wanted("decode") {
        out.push(case(format!("{} chat stream event decodes", o.decodes), "decode", "/v1".to_owned(), "multi", o.decodes.to_string(), payloads::decode_summary(o.decodes)));
        // The same events, async-openai's types read by sonic-rs: what a
        // faster serde-compatible JSON library gives on this workload.
        out.push(case(format!("{} chat stream event decodes, theirs through sonic-rs", o.decodes), "decode-sonic", "/v1".to_owned(), "multi", o.decodes.to_string(), payloads::decode_summary(o.decodes)));
        let responses = (o.decodes / 10).max(1);
        out.push(case(format!("{responses} Responses API response decodes"), "decode-response", "/v1".to_owned(), "multi", responses.to_string(), payloads::response_decode_summary(responses)));
        // As the API sends it: indented.
        out.push(case(format!("{responses} Responses API response decodes, indented as the API sends it"), "decode-response-indented", "/v1".to_owned(), "multi", responses.to_string(), payloads::response_decode_summary(responses)));
    }
    if wanted("embed") {
        let size = format!("{} x {}", payloads::EMBED_INPUTS, payloads::EMBED_DIMS);
        for (scenario, wire) in [("embed", "base64"), ("embed-float", "JSON numbers")] {
            out.push(case(format!("{} embeddings requests of {size}, {wire}", o.embeds), scenario, "/v1".to_owned(), "multi", o.embeds.to_string(), payloads::embed_summary(o.embeds)));
        }
    }
    out
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let o = options(args)?;
    let root = workspace_root();
    let base = root.join("target/bench-runtime");
    let bins = build(&root, &base)?;
    let upload = upload_file(&base, o.upload_mib)?;
    let cases = cases(&o, &upload);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("{} rounds, ours and async-openai {ASYNC_OPENAI} interleaved, {cores} cores; medians of the client process", o.rounds);
    let server = Server::start(&bins.server, o.events, o.files)?;
    let mut rows = Vec::new();
    for case in &cases {
        let url = format!("http://127.0.0.1:{}{}", server.port, case.base);
        let mut samples: [Vec<Sample>; 2] = [Vec::new(), Vec::new()];
        let mut floor = Vec::new();
        for _ in 0..o.rounds {
            if case.has_floor() {
                floor.push(measure(&bins.floor, &[case.scenario, &url, case.runtime, &case.arg])?);
            }
            for (side, exe) in [&bins.ours, &bins.theirs].into_iter().enumerate() {
                let sample = measure(exe, &[case.scenario, &url, case.runtime, &case.arg])?;
                if sample.summary != case.expected {
                    let who = if side == 0 { "ours" } else { "async-openai" };
                    return Err(format!("{}: {who} printed `{}`, expected `{}`", case.label, sample.summary, case.expected));
                }
                samples[side].push(sample);
            }
        }
        let floor = (!floor.is_empty()).then(|| Median::of(&floor));
        let row = Row { label: case.label.clone(), ours: Median::of(&samples[0]), theirs: Median::of(&samples[1]), floor };
        println!("{}", row.line());
        rows.push(row);
    }
    drop(server);
    println!("\n{}", table(&rows));
    println!("{}", targets(&rows));
    Ok(ExitCode::SUCCESS)
}

struct Bins {
    server: PathBuf,
    ours: PathBuf,
    theirs: PathBuf,
    floor: PathBuf,
}

/// Writes the scratch workspace and builds its four binaries in release.
fn build(root: &Path, base: &Path) -> Result<Bins, String> {
    let sources = root.join("xtask/bench-runtime");
    let client = root.join("generated-client");
    let write = |rel: &str, text: String| -> Result<(), String> {
        let path = base.join(rel);
        std::fs::create_dir_all(path.parent().expect("a file in a folder")).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let package = |name: &str, bin: &str, deps: String| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[[bin]]\nname = \"{bin}\"\npath = {:?}\n\n[dependencies]\n{deps}", sources.join(format!("{bin}.rs")).display().to_string())
    };
    let common = "futures-util = \"0.3\"\nserde = \"1\"\nserde_json = \"1\"\ntokio = { version = \"1\", features = [\"rt-multi-thread\", \"sync\"] }\n";
    write("Cargo.toml", "[workspace]\nresolver = \"2\"\nmembers = [\"ours\", \"theirs\", \"server\", \"floor\"]\n\n[profile.release]\ndebug = false\n".to_owned())?;
    write("ours/Cargo.toml", package("bench-ours", "ours", format!("openai-client = {{ path = {:?}, default-features = false, features = [\"gzip\", \"chat\", \"embeddings\", \"files\", \"models\", \"responses\"] }}\n{common}", client.display().to_string())))?;
    write("theirs/Cargo.toml", package("bench-theirs", "theirs", format!("async-openai = {{ version = \"={ASYNC_OPENAI}\", default-features = false, features = [\"chat-completion\", \"embedding\", \"file\", \"model\", \"responses\"] }}\nsonic-rs = \"0.5\"\n{common}")))?;
    write("floor/Cargo.toml", package("bench-floor", "floor", format!("reqwest = {{ version = \"0.13\", default-features = false, features = [\"stream\"] }}\nmemchr = \"2\"\n{common}")))?;
    write("server/Cargo.toml", package("bench-server", "server", "axum = { version = \"0.8\", features = [\"multipart\"] }\nfutures-util = \"0.3\"\nserde_json = \"1\"\ntokio = { version = \"1\", features = [\"macros\", \"rt\", \"net\", \"time\"] }\n".to_owned()))?;
    // Our lock file pins reqwest, hyper and tokio; cargo adds what async-openai needs.
    std::fs::copy(root.join("Cargo.lock"), base.join("Cargo.lock")).map_err(|e| format!("cannot copy Cargo.lock: {e}"))?;
    let target = base.join("target");
    // One package per build: features are not unified across the clients.
    for package in ["bench-server", "bench-ours", "bench-theirs", "bench-floor"] {
        println!("building {package} (release)");
        let (time, warnings) = cargo_in(base, &target, &["build", "--release", "--quiet", "-p", package])?;
        println!("  {:.1} s{}", time.as_secs_f64(), if warnings > 0 { format!(", {warnings} warnings") } else { String::new() });
    }
    let bin = |name: &str| target.join("release").join(name);
    Ok(Bins { server: bin("server"), ours: bin("ours"), theirs: bin("theirs"), floor: bin("floor") })
}

/// A sparse file of `mib` MiB, made once (reads of its holes cost no disk).
fn upload_file(base: &Path, mib: u64) -> Result<PathBuf, String> {
    let path = base.join(format!("upload-{mib}-mib.bin"));
    let size = mib << 20;
    if std::fs::metadata(&path).map(|m| m.len()).ok() != Some(size) {
        let file = std::fs::File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        file.set_len(size).map_err(|e| format!("cannot size {}: {e}", path.display()))?;
    }
    Ok(path)
}

/// The bench server, stopped (stdin closed, then killed if need be) on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(exe: &Path, events: usize, files: usize) -> Result<Server, String> {
        let mut child = Command::new(exe).arg(events.to_string()).arg(files.to_string()).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot start the bench server: {e}"))?;
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped");
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        match line.trim().parse() {
            Ok(port) => Ok(Server { child, port }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("the bench server did not print its port (got `{}`)", line.trim()))
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One client run.
struct Sample {
    cpu: Duration,
    wall: Duration,
    rss: u64,
    summary: String,
}

/// Runs `exe args` and measures it; fails when it fails.
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which also reports its CPU time and peak memory
fn measure(exe: &Path, args: &[&str]) -> Result<Sample, String> {
    const TIMEOUT: Duration = Duration::from_secs(900);
    let start = Instant::now();
    let mut child = Command::new(exe).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let (status, usage) = loop {
        let mut status = 0;
        // SAFETY: plain FFI calls with valid out-pointers, on our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break (status, usage);
        }
        if r < 0 {
            return Err(format!("wait4: {}", std::io::Error::last_os_error()));
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            // SAFETY: as above.
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            return Err(format!("{} {} did not finish in {} s", exe.display(), args.join(" "), TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let wall = start.elapsed();
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!("{} {} failed: {}", exe.display(), args.join(" "), err.trim()));
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Ok(Sample { cpu: time(usage.ru_utime) + time(usage.ru_stime), wall, rss: usage.ru_maxrss as u64 * 1024, summary: out.trim().to_owned() })
}

/// Medians of one client's runs of one case.
struct Median {
    cpu: f64,
    wall: f64,
    rss: f64,
}

impl Median {
    fn of(samples: &[Sample]) -> Median {
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            let n = v.len();
            if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
        };
        Median {
            cpu: median(samples.iter().map(|s| s.cpu.as_secs_f64()).collect()),
            wall: median(samples.iter().map(|s| s.wall.as_secs_f64()).collect()),
            rss: median(samples.iter().map(|s| s.rss as f64 / (1 << 20) as f64).collect()),
        }
    }
}

struct Row {
    label: String,
    ours: Median,
    theirs: Median,
    /// The transport floor, where it was measured.
    floor: Option<Median>,
}

impl Row {
    fn line(&self) -> String {
        let (o, t) = (&self.ours, &self.theirs);
        format!(
            "{:<LABEL$} {:>8.3} {:>8.3} {:>6.2} {:>8.3} {:>8.3} {:>6.2} {:>7.1} {:>7.1} {:>6.2} {:>7}",
            self.label,
            o.cpu,
            t.cpu,
            o.cpu / t.cpu,
            o.wall,
            t.wall,
            o.wall / t.wall,
            o.rss,
            t.rss,
            o.rss / t.rss,
            self.floor_share().map_or("-".to_owned(), |f| format!("{f:.2}"))
        )
    }

    /// The transport floor's CPU as a share of async-openai's: no client on
    /// reqwest gets a CPU ratio below it.
    fn floor_share(&self) -> Option<f64> {
        self.floor.as_ref().map(|f| f.cpu / self.theirs.cpu)
    }
}

/// Width of a case's label in the table: the longest label at the default
/// sizes ("sse, 64 at once, 3125 events, one chunk per event, current-thread").
const LABEL: usize = 66;

fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "{:<LABEL$} {:>8} {:>8} {:>6} {:>8} {:>8} {:>6} {:>7} {:>7} {:>6} {:>7}\n",
        "case (ours vs async-openai)", "cpu s", "theirs", "ratio", "wall s", "theirs", "ratio", "rss MiB", "theirs", "ratio", "floor"
    );
    out.push_str("(floor: plain reqwest reading the same body without decoding it, and handing each event's bytes to a block_on caller; CPU / async-openai's CPU)\n");
    for row in rows {
        out.push_str(&row.line());
        out.push('\n');
    }
    out
}

/// The issue's targets, checked against this run's ratios.
fn targets(rows: &[Row]) -> String {
    let mut out = String::from("targets (ratios ours / async-openai):\n");
    let mut check = |what: &str, ok: bool, detail: String| out.push_str(&format!("  {} {what}: {detail}\n", if ok { "met    " } else { "NOT MET" }));
    let sse: Vec<&Row> = rows.iter().filter(|r| r.label.starts_with("sse")).collect();
    if !sse.is_empty() {
        let worst = sse.iter().map(|r| r.ours.cpu / r.theirs.cpu).fold(0.0, f64::max);
        check("SSE CPU <= 0.5 in every framing and runtime", worst <= 0.5, format!("worst {worst:.2}{}", below_floor(&sse, 0.5)));
    }
    if let Some(r) = rows.iter().find(|r| r.label.starts_with("list")) {
        let (cpu, rss) = (r.ours.cpu / r.theirs.cpu, r.ours.rss / r.theirs.rss);
        check("list decode CPU <= 0.7", cpu <= 0.7, format!("{cpu:.2}{}", below_floor(&[r], 0.7)));
        // Three places and the figures: the two peaks are often within a
        // few hundred KiB, where two places would print 1.00 either way.
        check("list decode peak memory <= 1.0", rss <= 1.0, format!("{rss:.3} ({:.1} against {:.1} MiB)", r.ours.rss, r.theirs.rss));
    }
    if let Some(r) = rows.iter().find(|r| r.label.starts_with("upload")) {
        let wall = r.ours.wall / r.theirs.wall;
        check("upload wall <= 0.5", wall <= 0.5, format!("{wall:.2}"));
        check("upload RSS < 64 MiB", r.ours.rss < 64.0, format!("{:.1} MiB", r.ours.rss));
    }
    if let Some(r) = rows.iter().find(|r| r.label.contains("small requests")) {
        let throughput = r.theirs.wall / r.ours.wall;
        check("small requests >= 1.0 x throughput", throughput >= 1.0, format!("{throughput:.2} x"));
    }
    out
}

/// Names the rows where `target` lies below the transport floor (no client on
/// reqwest can meet it there), as a note for the target's line.
fn below_floor(rows: &[&Row], target: f64) -> String {
    let below: Vec<String> = rows.iter().filter_map(|r| r.floor_share().filter(|f| *f > target).map(|f| format!("{} (floor {f:.2})", r.label))).collect();
    match below.is_empty() {
        true => String::new(),
        false => format!("; below the transport floor in: {}", below.join(", ")),
    }
}

#[cfg(test)]
mod floor_tests {
    use super::*;

    fn row(label: &str, theirs_cpu: f64, floor_cpu: Option<f64>) -> Row {
        let median = |cpu| Median { cpu, wall: cpu, rss: 10.0 };
        Row { label: label.to_owned(), ours: median(1.0), theirs: median(theirs_cpu), floor: floor_cpu.map(median) }
    }

    #[test]
    fn targets_below_the_transport_floor_are_named() {
        let rows = [row("sse a", 2.0, Some(1.2)), row("sse b", 2.0, Some(0.2)), row("sse c", 2.0, None)];
        let rows: Vec<&Row> = rows.iter().collect();
        // Floors at 0.6 and 0.1 of async-openai's CPU: only the first is above 0.5.
        assert_eq!(below_floor(&rows, 0.5), "; below the transport floor in: sse a (floor 0.60)");
        assert_eq!(below_floor(&rows, 0.7), "");
        assert!(rows[0].line().ends_with("0.60"), "{}", rows[0].line());
        assert!(rows[2].line().ends_with('-'), "{}", rows[2].line());
    }
}

#[cfg(test)]
mod tests {
    use super::payloads::*;
    use serde_json::Value;

    #[test]
    fn sse_body_is_the_chunks_then_done_and_matches_its_summary() {
        let events = 60;
        let body = sse_body(events);
        let text = std::str::from_utf8(&body).unwrap();
        let frames: Vec<&str> = text.split_terminator("\n\n").collect();
        assert_eq!(frames.len(), events + 1);
        assert_eq!(frames[events], "data: [DONE]");
        let (mut content, mut finish) = (0, 0);
        for (i, frame) in frames[..events].iter().enumerate() {
            let json: Value = serde_json::from_str(frame.strip_prefix("data: ").unwrap()).unwrap();
            assert_eq!(json["object"], "chat.completion.chunk");
            let choice = &json["choices"][0];
            content += choice["delta"]["content"].as_str().map_or(0, str::len);
            finish += usize::from(choice["finish_reason"] == "stop");
            assert_eq!(choice["delta"]["role"].is_string(), i == 0);
        }
        assert_eq!(finish, 1);
        assert_eq!(sse_summary(events), format!("events={events} content_bytes={content}"));
        // Realistic sizes: the issue's stream was 53.7 MB for 200,001 events
        // (268 bytes each), before the API added `service_tier` and the
        // `obfuscation` padding to every chunk (about 50 bytes more).
        let per_event = body.len() / events;
        assert!((290..350).contains(&per_event), "{per_event} bytes per event");
        for frame in &frames[..events] {
            let json: Value = serde_json::from_str(frame.strip_prefix("data: ").unwrap()).unwrap();
            assert_eq!(json["service_tier"], "default");
            assert!(json["obfuscation"].as_str().is_some_and(|pad| pad.len() >= 2), "{frame}");
        }
    }

    #[test]
    fn many_streams_share_out_the_events_and_sum_their_summaries() {
        assert_eq!(events_per_stream(200_001), 3_125);
        assert_eq!(events_per_stream(7), 2, "each stream has its role and finish chunks");
        // The sum of STREAMS single streams of that many events.
        let one = sse_summary(3_125);
        let content: usize = one.rsplit('=').next().unwrap().parse().unwrap();
        assert_eq!(many_summary(3_125), format!("streams={STREAMS} events={} content_bytes={}", 3_125 * STREAMS, content * STREAMS));
        // And what the server sends each stream holds that content: the
        // chunks of the body it serves, read as a client reads them.
        let events = events_per_stream(700);
        let body = sse_body(events);
        let text = std::str::from_utf8(&body).unwrap();
        let frames: Vec<&str> = text.split_terminator("\n\n").filter(|f| *f != "data: [DONE]").collect();
        let read: usize = frames
            .iter()
            .map(|f| serde_json::from_str::<Value>(f.strip_prefix("data: ").unwrap()).unwrap())
            .map(|chunk| chunk["choices"][0]["delta"]["content"].as_str().map_or(0, str::len))
            .sum();
        let summary = format!("streams={STREAMS} events={} content_bytes={}", frames.len() * STREAMS, read * STREAMS);
        assert_eq!(many_summary(events), summary);
    }

    #[test]
    fn event_ends_split_the_body_into_whole_events() {
        let body = sse_body(5);
        let ends = event_ends(&body);
        assert_eq!(ends.len(), 6);
        assert_eq!(*ends.last().unwrap(), body.len());
        let mut start = 0;
        for end in ends {
            let frame = &body[start..end];
            assert!(frame.starts_with(b"data: ") && frame.ends_with(b"\n\n"));
            assert_eq!(frame.windows(2).filter(|w| w == b"\n\n").count(), 1);
            start = end;
        }
    }

    #[test]
    fn base64_is_rfc_4648s() {
        let cases = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"), ("\u{ff}\u{fe}", "w7/Dvg==")];
        for (text, encoded) in cases {
            assert_eq!(base64_encode(text.as_bytes()), encoded, "{text:?}");
        }
    }

    #[test]
    fn both_embeddings_bodies_hold_the_same_numbers_and_match_the_summary() {
        let floats: Value = serde_json::from_str(&embeddings_json(false)).unwrap();
        let base64: Value = serde_json::from_str(&embeddings_json(true)).unwrap();
        let (floats, base64) = (floats["data"].as_array().unwrap(), base64["data"].as_array().unwrap());
        assert_eq!((floats.len(), base64.len()), (EMBED_INPUTS, EMBED_INPUTS));
        let mut sum = 0;
        for (i, (f, b)) in floats.iter().zip(base64).enumerate() {
            assert_eq!((f["index"].as_u64(), b["index"].as_u64()), (Some(i as u64), Some(i as u64)));
            let values: Vec<f64> = f["embedding"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            assert_eq!(values.len(), EMBED_DIMS);
            let bytes: Vec<u8> = values.iter().flat_map(|&v| (v as f32).to_le_bytes()).collect();
            assert_eq!(b["embedding"].as_str().unwrap(), base64_encode(&bytes));
            // The numbers are exact in float32, so both forms carry the same ones.
            assert!(values.iter().all(|&v| f64::from(v as f32) == v));
            sum += embedding_sum(values.into_iter());
        }
        assert_ne!(sum, 0);
        assert_eq!(embed_summary(3), format!("requests=3 vectors={} sum={}", 3 * EMBED_INPUTS, 3 * sum));
        let request: Value = serde_json::from_str(&embed_request_json()).unwrap();
        assert_eq!(request["input"].as_array().unwrap().len(), EMBED_INPUTS);
    }

    #[test]
    fn the_response_is_json_that_matches_its_summary() {
        let response: Value = serde_json::from_str(&response_json()).unwrap();
        let output = response["output"].as_array().unwrap();
        let message = output.iter().find(|item| item["type"] == "message").unwrap();
        let text = message["content"][0]["text"].as_str().unwrap();
        assert_eq!(response_facts(), (text.len(), output.len()));
        // The citations point at what they cite.
        let cites = message["content"][0]["annotations"].as_array().unwrap();
        for (n, cite) in cites.iter().enumerate() {
            let (start, end) = (cite["start_index"].as_u64().unwrap() as usize, cite["end_index"].as_u64().unwrap() as usize);
            assert!(text[start..end].ends_with(&format!("[{}]", n + 1)), "{}", &text[start..end]);
        }
        assert_eq!(cites.len(), 2);
        assert_eq!(response_decode_summary(2), format!("decodes=2 items={} text_bytes={}", 2 * output.len(), 2 * text.len()));
    }

    #[test]
    fn the_responses_stream_names_each_event_and_matches_its_summary() {
        let events = 40;
        let body = responses_sse_body(events);
        let text = std::str::from_utf8(&body).unwrap();
        let frames: Vec<&str> = text.split_terminator("\n\n").collect();
        assert_eq!((frames.len(), event_ends(&body).len()), (events, events));
        let (mut deltas, mut completed, mut obfuscated) = (String::new(), None, 0);
        for (i, frame) in frames.iter().enumerate() {
            let (name, data) = frame.strip_prefix("event: ").unwrap().split_once("\ndata: ").unwrap();
            let json: Value = serde_json::from_str(data).unwrap();
            // The event line names the data's type; sequence numbers count up from 0.
            assert_eq!((json["type"].as_str(), json["sequence_number"].as_u64()), (Some(name), Some(i as u64)));
            match name {
                "response.output_text.delta" => {
                    deltas.push_str(json["delta"].as_str().unwrap());
                    obfuscated += usize::from(json["obfuscation"].as_str().is_some_and(|p| p.len() >= 2));
                }
                "response.output_text.done" => assert_eq!(json["text"].as_str(), Some(deltas.as_str())),
                "response.completed" => completed = Some(json["response"].clone()),
                _ => {}
            }
        }
        assert_eq!(obfuscated, events - RESPONSES_FRAME_EVENTS);
        assert_eq!(frames[0].lines().next(), Some("event: response.created"));
        let completed = completed.expect("the last event is response.completed");
        assert_eq!((completed["status"].as_str(), frames[events - 1].starts_with("event: response.completed")), (Some("completed"), true));
        let message = &completed["output"][0];
        assert_eq!(message["content"][0]["text"].as_str(), Some(deltas.as_str()));
        assert_eq!(responses_sse_summary(events), format!("events={events} delta_bytes={0} completed_text_bytes={0}", deltas.len()));
    }

    #[test]
    fn files_list_is_a_list_that_matches_its_summary() {
        let files = 250;
        let list: Value = serde_json::from_slice(&files_list(files)).unwrap();
        let data = list["data"].as_array().unwrap();
        assert_eq!(data.len(), files);
        assert_eq!(list["has_more"], false);
        assert_eq!(list["last_id"], data[files - 1]["id"]);
        let bytes: u64 = data.iter().map(|f| f["bytes"].as_u64().unwrap()).sum();
        assert_eq!(files_summary(files), format!("files={files} bytes={bytes}"));
        // About 216 bytes per file, as the issue's 21.6 MB list of 100,000.
        let per_file = files_list(files).len() / files;
        assert!((200..235).contains(&per_file), "{per_file} bytes per file");
    }

    #[test]
    fn indented_lays_json_out_as_serde_json_pretty_prints_it() {
        // Keys in the map's order, so serde_json's compact and pretty forms
        // hold them in the same order; strings that hold the punctuation.
        let value = serde_json::json!({
            "a": [],
            "b": {},
            "c": [1, {"d": "x\\\"}{[,:", "e": [null, true]}],
            "f": {"g": {"h": -1.5e3}},
        });
        let compact = serde_json::to_vec(&value).unwrap();
        assert_eq!(
            String::from_utf8(indented(&compact)).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
        let list = indented(&files_list(3));
        assert_eq!(serde_json::from_slice::<Value>(&list).unwrap(), serde_json::from_slice::<Value>(&files_list(3)).unwrap());
    }

    #[test]
    fn the_chat_request_is_json_with_151_messages() {
        let request: Value = serde_json::from_str(&chat_request_json()).unwrap();
        assert_eq!(request["messages"].as_array().unwrap().len(), 151);
        assert_eq!(request["messages"][2]["tool_calls"][0]["function"]["arguments"], r#"{"q":"paris"}"#);
        // Compact, as serde_json writes it, so both clients' encodings have its length.
        assert_eq!(request.to_string().len(), chat_request_json().len());
        assert_eq!(encode_summary(3), format!("encodes=3 bytes={}", chat_request_json().len()));
        // What the chat scenario sends: the same without the streaming options.
        let mut streaming = request;
        let sent: Value = serde_json::from_str(&chat_send_json()).unwrap();
        let fields = streaming.as_object_mut().unwrap();
        assert!(fields.remove("stream").is_some() && fields.remove("stream_options").is_some());
        assert_eq!(streaming, sent);
        let answer: Value = serde_json::from_str(&chat_completion_json()).unwrap();
        assert_eq!(chat_summary(2), format!("chats=2 content={}", answer["choices"][0]["message"]["content"].as_str().unwrap()));
    }

    #[test]
    fn decode_summary_counts_the_content_of_the_events_in_turn() {
        let events = decode_events();
        assert_eq!(events.len(), DECODE_EVENTS);
        let content = |i: usize| {
            let json: Value = serde_json::from_str(&events[i % DECODE_EVENTS]).unwrap();
            json["choices"][0]["delta"]["content"].as_str().map_or(0, str::len)
        };
        // Past one round, so the cycle is counted too.
        let decodes = DECODE_EVENTS + 7;
        let bytes: usize = (0..decodes).map(content).sum();
        assert_eq!(decode_summary(decodes), format!("decodes={decodes} content_bytes={bytes}"));
    }

    #[test]
    fn small_payloads_are_json() {
        let model: Value = serde_json::from_str(&model_json(MODEL)).unwrap();
        assert_eq!(model["id"], MODEL);
        let file: Value = serde_json::from_str(&uploaded_json("a.bin", 7)).unwrap();
        assert_eq!(file["bytes"], 7);
    }

    #[test]
    fn options_defaults_quick_and_errors() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = super::options(&[]).unwrap();
        assert_eq!((o.rounds, o.events, o.files, o.upload_mib, o.requests, o.chats, o.encodes, o.decodes, o.embeds), (3, 200_001, 100_000, 1024, 20_000, 5_000, 20_000, 200_000, 100));
        let o = super::options(&args(&["--quick", "--events", "7", "--only", "sse,small"])).unwrap();
        assert_eq!((o.rounds, o.events, o.only.len()), (1, 7, 2));
        assert!(super::options(&args(&["--only", "nope"])).is_err());
        assert!(super::options(&args(&["--rounds", "0"])).is_err());
        assert!(super::options(&args(&["--events"])).is_err());
    }
}
