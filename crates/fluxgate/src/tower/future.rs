use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use super::classify::ClassifyResponse;
use crate::trackers::Tracker;
use crate::{CircuitBreaker, Error, Guard, Rejected};

pin_project! {
    /// The response future of a [`CircuitBreakerService`](super::CircuitBreakerService).
    ///
    /// An admitted call holds the breaker's guard until the inner future
    /// completes, then records the outcome. Dropping the future before that
    /// records nothing and frees the call's half-open probe slot, if it
    /// holds one. A rejected call resolves at once.
    ///
    /// # Panics
    ///
    /// Panics if polled again after it returned `Ready`.
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<F, K, C> {
        #[pin]
        state: FutureState<F, K, C>,
    }
}

pin_project! {
    #[project = FutureStateProjection]
    enum FutureState<F, K, C> {
        Admitted {
            #[pin]
            future: F,
            guard: Option<Guard<Arc<CircuitBreaker<K>>>>,
            classifier: C,
        },
        Rejected {
            rejected: Option<Rejected>,
        },
    }
}

impl<F, K, C> ResponseFuture<F, K, C> {
    pub(crate) fn admitted(future: F, guard: Guard<Arc<CircuitBreaker<K>>>, classifier: C) -> Self {
        ResponseFuture {
            state: FutureState::Admitted {
                future,
                guard: Some(guard),
                classifier,
            },
        }
    }

    pub(crate) fn rejected(rejected: Rejected) -> Self {
        ResponseFuture {
            state: FutureState::Rejected {
                rejected: Some(rejected),
            },
        }
    }
}

impl<F, K, C, T, E> Future for ResponseFuture<F, K, C>
where
    F: Future<Output = Result<T, E>>,
    K: Tracker<E>,
    C: ClassifyResponse<T>,
{
    type Output = Result<T, Error<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            FutureStateProjection::Rejected { rejected } => {
                let rejected = rejected
                    .take()
                    .expect("ResponseFuture polled after completion");
                Poll::Ready(Err(Error::Rejected(rejected)))
            }
            FutureStateProjection::Admitted {
                future,
                guard,
                classifier,
            } => {
                let result = ready!(future.poll(cx));
                let guard = guard
                    .take()
                    .expect("ResponseFuture polled after completion");
                match &result {
                    Ok(response) => guard.record(classifier.classify(response)),
                    Err(error) => {
                        guard.record_error(error);
                    }
                }
                Poll::Ready(result.map_err(Error::Inner))
            }
        }
    }
}

impl<F, K, C> fmt::Debug for ResponseFuture<F, K, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            FutureState::Admitted { .. } => "admitted",
            FutureState::Rejected { .. } => "rejected",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
