use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower_service::Service;

use super::classify::{ClassifyResponse, OkIsSuccess};
use super::future::ResponseFuture;
use crate::trackers::Tracker;
use crate::{CircuitBreaker, Error};

/// A service that passes each request to the inner service if the breaker
/// admits it, and records how the response went.
///
/// Readiness is the inner service's: `poll_ready` only forwards. The
/// breaker decides in `call`, and a rejected call returns a future that
/// resolves at once to [`Error::Rejected`] without calling the inner
/// service. See the [module docs](super) for why.
pub struct CircuitBreakerService<S, K, C = OkIsSuccess> {
    inner: S,
    breaker: Arc<CircuitBreaker<K>>,
    classifier: C,
}

impl<S, K, C> CircuitBreakerService<S, K, C> {
    /// Creates a service that guards `inner` with `breaker` and records
    /// each `Ok` response with the outcome that `classifier` returns.
    pub fn new(inner: S, breaker: Arc<CircuitBreaker<K>>, classifier: C) -> Self {
        CircuitBreakerService {
            inner,
            breaker,
            classifier,
        }
    }

    /// Returns the breaker.
    pub fn breaker(&self) -> &Arc<CircuitBreaker<K>> {
        &self.breaker
    }

    /// Returns a reference to the inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Returns a mutable reference to the inner service.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Returns the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, K, C, Request> Service<Request> for CircuitBreakerService<S, K, C>
where
    S: Service<Request>,
    K: Tracker<S::Error>,
    C: ClassifyResponse<S::Response> + Clone,
{
    type Response = S::Response;
    type Error = Error<S::Error>;
    type Future = ResponseFuture<S::Future, K, C>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Error::Inner)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.breaker.try_acquire_owned() {
            Ok(guard) => {
                let future = self.inner.call(request);
                ResponseFuture::admitted(future, guard, self.classifier.clone())
            }
            Err(rejected) => ResponseFuture::rejected(rejected),
        }
    }
}

impl<S: Clone, K, C: Clone> Clone for CircuitBreakerService<S, K, C> {
    fn clone(&self) -> Self {
        CircuitBreakerService {
            inner: self.inner.clone(),
            breaker: Arc::clone(&self.breaker),
            classifier: self.classifier.clone(),
        }
    }
}

impl<S: fmt::Debug, K, C> fmt::Debug for CircuitBreakerService<S, K, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakerService")
            .field("inner", &self.inner)
            .field("breaker", &self.breaker)
            .finish_non_exhaustive()
    }
}
