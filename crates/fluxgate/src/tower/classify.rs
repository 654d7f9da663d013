//! Response classifiers: which successful responses count as failures.

use crate::Outcome;

/// Decides how an `Ok` response of the inner service is recorded.
///
/// Errors of the inner service never reach a classifier: the breaker's
/// [tracker](crate::trackers) decides whether they are failures. A response
/// classified as a failure is still returned to the caller unchanged.
///
/// Closures `Fn(&Response) -> Outcome` are classifiers too.
///
/// # Examples
///
/// ```
/// use fluxgate::Outcome;
/// use fluxgate::tower::ClassifyResponse;
///
/// let server_errors = |status: &u16| {
///     if *status >= 500 { Outcome::Failure } else { Outcome::Success }
/// };
/// assert_eq!(server_errors.classify(&503), Outcome::Failure);
/// assert_eq!(server_errors.classify(&404), Outcome::Success);
/// ```
pub trait ClassifyResponse<Response> {
    /// Returns the outcome to record for `response`.
    fn classify(&self, response: &Response) -> Outcome;
}

impl<Response, F> ClassifyResponse<Response> for F
where
    F: Fn(&Response) -> Outcome,
{
    fn classify(&self, response: &Response) -> Outcome {
        self(response)
    }
}

/// The default classifier: every `Ok` response is a success.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OkIsSuccess;

impl<Response> ClassifyResponse<Response> for OkIsSuccess {
    fn classify(&self, _response: &Response) -> Outcome {
        Outcome::Success
    }
}
