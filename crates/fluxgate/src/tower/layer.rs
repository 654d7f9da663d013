use std::fmt;
use std::sync::Arc;

use tower_layer::Layer;

use super::classify::OkIsSuccess;
use super::service::CircuitBreakerService;
use crate::CircuitBreaker;

/// A [`Layer`] that guards a service with a shared circuit breaker.
///
/// Every service the layer builds shares the one breaker, so clones of a
/// client, or the services of several connections, judge the dependency
/// together.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use fluxgate::{CircuitBreaker, Outcome};
/// use fluxgate::tower::CircuitBreakerLayer;
///
/// let breaker = Arc::new(CircuitBreaker::builder().name("inventory").build()?);
/// let layer = CircuitBreakerLayer::new(breaker).classify_response(|status: &u16| {
///     if *status >= 500 { Outcome::Failure } else { Outcome::Success }
/// });
/// assert_eq!(layer.breaker().name(), "inventory");
/// # Ok::<(), fluxgate::ConfigError>(())
/// ```
pub struct CircuitBreakerLayer<K, C = OkIsSuccess> {
    breaker: Arc<CircuitBreaker<K>>,
    classifier: C,
}

impl<K> CircuitBreakerLayer<K> {
    /// Creates a layer around `breaker` that counts every `Ok` response as
    /// a success.
    pub fn new(breaker: Arc<CircuitBreaker<K>>) -> Self {
        CircuitBreakerLayer {
            breaker,
            classifier: OkIsSuccess,
        }
    }
}

impl<K, C> CircuitBreakerLayer<K, C> {
    /// Sets the classifier that decides which `Ok` responses are failures.
    pub fn classify_response<D>(self, classifier: D) -> CircuitBreakerLayer<K, D> {
        CircuitBreakerLayer {
            breaker: self.breaker,
            classifier,
        }
    }

    /// Returns the breaker the layer's services share.
    pub fn breaker(&self) -> &Arc<CircuitBreaker<K>> {
        &self.breaker
    }
}

impl<S, K, C: Clone> Layer<S> for CircuitBreakerLayer<K, C> {
    type Service = CircuitBreakerService<S, K, C>;

    fn layer(&self, inner: S) -> Self::Service {
        CircuitBreakerService::new(inner, Arc::clone(&self.breaker), self.classifier.clone())
    }
}

impl<K, C: Clone> Clone for CircuitBreakerLayer<K, C> {
    fn clone(&self) -> Self {
        CircuitBreakerLayer {
            breaker: Arc::clone(&self.breaker),
            classifier: self.classifier.clone(),
        }
    }
}

impl<K, C> fmt::Debug for CircuitBreakerLayer<K, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakerLayer")
            .field("breaker", &self.breaker)
            .finish_non_exhaustive()
    }
}
