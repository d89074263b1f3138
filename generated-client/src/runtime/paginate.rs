//! Auto-pagination: a listing fetched page by page, lazily, as a stream of
//! pages ([`Pages`]) or of items ([`Items`]).
//!
//! The runtime knows nothing about the page types: the generated method of
//! each listing passes a closure that fetches one page given a cursor, a
//! function that reads the next cursor off a page, and one that takes the
//! items out of it. One page is held at a time; the next is requested only
//! when the stream is polled past the items of the current one.
//!
//! A page that asks for more but names no cursor, or names the cursor it was
//! itself fetched with, ends the stream with [`Error::Pagination`] instead of
//! fetching the same page forever.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;

use super::error::Error;
use super::response::Response;

/// The future of one page request, as the fetch closure returns it.
pub type PageFuture<P> = Pin<Box<dyn Future<Output = Result<Response<P>, Error>> + Send>>;

/// Fetches the page that starts at a cursor (`None`: the caller's own parameters).
type Fetch<P> = Box<dyn FnMut(Option<String>) -> PageFuture<P> + Send>;

/// What a page says about the one after it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NextPage {
    has_more: Option<bool>,
    cursor: Option<String>,
}

impl NextPage {
    /// `has_more`: the page's "more items follow" flag, if the listing has
    /// one; `cursor`: the cursor of the next page, if the page names one (an
    /// empty string counts as none: lenient decoding reads a missing or
    /// `null` required field as `""`).
    pub fn new(has_more: Option<bool>, cursor: Option<String>) -> Self {
        NextPage {
            has_more,
            cursor: cursor.filter(|c| !c.is_empty()),
        }
    }
}

enum State<P> {
    /// The next page is requested with this cursor when the stream is polled.
    Next(Option<String>),
    /// A page is on its way; it was requested with this cursor.
    Fetching(PageFuture<P>, Option<String>),
    /// The page before could not name the next one: this error comes next.
    Failed(Box<Error>),
    /// Nothing more.
    Done,
}

/// The pages of a listing, fetched one at a time as the stream is polled.
///
/// Yields each page with its response metadata; after an error (from the
/// request, or a cursor that does not advance) the stream ends. Turn it into
/// a stream of the items with [`Pages::items`].
pub struct Pages<P, T> {
    fetch: Fetch<P>,
    next_of: fn(&P) -> NextPage,
    items_of: fn(P) -> Vec<T>,
    state: State<P>,
}

impl<P, T> Pages<P, T> {
    /// The pages starting with the one `first` addresses (the cursor the
    /// caller's parameters already hold, if any). `fetch` requests the page
    /// at a cursor, `next_of` reads what a page says about the next one,
    /// `items_of` takes a page's items.
    pub fn new(
        first: Option<String>,
        fetch: impl FnMut(Option<String>) -> PageFuture<P> + Send + 'static,
        next_of: fn(&P) -> NextPage,
        items_of: fn(P) -> Vec<T>,
    ) -> Self {
        Pages {
            fetch: Box::new(fetch),
            next_of,
            items_of,
            state: State::Next(first.filter(|c| !c.is_empty())),
        }
    }

    /// The items of the pages, one at a time.
    pub fn items(self) -> Items<P, T> {
        Items {
            pages: self,
            current: Vec::new().into_iter(),
        }
    }

    /// What comes after a page that was requested with `sent`.
    fn after(&self, page: &Response<P>, sent: Option<String>) -> State<P> {
        let next = (self.next_of)(page);
        let request_id = page.request_id().map(str::to_owned);
        match (next.has_more, next.cursor) {
            (Some(false), _) => State::Done,
            (Some(true), None) => State::Failed(Box::new(Error::Pagination {
                message: "the page says more items follow but names no cursor for the next page"
                    .to_owned(),
                request_id,
            })),
            (None, None) => State::Done,
            (_, Some(cursor)) if Some(&cursor) == sent.as_ref() => {
                State::Failed(Box::new(Error::Pagination {
                    message: format!(
                        "the cursor did not advance: the page fetched with `{cursor}` names `{cursor}` again"
                    ),
                    request_id,
                }))
            }
            (_, Some(cursor)) => State::Next(Some(cursor)),
        }
    }
}

// No field is pinned: the page future is boxed, the rest is plain data.
impl<P, T> Unpin for Pages<P, T> {}

impl<P, T> Stream for Pages<P, T> {
    type Item = Result<Response<P>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, State::Done) {
                State::Done => return Poll::Ready(None),
                State::Failed(error) => return Poll::Ready(Some(Err(*error))),
                State::Next(cursor) => {
                    let future = (this.fetch)(cursor.clone());
                    this.state = State::Fetching(future, cursor);
                }
                State::Fetching(mut future, sent) => match future.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.state = State::Fetching(future, sent);
                        return Poll::Pending;
                    }
                    Poll::Ready(Err(error)) => return Poll::Ready(Some(Err(error))),
                    Poll::Ready(Ok(page)) => {
                        this.state = this.after(&page, sent);
                        return Poll::Ready(Some(Ok(page)));
                    }
                },
            }
        }
    }
}

impl<P, T> fmt::Debug for Pages<P, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Next(_) => "next page not requested yet",
            State::Fetching(..) => "fetching a page",
            State::Failed(_) => "failed",
            State::Done => "done",
        };
        f.debug_struct("Pages").field("state", &state).finish()
    }
}

/// The items of a listing, one at a time, fetching the next page only when
/// the current one is used up (one page in memory at a time).
///
/// An error ends the stream after it is yielded.
pub struct Items<P, T> {
    pages: Pages<P, T>,
    current: std::vec::IntoIter<T>,
}

