//! Compares a decoded-and-re-encoded value with its input, modulo the
//! normalisations the generated types document:
//!
//! - an object member that is `null` on one side may be absent on the other
//!   (an optional property is `Option<T>`, omitted when `None`; an explicit
//!   `null` reads as `None`);
//! - numbers are equal when equal as `f64` (`1.0` ↔ `1`; an `int64` bound
//!   written as a double ↔ the same bound as an integer).

use serde_json::Value;

/// The first difference: a JSON pointer into the input and what differs there.
pub fn first_difference(input: &Value, output: &Value) -> Option<(String, String)> {
    diff(input, output, String::new())
}

fn diff(a: &Value, b: &Value, at: String) -> Option<(String, String)> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => (x.as_f64() != y.as_f64()).then(|| (at, format!("{x} became {y}"))),
        (Value::Object(x), Value::Object(y)) => {
            for (key, av) in x {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (av, y.get(key)) {
                    (_, Some(bv)) => {
                        if let Some(d) = diff(av, bv, here) {
                            return Some(d);
                        }
                    }
                    (Value::Null, None) => {}
                    (_, None) => return Some((here, "dropped".to_owned())),
                }
            }
            for (key, bv) in y {
                if !x.contains_key(key) && !bv.is_null() {
                    let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                    return Some((here, format!("added {}", trim(&bv.to_string(), 80))));
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some((at, format!("{} items became {}", x.len(), y.len())));
            }
            x.iter().zip(y).enumerate().find_map(|(i, (av, bv))| diff(av, bv, format!("{at}/{i}")))
        }
        _ if a == b => None,
        _ => Some((at, format!("{} became {}", trim(&a.to_string(), 80), trim(&b.to_string(), 80)))),
    }
}

/// `text` cut to about `max` characters, with `…` where it was cut.
pub fn trim(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}
