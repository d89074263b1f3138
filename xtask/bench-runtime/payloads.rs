//! What the runtime bench's server sends, built with `std` only so the
//! server binary and xtask's tests share one copy: a chat completion stream
//! of realistic `chat.completion.chunk` events, a Responses API stream and
//! response, a files list, a model and embeddings (as JSON numbers and as
//! base64).
//!
//! Each payload comes with the summary line a client prints after decoding
//! it, so a run proves both clients decoded the same thing.

// The server sends the payloads, xtask checks the summaries: each uses a part.
#![allow(dead_code)]

/// Model name in every chunk, as the API sends it.
pub const MODEL: &str = "gpt-4o-2024-08-06";

/// Tokens the stream cycles through: words, punctuation, an escaped line
/// break and non-ASCII text, as a real answer has.
const TOKENS: &[&str] = &[
    "The",
    " quick",
    " brown",
    " fox",
    " jumps",
    " over",
    " the",
    " lazy",
    " dog",
    ".",
    "\\n\\n",
    "Caf\u{e9}",
    " na\u{ef}ve",
    " r\u{e9}sum\u{e9}",
    " \u{2014}",
    " \\\"quoted\\\"",
    ",",
    " and",
    " then",
    " some",
    " more",
    " text",
    " \u{1F600}",
    "!",
];

/// Length of a token once its JSON escapes are decoded.
fn decoded_len(token: &str) -> usize {
    token.replace("\\n", "\n").replace("\\\"", "\"").len()
}

/// The `data:` JSON of chunk `i` of `events`: the first carries the role,
/// the last the finish reason, the others one token each. Members in the
/// API's order, `service_tier` and the `obfuscation` padding included, as a
/// stream recorded in 2026 sends them.
pub fn chunk_json(i: usize, events: usize) -> String {
    let (delta, token) = if i == 0 {
        ("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}".to_owned(), "")
    } else if i + 1 == events {
        ("{}".to_owned(), "")
    } else {
        let token = TOKENS[i % TOKENS.len()];
        (format!("{{\"content\":\"{token}\"}}"), token)
    };
    let pad = obfuscation(i, token);
    let finish = if i + 1 == events && i > 0 {
        "\"stop\""
    } else {
        "null"
    };
    format!(
        "{{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"{MODEL}\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_eb9dce56a8\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{finish}}}],\"obfuscation\":\"{pad}\"}}"
    )
}

/// Events of the paced stream (`/sse/paced`): one HTTP chunk per event, one
/// every [`PACE_MICROS`], as a model streams its tokens (far slower still).
pub const PACED_EVENTS: usize = 2_000;

/// The paced stream's gap between events, in microseconds.
pub const PACE_MICROS: u64 = 1_000;

/// The whole `text/event-stream` body: `events` chunks, then `data: [DONE]`.
pub fn sse_body(events: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(events * 270 + 16);
    for i in 0..events {
        out.extend_from_slice(b"data: ");
        out.extend_from_slice(chunk_json(i, events).as_bytes());
        out.extend_from_slice(b"\n\n");
    }
    out.extend_from_slice(b"data: [DONE]\n\n");
    out
}

/// Offsets where each event of an SSE body ends (after its blank line).
pub fn event_ends(body: &[u8]) -> Vec<usize> {
    body.windows(2)
        .enumerate()
        .filter(|(_, w)| w == b"\n\n")
        .map(|(i, _)| i + 2)
        .collect()
}

/// What a client prints after reading the stream: the chunks and the bytes
/// of their `delta.content` text.
pub fn sse_summary(events: usize) -> String {
    format!("events={events} content_bytes={}", sse_content(events))
}

/// Bytes of `delta.content` text in a stream of `events` chunks (the first
/// carries the role, the last the finish reason).
fn sse_content(events: usize) -> usize {
    (1..events.saturating_sub(1))
        .map(|i| decoded_len(TOKENS[i % TOKENS.len()]))
        .sum()
}

/// Streams read at once in the many-streams scenario: a server relaying as
/// many answers, each read in its own task.
pub const STREAMS: usize = 64;