impl<P, T> Items<P, T> {
    /// The remaining pages whole, from the next one not yet fetched; the items
    /// of the current page not yet yielded are dropped. Call it before the
    /// first poll to get every page.
    pub fn pages(self) -> Pages<P, T> {
        self.pages
    }
}

// As for `Pages`: items are moved out, never pinned.
impl<P, T> Unpin for Items<P, T> {}

impl<P, T> Stream for Items<P, T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(page))) => {
                    this.current = (this.pages.items_of)(page.into_inner()).into_iter();
                }
            }
        }
    }
}

impl<P, T> fmt::Debug for Items<P, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.current.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::response::ResponseMeta;
    use futures_util::StreamExt;
    use reqwest::header::HeaderMap;
    use reqwest::StatusCode;
    use std::sync::{Arc, Mutex};

    /// A page of numbers, its flag and the cursor it names.
    type Page = (Vec<u32>, Option<bool>, Option<String>);

    fn response(page: Page) -> Response<Page> {
        Response::new(
            page,
            ResponseMeta {
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                request_id: Some("req_page".to_owned()),
            },
        )
    }

    /// The cursor each request carried.
    type Sent = Arc<Mutex<Vec<Option<String>>>>;

    /// Pages served from a list, recording the cursor each request carried.
    fn served(first: Option<&str>, served: Vec<Result<Page, Error>>) -> (Pages<Page, u32>, Sent) {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = sent.clone();
        let mut served = served.into_iter();
        let pages = Pages::new(
            first.map(str::to_owned),
            move |cursor| {
                log.lock().unwrap().push(cursor);
                let next = served.next().expect("no request past the last page");
                Box::pin(async move { next.map(response) })
            },
            |page: &Page| NextPage::new(page.1, page.2.clone()),
            |page: Page| page.0,
        );
        (pages, sent)
    }

    fn page(items: &[u32], has_more: Option<bool>, cursor: Option<&str>) -> Result<Page, Error> {
        Ok((items.to_vec(), has_more, cursor.map(str::to_owned)))
    }

    #[tokio::test]
    async fn items_follow_the_cursors_lazily() {
        let (pages, sent) = served(
            None,
            vec![
                page(&[1, 2], Some(true), Some("b")),
                page(&[3], Some(true), Some("c")),
                page(&[], Some(false), Some("")),
            ],
        );
        let mut items = pages.items();
        assert_eq!(items.next().await.unwrap().unwrap(), 1);
        assert_eq!(sent.lock().unwrap().len(), 1, "one page fetched so far");
        let rest: Vec<u32> = items.map(Result::unwrap).collect().await;
        assert_eq!(rest, [2, 3]);
        assert_eq!(
            *sent.lock().unwrap(),
            [None, Some("b".to_owned()), Some("c".to_owned())]
        );
    }

    #[tokio::test]
    async fn without_a_flag_the_pages_end_when_no_cursor_is_named() {
        let (pages, sent) = served(
            Some("start"),
            vec![page(&[1], None, Some("x")), page(&[2], None, None)],
        );
        let got: Vec<u32> = pages.items().map(Result::unwrap).collect().await;
        assert_eq!(got, [1, 2]);
        assert_eq!(
            *sent.lock().unwrap(),
            [Some("start".to_owned()), Some("x".to_owned())]
        );
    }

    #[tokio::test]
    async fn a_cursor_that_does_not_advance_is_an_error() {
        let (pages, sent) = served(
            None,
            vec![
                page(&[1], Some(true), Some("a")),
                page(&[2], Some(true), Some("a")),
            ],
        );
        let got: Vec<Result<u32, Error>> = pages.items().collect().await;
        assert_eq!(got.len(), 3, "two items, then the error: {got:?}");
        let error = got[2].as_ref().unwrap_err();
        assert!(
            matches!(error, Error::Pagination { message, request_id } if message.contains("`a`") && request_id.as_deref() == Some("req_page")),
            "{error:?}"
        );
        assert_eq!(sent.lock().unwrap().len(), 2);

        // The caller's own cursor counts too.
        let (pages, _) = served(Some("a"), vec![page(&[1], Some(true), Some("a"))]);
        let got: Vec<Result<u32, Error>> = pages.items().collect().await;
        assert!(matches!(
            got.as_slice(),
            [Ok(1), Err(Error::Pagination { .. })]
        ));
    }

    #[tokio::test]
    async fn more_without_a_cursor_is_an_error() {
        let (pages, _) = served(None, vec![page(&[], Some(true), Some(""))]);
        let got: Vec<Result<Response<Page>, Error>> = pages.collect().await;
        assert_eq!(got.len(), 2);
        assert!(got[0].is_ok());
        let error = got[1].as_ref().unwrap_err();
        assert!(error.to_string().contains("names no cursor"), "{error}");
    }

    #[tokio::test]
    async fn an_error_ends_the_stream() {
        let failure = Error::Config {
            message: "boom".to_owned(),
        };
        let (pages, sent) = served(None, vec![page(&[1], Some(true), Some("b")), Err(failure)]);
        let got: Vec<Result<u32, Error>> = pages.items().collect().await;
        assert!(
            matches!(got.as_slice(), [Ok(1), Err(Error::Config { .. })]),
            "{got:?}"
        );
        assert_eq!(sent.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn whole_pages_keep_their_metadata() {
        let (pages, _) = served(None, vec![page(&[1, 2], Some(false), None)]);
        let got: Vec<Response<Page>> = pages.items().pages().map(Result::unwrap).collect().await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, [1, 2]);
        assert_eq!(got[0].request_id(), Some("req_page"));
    }
}
