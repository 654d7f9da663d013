//! Shared helpers for the breaker's integration tests: a recording
//! listener and a test builder, and for the integrations an HTTP server on
//! 127.0.0.1 with a client that fetches from it.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{Request, StatusCode, header};
use fluxgate::permits::All as AllPermit;
use fluxgate::retries::Cooldown;
use fluxgate::trippers::Tripper;
use fluxgate::{Builder, ManualClock, State, Transition};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Collects every transition a breaker sends.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recorder {
    transitions: Arc<Mutex<Vec<Transition>>>,
}

impl Recorder {
    pub(crate) fn listener(&self) -> impl Fn(&Transition) + Send + Sync + 'static {
        let sink = Arc::clone(&self.transitions);
        move |transition: &Transition| sink.lock().unwrap().push(transition.clone())
    }

    pub(crate) fn all(&self) -> Vec<Transition> {
        self.transitions.lock().unwrap().clone()
    }

    pub(crate) fn moves(&self) -> Vec<(State, State)> {
        self.all().iter().map(|t| (t.from, t.to)).collect()
    }
}

pub(crate) fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

pub(crate) fn millis(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Returns a builder on a manual clock with every probe permitted, a 30 s
/// cooldown and a recording listener.
pub(crate) fn builder(tripper: impl Tripper + 'static) -> (Builder, ManualClock, Recorder) {
    let clock = ManualClock::starting_at(secs(1_000));
    let recorder = Recorder::default();
    let builder = fluxgate::CircuitBreaker::builder()
        .tripper(tripper)
        .retry(Cooldown::new(secs(30)).unwrap())
        .permit(AllPermit)
        .clock(clock.clone())
        .seed(7)
        .listener(recorder.listener());
    (builder, clock, recorder)
}

pub(crate) fn ok() -> Result<(), &'static str> {
    Ok(())
}

pub(crate) fn fail() -> Result<(), &'static str> {
    Err("down")
}

/// Serves `app` on a free port of 127.0.0.1 from a background task and
/// returns the address.
pub(crate) async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a free port of 127.0.0.1");
    let address = listener
        .local_addr()
        .expect("a bound listener has an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

/// A fetched response: its status, content type and body as text.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    pub(crate) body: String,
}

/// Sends a GET request for `url` and reads the whole response.
pub(crate) async fn fetch(url: &str) -> Fetched {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let request = Request::get(url)
        .body(Empty::new())
        .expect("a GET request with a parsed URL is valid");
    let response = client.request(request).await.expect("GET request failed");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("reading the response body failed")
        .to_bytes();
    Fetched {
        status,
        content_type,
        body: String::from_utf8(body.to_vec()).expect("the body is UTF-8"),
    }
}

/// Returns the samples of an OpenMetrics text, `name{labels}` to value,
/// without the comment lines.
pub(crate) fn samples(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .map(|(series, value)| (series.to_owned(), value.to_owned()))
        .collect()
}