/// Events of each of the [`STREAMS`] streams: the single stream's `events`
/// shared out, so that both scenarios decode about as many events.
pub fn events_per_stream(events: usize) -> usize {
    (events / STREAMS).max(2)
}

/// What a client prints after reading [`STREAMS`] streams of `events`
/// chunks each, at once.
pub fn many_summary(events: usize) -> String {
    let (all, content) = (STREAMS * events, STREAMS * sse_content(events));
    format!("streams={STREAMS} events={all} content_bytes={content}")
}

/// How many distinct events the decode scenario cycles through.
pub const DECODE_EVENTS: usize = 1000;

/// The chunk events the decode scenario decodes in turn: a stream of
/// [`DECODE_EVENTS`] (the role first, the finish reason last).
pub fn decode_events() -> Vec<String> {
    (0..DECODE_EVENTS)
        .map(|i| chunk_json(i, DECODE_EVENTS))
        .collect()
}

/// What a client prints after decoding `decodes` events of
/// [`decode_events`] in turn: the bytes of their `delta.content` text.
pub fn decode_summary(decodes: usize) -> String {
    let content: usize = (0..decodes)
        .map(|k| k % DECODE_EVENTS)
        .filter(|&i| i > 0 && i + 1 < DECODE_EVENTS)
        .map(|i| decoded_len(TOKENS[i % TOKENS.len()]))
        .sum();
    format!("decodes={decodes} content_bytes={content}")
}

/// One file object of the list.
pub fn file_json(i: usize) -> String {
    format!(
        "{{\"object\":\"file\",\"id\":\"file-{i:022}\",\"purpose\":\"fine-tune\",\"filename\":\"training-data-{i:07}.jsonl\",\"bytes\":{},\"created_at\":{},\"expires_at\":null,\"status\":\"processed\",\"status_details\":null}}",
        file_bytes(i),
        1_700_000_000 + i
    )
}

fn file_bytes(i: usize) -> u64 {
    1_000 + (i as u64 * 7_919) % 1_000_000
}

/// `GET /files`: a list of `files` file objects.
pub fn files_list(files: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(files * 220 + 128);
    out.extend_from_slice(b"{\"object\":\"list\",\"data\":[");
    for i in 0..files {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(file_json(i).as_bytes());
    }
    let last = files.saturating_sub(1);
    out.extend_from_slice(
        format!(
            "],\"first_id\":\"file-{:022}\",\"last_id\":\"file-{last:022}\",\"has_more\":false}}",
            0
        )
        .as_bytes(),
    );
    out
}

