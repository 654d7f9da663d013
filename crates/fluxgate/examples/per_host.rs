//! One breaker per downstream host, kept in a registry, so that a failing
//! host opens its own circuit and leaves the calls to other hosts alone.
//!
//! Two HTTP servers stand in for two hosts. Both listen on 127.0.0.1, on
//! different ports, and one responds with 200 while the other responds with
//! 503. The client keys its breakers by each URL's authority (`host:port`).
//!
//! ```sh
//! cargo run -p fluxgate-breaker --features registry --example per_host
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{Request, StatusCode, Uri};
use axum::routing::get;
use fluxgate::registry::Registry;
use fluxgate::retries::Cooldown;
use fluxgate::trippers::{FailureStreak, HalfOpened};
use fluxgate::{CircuitBreaker, ConfigError, Error};
use http_body_util::Empty;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The error of a request to a host.
#[derive(Debug)]
pub(crate) enum FetchError {
    /// The URL has no `host:port` to key a breaker by.
    InvalidUrl(String),
    /// The registry could not build the host's breaker.
    Config(ConfigError),
    /// The request failed before a response arrived.
    Request(hyper_util::client::legacy::Error),
    /// The host responded with a server error.
    Status(StatusCode),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::InvalidUrl(url) => {
                write!(f, "invalid URL {url:?}: expected http://host:port/path")
            }
            FetchError::Config(error) => write!(f, "building the host's breaker failed: {error}"),
            FetchError::Request(error) => write!(f, "request failed: {error}"),
            FetchError::Status(status) => write!(f, "server error {status}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// An HTTP client with one circuit breaker per host.
#[derive(Debug)]
pub(crate) struct HostClient {
    client: Client<HttpConnector, Empty<Bytes>>,
    pub(crate) breakers: Registry,
}

impl HostClient {
    /// Creates a client whose breakers open after three failures in a row,
    /// probe again after `cooldown` and reopen on a failed probe, and are
    /// dropped after ten minutes without a request to their host.
    pub(crate) fn new(cooldown: Duration) -> Result<HostClient, ConfigError> {
        let tripper = FailureStreak::new(3)? | (HalfOpened & FailureStreak::new(1)?);
        let retry = Cooldown::new(cooldown)?;
        let breakers = Registry::builder(move |_host: &str| {
            CircuitBreaker::builder().tripper(tripper).retry(retry)
        })
        .idle_timeout(Duration::from_secs(600))
        .build()?;
        let client = Client::builder(TokioExecutor::new()).build_http();
        Ok(HostClient { client, breakers })
    }

    /// Sends `GET url` through the breaker of the URL's host and returns the
    /// status. A 5xx status is a failure.
    pub(crate) async fn get(&self, url: &str) -> Result<StatusCode, Error<FetchError>> {
        let invalid = || Error::Inner(FetchError::InvalidUrl(url.to_owned()));
        let uri: Uri = url.parse().map_err(|_| invalid())?;
        let host = uri.authority().ok_or_else(invalid)?.as_str();
        let breaker = self
            .breakers
            .get(host)
            .map_err(|error| Error::Inner(FetchError::Config(error)))?;

        breaker
            .call_async(|| async {
                let request = Request::get(uri.clone())
                    .body(Empty::new())
                    .expect("a GET request with a parsed URI is valid");
                let response = self
                    .client
                    .request(request)
                    .await
                    .map_err(FetchError::Request)?;
                match response.status() {
                    status if status.is_server_error() => Err(FetchError::Status(status)),
                    status => Ok(status),
                }
            })
            .await
    }
}

/// Starts a server on a free port of 127.0.0.1 that responds to every
/// request with `status`, and returns its address.
pub(crate) async fn start_host(status: StatusCode) -> std::io::Result<SocketAddr> {
    let app = Router::new().fallback(get(move || async move { status }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

/// Describes a request's result in a few words.
pub(crate) fn describe(result: &Result<StatusCode, Error<FetchError>>) -> String {
    match result {
        Ok(status) => format!("HTTP {}", status.as_u16()),
        Err(Error::Rejected(rejected)) => format!("rejected while {}", rejected.state()),
        Err(Error::Inner(error)) => format!("failed: {error}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let healthy = start_host(StatusCode::OK).await?;
    let failing = start_host(StatusCode::SERVICE_UNAVAILABLE).await?;
    let client = HostClient::new(Duration::from_secs(30))?;
    println!("healthy host at {healthy}, failing host at {failing}");

    for round in 1..=4 {
        println!("round {round}:");
        for address in [healthy, failing] {
            let result = client.get(&format!("http://{address}/status")).await;
            println!("  {address}: {}", describe(&result));
        }
    }

    println!("breakers:");
    for info in client.breakers.list() {
        println!("  {}: {}", info.name, info.state);
    }
    Ok(())
}
