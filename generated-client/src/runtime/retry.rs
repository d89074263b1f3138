//! When to retry and how long to wait, following openai-python's rules so the
//! client behaves the same against the same server.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// First backoff step, in seconds.
const INITIAL_RETRY_DELAY: f64 = 0.5;
/// Backoff cap, in seconds.
const MAX_RETRY_DELAY: f64 = 8.0;
/// Server-requested waits up to this long are honoured, as openai-python
/// does; a longer one means "not soon": the request is not retried (unless
/// the server also says `x-should-retry: true`, then with backoff).
const MAX_RETRY_AFTER: f64 = 120.0;

/// A function that waits for the given duration before a retry.
///
/// Injectable (see `ClientBuilder::sleeper`) so tests can record the waits
/// instead of sleeping.
pub type Sleeper = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// The default sleeper: real time.
pub(crate) fn tokio_sleeper() -> Sleeper {
    Arc::new(|delay| Box::pin(tokio::time::sleep(delay)))
}

/// Whether a non-2xx response may succeed when sent again.
///
/// An explicit `x-should-retry: true|false` from the server wins; otherwise a
/// 429 for exhausted quota (`insufficient_quota`: the error body said so, see
/// `ApiErrorObject::is_insufficient_quota`) is final, and 408, 409, 429 and
/// 5xx are retried. Told the quota as a flag, not given the error, so these
/// rules know nothing of how errors are read.
pub(crate) fn should_retry(
    status: StatusCode,
    headers: &HeaderMap,
    insufficient_quota: bool,
) -> bool {
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        Some("true") => return true,
        Some("false") => return false,
        _ => {}
    }
    if status == StatusCode::TOO_MANY_REQUESTS && insufficient_quota {
        return false;
    }
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// The wait the server asked for, from `retry-after-ms` (milliseconds) or
/// `Retry-After` (seconds or an HTTP date), the first that parses.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<f64> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = header("retry-after-ms").and_then(parse_seconds) {
        return Some(ms / 1000.0);
    }
    let value = header("retry-after")?;
    if let Some(seconds) = parse_seconds(value) {
        return Some(seconds);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(match date.duration_since(now) {
        Ok(ahead) => ahead.as_secs_f64(),
        // A date in the past: report it as negative so it falls back to backoff.
        Err(behind) => -behind.duration().as_secs_f64(),
    })
}