/// `json` (compact JSON) laid out as the API lays out the bodies it does
/// not stream: two spaces per level, each member and element on a line of
/// its own, `": "` between a key and its value, `{}` and `[]` when empty.
/// (A chat completion fetched with curl reads so; the bench's other bodies
/// are compact, which is what a stream's `data:` lines are.) By hand rather
/// than through serde_json's pretty printer: a `Value` would sort the
/// members, and the bench keeps the order the API sends them in.
pub fn indented(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() * 3 / 2);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let line = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    };
    for (at, &b) in json.iter().enumerate() {
        if in_string {
            out.push(b);
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                out.push(b);
            }
            b'{' | b'[' => {
                out.push(b);
                depth += 1;
                if !matches!(json.get(at + 1), Some(b'}' | b']')) {
                    line(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth -= 1;
                if !matches!(json.get(at.wrapping_sub(1)), Some(b'{' | b'[')) {
                    line(&mut out, depth);
                }
                out.push(b);
            }
            b',' => {
                out.push(b);
                line(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(b),
        }
    }
    out
}

/// What a client prints after decoding the list.
pub fn files_summary(files: usize) -> String {
    let bytes: u64 = (0..files).map(file_bytes).sum();
    format!("files={files} bytes={bytes}")
}

/// `GET /models/{id}`.
pub fn model_json(id: &str) -> String {
    format!(
        "{{\"id\":\"{id}\",\"object\":\"model\",\"created\":1722814719,\"owned_by\":\"system\"}}"
    )
}

/// Requests in flight at once in the concurrent case: a caller fanning out
/// work (a batch of embeddings, an eval run) keeps many requests open.
pub const IN_FLIGHT: usize = 64;

/// What a client prints after `requests` model lookups.
pub fn small_summary(requests: usize) -> String {
    format!("requests={requests} model={MODEL}")
}

/// The file object answering an upload of `bytes` bytes.
pub fn uploaded_json(filename: &str, bytes: u64) -> String {
    format!(
        "{{\"object\":\"file\",\"id\":\"file-upload\",\"purpose\":\"assistants\",\"filename\":\"{filename}\",\"bytes\":{bytes},\"created_at\":1700000000,\"expires_at\":null,\"status\":\"processed\",\"status_details\":null}}"
    )
}

/// What a client prints after uploading a file of `bytes` bytes.
pub fn upload_summary(bytes: u64) -> String {
    format!("uploaded_bytes={bytes}")
}

/// A large chat completion request, as a client encodes it: a system message,
/// then 50 turns of a user message with a text and an image part, an
/// assistant message with a tool call and the tool's answer (151 messages,
/// about 21 KB), one function tool and a few options, streaming ones included.
pub fn chat_request_json() -> String {
    chat_request_with(r#""stream":true,"stream_options":{"include_usage":true},"#)
}

/// The same request without its streaming options: what the `chat` scenario
/// sends, and what the server checks it receives.
pub fn chat_send_json() -> String {
    chat_request_with("")
}

fn chat_request_with(stream: &str) -> String {
    let mut messages = vec![r#"{"role":"system","content":"You are terse."}"#.to_owned()];
    for i in 0..50 {
        messages.push(format!(
            r#"{{"role":"user","name":"u1","content":[{{"type":"text","text":"Question number {i}: what is the capital of France, and why?"}},{{"type":"image_url","image_url":{{"url":"https://example.com/a.png","detail":"low"}}}}]}}"#
        ));
        messages.push(format!(
            r#"{{"role":"assistant","content":"Answer {i}: Paris.","tool_calls":[{{"id":"call_{i}","type":"function","function":{{"name":"lookup","arguments":"{{\"q\":\"paris\"}}"}}}}]}}"#
        ));
        messages.push(format!(
            r#"{{"role":"tool","tool_call_id":"call_{i}","content":"ok"}}"#
        ));
    }
    format!(
        r#"{{"model":"gpt-4o","messages":[{}],"temperature":0.5,"max_completion_tokens":500,{stream}"tools":[{{"type":"function","function":{{"name":"lookup","description":"Looks a word up.","parameters":{{"type":"object","properties":{{"q":{{"type":"string"}}}}}}}}}}]}}"#,
        messages.join(",")
    )
}

/// `POST /chat/completions` without streaming: a short answer.
pub fn chat_completion_json() -> String {
    r#"{"id":"chatcmpl-1","object":"chat.completion","created":1722814719,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Paris.","refusal":null},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":4000,"completion_tokens":2,"total_tokens":4002}}"#.to_owned()
}

/// What a client prints after `chats` chat completion requests.
pub fn chat_summary(chats: usize) -> String {
    format!("chats={chats} content=Paris.")
}

/// What a client prints after encoding the chat request `encodes` times, each
/// encoding checked to be the request it decoded.
pub fn encode_summary(encodes: usize) -> String {
    format!("encodes={encodes} bytes={}", chat_request_json().len())
}

/// Model of the embeddings requests.
pub const EMBED_MODEL: &str = "text-embedding-3-small";

/// Inputs in each embeddings request.
pub const EMBED_INPUTS: usize = 64;

/// Dimensions of each vector (`text-embedding-3-small`'s).
pub const EMBED_DIMS: usize = 1536;

/// Component `j` of vector `i`, times 1024: an integer in `-1024..=1024`, so
/// the component (`k / 1024`) is exact as a `float32`, as an `f64` and in its
/// decimal text (up to 13 characters, as the API's are), and both wire forms
/// give the same numbers.
pub fn embedding_step(i: usize, j: usize) -> i64 {
    ((i * 7_919 + j * 104_729) % 2_049) as i64 - 1_024
}

/// The texts each embeddings request sends.
pub fn embed_inputs() -> Vec<String> {
    (0..EMBED_INPUTS)
        .map(|i| format!("Sentence number {i} to embed, as long as a short line of text."))
        .collect()
}

/// The embeddings request both clients send, before each adds (or not) its
/// `encoding_format`.
pub fn embed_request_json() -> String {
    let inputs: Vec<String> = embed_inputs().iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        "{{\"model\":\"{EMBED_MODEL}\",\"input\":[{}]}}",
        inputs.join(",")
    )
}

/// `POST /embeddings`: the [`EMBED_INPUTS`] vectors as JSON numbers, or as
/// base64 of their little-endian `float32`s (`encoding_format: base64`).
pub fn embeddings_json(base64: bool) -> String {
    let mut out = String::from("{\"object\":\"list\",\"data\":[");
    for i in 0..EMBED_INPUTS {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"object\":\"embedding\",\"index\":{i},\"embedding\":"
        ));
        let values = (0..EMBED_DIMS).map(|j| embedding_step(i, j) as f64 / 1024.0);
        if base64 {
            let bytes: Vec<u8> = values.flat_map(|v| (v as f32).to_le_bytes()).collect();
            out.push('"');
            out.push_str(&base64_encode(&bytes));
            out.push('"');
        } else {
            let texts: Vec<String> = values.map(|v| format!("{v:?}")).collect();
            out.push('[');
            out.push_str(&texts.join(","));
            out.push(']');
        }
        out.push('}');
    }
    let tokens = EMBED_INPUTS * 14;
    out.push_str(&format!(
        "],\"model\":\"{EMBED_MODEL}\",\"usage\":{{\"prompt_tokens\":{tokens},\"total_tokens\":{tokens}}}}}"
    ));
    out
}

/// Standard base64, padded.
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// What a client prints after `requests` embeddings requests: the vectors
/// and the sum of every component times 1024.
pub fn embed_summary(requests: usize) -> String {
    let per_request: i64 = (0..EMBED_INPUTS)
        .flat_map(|i| (0..EMBED_DIMS).map(move |j| embedding_step(i, j)))
        .sum();
    format!(
        "requests={requests} vectors={} sum={}",
        requests * EMBED_INPUTS,
        per_request * requests as i64
    )
}

/// The sum a client prints, from one vector's components as it decoded them.
pub fn embedding_sum(values: impl Iterator<Item = f64>) -> i64 {
    values.map(|v| (v * 1024.0) as i64).sum()
}

/// The text the `decode-response` scenarios decode: [`response_json`],
/// compact, or for `decode-response-indented` laid out by [`indented`].
pub fn response_text(scenario: &str) -> String {
    let text = response_json();
    match scenario {
        "decode-response-indented" => {
            String::from_utf8(indented(text.as_bytes())).expect("indenting adds ASCII only")
        }
        _ => text,
    }
}

/// A completed Responses API response, as `POST /responses` returns one and
/// `response.completed` carries it: a reasoning item with a summary, a web
/// search call, a message whose text cites two pages, and a function call;
/// the request's tools and options echoed back, and usage with its details.
pub fn response_json() -> String {
    let text = json_escaped(RESPONSE_TEXT);
    let cited = |start: usize, end: usize, n: usize| {
        format!("{{\"type\":\"url_citation\",\"start_index\":{start},\"end_index\":{end},\"url\":\"https://example.com/paris-{n}?utm_source=openai\",\"title\":\"Paris, page {n}\"}}")
    };
    let output = format!(
        concat!(
            "{{\"id\":\"rs_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b\",\"type\":\"reasoning\",",
            "\"summary\":[{{\"type\":\"summary_text\",\"text\":\"**Answering the capital question**\\n\\nThe user asks for the capital; I should cite sources and then call the weather tool.\"}}]}},",
            "{{\"id\":\"ws_68af4031f8e88193a1b51e0e0b3a6ca805438e46b5f69a3b\",\"type\":\"web_search_call\",\"status\":\"completed\",",
            "\"action\":{{\"type\":\"search\",\"query\":\"capital of France history\"}}}},",
            "{message},",
            "{{\"id\":\"fc_68af4033b0a08193a9f6a1c1e1b2c3d405438e46b5f69a3b\",\"type\":\"function_call\",\"status\":\"completed\",",
            "\"arguments\":\"{{\\\"city\\\":\\\"Paris\\\",\\\"unit\\\":\\\"celsius\\\"}}\",\"call_id\":\"call_bM8lRAFJZ2Y7DkIaQzXl3lUs\",\"name\":\"get_weather\"}}",
        ),
        message = message_item("msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b", "completed", &output_text(&text, &[cited(25, 34, 1), cited(36, 102, 2)])),
    );
    response_object("completed", &output, USAGE)
}

/// A response object as the API sends it, with `status`, the `output` items
/// (JSON, without their brackets) and `usage` (JSON); the rest is the
/// request's tools and options echoed back.
fn response_object(status: &str, output: &str, usage: &str) -> String {
    format!(
        concat!(
            "{{\"id\":\"resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b\",\"object\":\"response\",",
            "\"created_at\":1741476542,\"status\":\"{status}\",\"background\":false,\"error\":null,",
            "\"incomplete_details\":null,\"instructions\":\"You are a concise travel assistant.\",",
            "\"max_output_tokens\":2048,\"max_tool_calls\":null,\"model\":\"gpt-5-2025-08-07\",\"output\":[{output}",
            "],\"parallel_tool_calls\":true,\"previous_response_id\":null,\"prompt_cache_key\":null,",
            "\"reasoning\":{{\"effort\":\"medium\",\"summary\":\"auto\"}},\"safety_identifier\":null,\"service_tier\":\"default\",",
            "\"store\":true,\"temperature\":1.0,\"text\":{{\"format\":{{\"type\":\"text\"}},\"verbosity\":\"medium\"}},",
            "\"tool_choice\":\"auto\",\"tools\":[",
            "{{\"type\":\"function\",\"description\":\"Gets the weather of a city.\",\"name\":\"get_weather\",",
            "\"parameters\":{{\"type\":\"object\",\"properties\":{{\"city\":{{\"type\":\"string\"}},\"unit\":{{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}}}},\"required\":[\"city\",\"unit\"],\"additionalProperties\":false}},\"strict\":true}},",
            "{{\"type\":\"web_search\",\"filters\":null,\"search_context_size\":\"medium\",\"user_location\":{{\"type\":\"approximate\",\"city\":null,\"country\":\"FR\",\"region\":null,\"timezone\":null}}}}",
            "],\"top_logprobs\":0,\"top_p\":1.0,\"truncation\":\"disabled\",",
            "\"usage\":{usage},\"user\":null,\"metadata\":{{}}}}"
        ),
        status = status,
        output = output,
        usage = usage,
    )
}

/// The usage of a completed response, with its details.
const USAGE: &str = "{\"input_tokens\":328,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":412,\"output_tokens_details\":{\"reasoning_tokens\":256},\"total_tokens\":740}";

/// An assistant message item holding `content` (JSON, without brackets).
fn message_item(id: &str, status: &str, content: &str) -> String {
    format!("{{\"id\":\"{id}\",\"type\":\"message\",\"status\":\"{status}\",\"content\":[{content}],\"role\":\"assistant\"}}")
}

/// An `output_text` part of JSON-escaped `text` with `annotations`.
fn output_text(text: &str, annotations: &[String]) -> String {
    format!(
        "{{\"type\":\"output_text\",\"annotations\":[{}],\"logprobs\":[],\"text\":\"{text}\"}}",
        annotations.join(",")
    )
}

/// Item id of the streamed message.
const STREAMED_MESSAGE: &str = "msg_68af4035c2d48193b9c7e2f1a0d4e5f605438e46b5f69a3b";

/// Events of a Responses API stream around its text deltas: four before
/// (created, in progress, the message item and its text part added) and
/// four after (the text, the part and the item done, then completed).
pub const RESPONSES_FRAME_EVENTS: usize = 8;

/// A Responses API stream (`POST /responses` with `stream: true`) of
/// `events` events, as the API frames it: an `event:` line naming each
/// event beside its `data:`, no end marker (`response.completed` ends it).
/// Between the opening and closing events of [`RESPONSES_FRAME_EVENTS`],
/// `output_text` deltas cycle through the chat stream's tokens, each with
/// the `obfuscation` padding the API adds (a member the spec does not
/// declare, so a client keeping unknown members keeps it). The closing
/// events repeat the whole text, as the API's do.
pub fn responses_sse_body(events: usize) -> Vec<u8> {
    let deltas = events.saturating_sub(RESPONSES_FRAME_EVENTS).max(1);
    let mut out = Vec::with_capacity(deltas * 300 + 16 * 1024);
    let mut seq = 0;
    let mut event = |name: &str, fields: &str| {
        out.extend_from_slice(format!("event: {name}\ndata: {{\"type\":\"{name}\",\"sequence_number\":{seq},{fields}}}\n\n").as_bytes());
        seq += 1;
    };
    let at = format!("\"item_id\":\"{STREAMED_MESSAGE}\",\"output_index\":0,\"content_index\":0");
    let started = response_object("in_progress", "", "null");
    event("response.created", &format!("\"response\":{started}"));
    event("response.in_progress", &format!("\"response\":{started}"));
    let item = message_item(STREAMED_MESSAGE, "in_progress", "");
    event(
        "response.output_item.added",
        &format!("\"output_index\":0,\"item\":{item}"),
    );
    event(
        "response.content_part.added",
        &format!("{at},\"part\":{}", output_text("", &[])),
    );
    let mut text = String::new();
    for d in 0..deltas {
        let token = TOKENS[d % TOKENS.len()];
        text.push_str(token);
        let pad = obfuscation(d, token);
        event(
            "response.output_text.delta",
            &format!("{at},\"delta\":\"{token}\",\"logprobs\":[],\"obfuscation\":\"{pad}\""),
        );
    }
    event(
        "response.output_text.done",
        &format!("{at},\"text\":\"{text}\",\"logprobs\":[]"),
    );
    let part = output_text(&text, &[]);
    event(
        "response.content_part.done",
        &format!("{at},\"part\":{part}"),
    );
    let item = message_item(STREAMED_MESSAGE, "completed", &part);
    event(
        "response.output_item.done",
        &format!("\"output_index\":0,\"item\":{item}"),
    );
    event(
        "response.completed",
        &format!(
            "\"response\":{}",
            response_object("completed", &item, USAGE)
        ),
    );
    out
}

/// Letters the `obfuscation` padding is cut from.
const OBFUSCATION: &str = "q7XbN2vLk9TzR4mWc8HsJ1pY";

/// The `obfuscation` padding of the `i`-th event carrying `token`: the API
/// pads streamed text to even out the events' sizes, so the shorter the
/// token the longer the padding (at least two letters).
fn obfuscation(i: usize, token: &str) -> &'static str {
    &OBFUSCATION[i % 7..][..16usize.saturating_sub(decoded_len(token)).max(2)]
}

