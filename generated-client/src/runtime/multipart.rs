//! Multipart form bodies, kept as a description so every attempt can build a
//! fresh `reqwest` form (a sent form is consumed).

use serde::Serialize;

use super::encode;
use super::error::Error;
use super::file::InputFile;

/// A `multipart/form-data` body: text fields and files, in order.
#[derive(Clone, Debug, Default)]
pub struct MultipartForm {
    parts: Vec<(String, FormPart)>,
    /// First serialisation error, reported when the request is sent.
    error: Option<String>,
}

#[derive(Clone, Debug)]
enum FormPart {
    Text(String),
    File(InputFile),
}

impl MultipartForm {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text field as is.
    pub fn text(&mut self, name: &str, value: impl Into<String>) {
        self.parts
            .push((name.to_owned(), FormPart::Text(value.into())));
    }

    /// Adds a file field.
    pub fn file(&mut self, name: &str, file: &InputFile) {
        self.parts
            .push((name.to_owned(), FormPart::File(file.clone())));
    }

    /// Adds a serialisable value using form conventions: null is skipped,
    /// scalars become one text part, arrays repeated `name[]` parts (a name
    /// already ending in `[]` is kept), objects `name[key]` parts, recursively.
    /// Serialisation errors are reported when the request is sent.
    pub fn value(&mut self, name: &str, value: &impl Serialize) {
        match encode::to_json(name, value) {
            Ok(json) => self.json_value(name, &json),
            Err(message) => {
                self.error.get_or_insert(message);
            }
        }
    }

    /// Adds an already-serialised value with the rules of [`MultipartForm::value`].
    pub(crate) fn json_value(&mut self, name: &str, value: &serde_json::Value) {
        let mut pairs = Vec::new();
        encode::form_pairs(name, value, &mut pairs);
        for (name, text) in pairs {
            self.parts.push((name, FormPart::Text(text)));
        }
    }

    /// The first text field called `name`.
    pub(crate) fn text_field(&self, name: &str) -> Option<&str> {
        self.parts.iter().find_map(|(part_name, part)| match part {
            FormPart::Text(text) if part_name == name => Some(text.as_str()),
            _ => None,
        })
    }

    /// False when a part reads from a one-shot reader.
    pub(crate) fn is_replayable(&self) -> bool {
        self.parts.iter().all(|(_, part)| match part {
            FormPart::Text(_) => true,
            FormPart::File(file) => file.is_replayable(),
        })
    }

    /// The deferred serialisation error, if any.
    pub(crate) fn deferred_error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Builds the `reqwest` form for one attempt (opens files anew).
    pub(crate) async fn build(&self) -> Result<reqwest::multipart::Form, Error> {
        let mut form = reqwest::multipart::Form::new();
        for (name, part) in &self.parts {
            form = match part {
                FormPart::Text(text) => form.text(name.clone(), text.clone()),
                FormPart::File(file) => form.part(name.clone(), file.to_part().await?),
            };
        }
        Ok(form)
    }

    /// Names of the parts in order (for tests and diagnostics).
    #[cfg(test)]
    fn names(&self) -> Vec<&str> {
        self.parts.iter().map(|(name, _)| name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_follow_form_rules() {
        let mut form = MultipartForm::new();
        form.text("model", "whisper-1");
        form.value("temperature", &0.5);
        form.value("language", &Option::<String>::None);
        form.value("include", &vec!["logprobs", "x"]);
        form.value("chunking_strategy", &json!({"type": "auto"}));
        form.file("file", &InputFile::from_bytes("a.wav", &b"RIFF"[..]));
        assert_eq!(
            form.names(),
            [
                "model",
                "temperature",
                "include[]",
                "include[]",
                "chunking_strategy[type]",
                "file"
            ]
        );
        assert!(form.is_replayable());
        assert!(form.deferred_error().is_none());
        assert_eq!(form.text_field("model"), Some("whisper-1"));
        assert_eq!(form.text_field("file"), None);
    }

    #[test]
    fn serialisation_errors_are_deferred() {
        struct Broken;
        impl Serialize for Broken {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("nope"))
            }
        }
        let mut form = MultipartForm::new();
        form.value("bad", &Broken);
        assert!(form.deferred_error().unwrap().contains("bad"));
    }

    #[test]
    fn readers_make_the_form_one_shot() {
        let mut form = MultipartForm::new();
        form.file("file", &InputFile::from_reader("r.bin", &b"x"[..]));
        assert!(!form.is_replayable());
    }

    #[tokio::test]
    async fn builds_again_for_each_attempt() {
        let mut form = MultipartForm::new();
        form.file("file", &InputFile::from_bytes("a.txt", &b"abc"[..]));
        form.text("purpose", "assistants");
        for _ in 0..2 {
            let built = form.build().await.unwrap();
            assert!(!built.boundary().is_empty());
        }
    }
}