fn parse_seconds(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// How long to wait before retry number `retries_taken + 1`, or `None` when
/// the server asked for a wait longer than [`MAX_RETRY_AFTER`] (do not retry).
///
/// `random` is in `[0, 1)`; it is a parameter so the jitter bounds can be tested.
pub(crate) fn retry_delay(
    headers: Option<&HeaderMap>,
    retries_taken: u32,
    now: SystemTime,
    random: f64,
) -> Option<Duration> {
    if let Some(after) = headers.and_then(|h| retry_after(h, now)) {
        if after > 0.0 && after <= MAX_RETRY_AFTER {
            return Some(Duration::from_secs_f64(after));
        }
        let told_to_retry = headers
            .and_then(|h| h.get("x-should-retry"))
            .is_some_and(|v| v == "true");
        if after > MAX_RETRY_AFTER && !told_to_retry {
            return None;
        }
    }
    let exponent = retries_taken.min(1000) as i32;
    let backoff = (INITIAL_RETRY_DELAY * 2f64.powi(exponent)).min(MAX_RETRY_DELAY);
    // Jitter shortens the wait by up to 25% so many clients do not retry in lockstep.
    let jitter = 1.0 - 0.25 * random.clamp(0.0, 1.0);
    Some(Duration::from_secs_f64((backoff * jitter).max(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    const NOW: SystemTime = SystemTime::UNIX_EPOCH;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn retry_after_ms_wins() {
        let h = headers(&[("retry-after-ms", "250"), ("retry-after", "30")]);
        assert_eq!(
            retry_delay(Some(&h), 0, NOW, 0.5).unwrap(),
            Duration::from_millis(250)
        );
        let fractional = headers(&[("retry-after-ms", "1.5")]);
        assert_eq!(
            retry_delay(Some(&fractional), 0, NOW, 0.0).unwrap(),
            Duration::from_micros(1500)
        );
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let h = headers(&[("retry-after", "3")]);
        assert_eq!(
            retry_delay(Some(&h), 4, NOW, 0.9).unwrap(),
            Duration::from_secs(3)
        );
        let now = at(1_700_000_000);
        let date = httpdate::fmt_http_date(now + Duration::from_secs(7));
        let h = headers(&[("retry-after", &date)]);
        assert_eq!(
            retry_delay(Some(&h), 0, now, 0.0).unwrap(),
            Duration::from_secs(7)
        );
    }

    #[test]
    fn out_of_range_or_bad_retry_after_falls_back_to_backoff() {
        let now = at(1_700_000_000);
        let past = httpdate::fmt_http_date(now - Duration::from_secs(5));
        let cases = [
            headers(&[("retry-after", "0")]),
            headers(&[("retry-after", "-2")]),
            headers(&[("retry-after", "soon")]),
            headers(&[("retry-after", &past)]),
            // A parseable but out-of-range retry-after-ms is not replaced by Retry-After.
            headers(&[("retry-after-ms", "0"), ("retry-after", "5")]),
            headers(&[("retry-after-ms", "NaN")]),
        ];
        for h in cases {
            assert_eq!(
                retry_delay(Some(&h), 0, now, 0.0),
                Some(Duration::from_millis(500)),
                "{h:?}"
            );
        }
        for (wait, expected) in [
            ("90", Some(90)),
            ("120", Some(120)),
            ("121", None),
            ("150", None),
        ] {
            let h = headers(&[("retry-after", wait)]);
            assert_eq!(
                retry_delay(Some(&h), 0, now, 0.0),
                expected.map(Duration::from_secs),
                "{wait}"
            );
        }
        // The server's explicit `x-should-retry: true` wins: retried, with backoff.
        let told = headers(&[("retry-after", "150"), ("x-should-retry", "true")]);
        assert_eq!(
            retry_delay(Some(&told), 0, now, 0.0),
            Some(Duration::from_millis(500))
        );
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let expected = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0];
        for (retries, want) in expected.iter().enumerate() {
            let got = retry_delay(None, retries as u32, NOW, 0.0).unwrap();
            assert_eq!(got, Duration::from_secs_f64(*want), "retry {retries}");
        }
        assert_eq!(
            retry_delay(None, u32::MAX, NOW, 0.0).unwrap(),
            Duration::from_secs(8)
        );
    }

    #[test]
    fn jitter_shortens_by_at_most_a_quarter() {
        for i in 0..=100 {
            let random = i as f64 / 100.0;
            let got = retry_delay(None, 1, NOW, random).unwrap().as_secs_f64();
            assert!((0.75..=1.0).contains(&got), "{random} -> {got}");
        }
        assert_eq!(
            retry_delay(None, 1, NOW, 1.0).unwrap(),
            Duration::from_millis(750)
        );
    }

    #[test]
    fn status_rules() {
        let none = HeaderMap::new();
        for code in [408, 409, 429, 500, 502, 503, 504] {
            assert!(
                should_retry(StatusCode::from_u16(code).unwrap(), &none, false),
                "{code}"
            );
        }
        for code in [400, 401, 403, 404, 422] {
            assert!(
                !should_retry(StatusCode::from_u16(code).unwrap(), &none, false),
                "{code}"
            );
        }
    }

    #[test]
    fn should_retry_header_overrides_status() {
        let yes = headers(&[("x-should-retry", "true")]);
        let no = headers(&[("x-should-retry", "false")]);
        assert!(should_retry(StatusCode::BAD_REQUEST, &yes, false));
        assert!(!should_retry(StatusCode::SERVICE_UNAVAILABLE, &no, false));
    }

    #[test]
    fn insufficient_quota_is_final() {
        let none = HeaderMap::new();
        assert!(!should_retry(StatusCode::TOO_MANY_REQUESTS, &none, true));
        assert!(should_retry(StatusCode::TOO_MANY_REQUESTS, &none, false));
        // Only a 429 is made final by it; the server's own word still wins.
        assert!(should_retry(StatusCode::SERVICE_UNAVAILABLE, &none, true));
        let yes = headers(&[("x-should-retry", "true")]);
        assert!(should_retry(StatusCode::TOO_MANY_REQUESTS, &yes, true));
    }
}