/// What a client prints after reading [`responses_sse_body`]: the events,
/// the bytes of text in the deltas and in the completed response's message.
pub fn responses_sse_summary(events: usize) -> String {
    let deltas = events.saturating_sub(RESPONSES_FRAME_EVENTS).max(1);
    let text: usize = (0..deltas)
        .map(|d| decoded_len(TOKENS[d % TOKENS.len()]))
        .sum();
    format!(
        "events={} delta_bytes={text} completed_text_bytes={text}",
        deltas + RESPONSES_FRAME_EVENTS
    )
}

/// The message text of [`response_json`]: escapes, non-ASCII text and
/// two citation marks.
const RESPONSE_TEXT: &str = "The capital of France is Paris [1]. It has been the capital since \
    508 AD, with a few interruptions [2]. Caf\u{e9}s line the \"grands boulevards\".\n\n\
    I will now look up today's weather there.";

/// `text` as a JSON string's content.
fn json_escaped(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Bytes of the message text of [`response_json`], and its output items.
pub fn response_facts() -> (usize, usize) {
    (RESPONSE_TEXT.len(), 4)
}

/// What a client prints after decoding [`response_json`] `decodes` times.
pub fn response_decode_summary(decodes: usize) -> String {
    let (text, items) = response_facts();
    format!(
        "decodes={decodes} items={} text_bytes={}",
        items * decodes,
        text * decodes
    )
}
