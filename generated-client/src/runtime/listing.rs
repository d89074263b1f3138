//! Listings decoded as their bodies arrive: the client method the generated
//! method of each listing calls (see `de::text::listing` for the decoding).

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::body::Sink;
use super::client::{Client, Read};
use super::de::text::{Finished, ItemStream, Items};
use super::error::{excerpt, Error};
use super::request::RequestSpec;
use super::response::{Response, ResponseMeta};

impl Sink for ItemStream<'_> {
    fn start(&mut self) {
        self.reset();
    }

    fn push(&mut self, chunk: Bytes) {
        ItemStream::push(self, &chunk);
    }
}

impl Client {
    /// Sends the request and decodes a JSON listing as `T`, whose items are
    /// the array under member `items`, of type `I`; `put` puts them in their
    /// field. A large body's items are decoded as they arrive, not gathered
    /// first: see [`execute_json`](Client::execute_json) for the rest,
    /// which is the same.
    ///
    /// When an item of such a body does not decode, the error's body is the
    /// body from that item on (the items before it decoded); when the members
    /// around the array do not, it is the body without the array's items.
    pub async fn execute_listing<T, I>(
        &self,
        request: RequestSpec,
        items: &'static str,
        put: fn(&mut T, Vec<I>),
    ) -> Result<Response<T>, Error>
    where
        T: DeserializeOwned,
        I: DeserializeOwned + Send,
    {
        let mut decoded = Vec::<I>::new();
        let (meta, read) = self.read_listing(&request, items, &mut decoded).await?;
        match read {
            Finished::Whole(body) => self.decode_json(body.into(), meta, ""),
            Finished::Split { outer, fills } => {
                let what = " (its items left out)";
                let mut response = self.decode_json::<T>(outer.into(), meta, what)?;
                put(response.body_mut(), decoded);
                Ok(response.with_earlier_warnings(fills))
            }
            Finished::Failed { error, rest } => Err(item_error(meta, error, rest)),
        }
    }

    /// Sends a listing's request and reads its body, decoding its items
    /// into `items` when it is split (not generic: compiled once).
    async fn read_listing(
        &self,
        request: &RequestSpec,
        key: &'static str,
        items: &mut dyn Items,
    ) -> Result<(ResponseMeta, Finished), Error> {
        let mut stream = ItemStream::new(key, self.config().strict_decoding, items);
        let sent = self
            .send(request, Read::Sink(&mut stream), "application/json")
            .await?;
        Ok((sent.meta, stream.finish()))
    }
}

/// The error of a split body whose items did not decode: `rest` is the body
/// from the failing item on.
fn item_error(meta: ResponseMeta, error: serde_json::Error, rest: Vec<u8>) -> Error {
    Error::Decode {
        status: meta.status,
        request_id: meta.request_id,
        message: format!("invalid JSON response body: {error}"),
        body_excerpt: excerpt(&rest),
        body: rest.into(),
        source: Some(error),
    }
}
