//! Registries whose breakers take their rules from a policy file.

use super::{Registry, RegistryBuilder};
use crate::breaker::Builder;
use crate::policy::{Policy, PolicyFile, PolicyTracker};

/// The breaker of a policy file whose rules apply to names the file lacks.
const DEFAULT_BREAKER: &str = "default";

impl Registry {
    /// Returns a builder for a registry whose breakers take the rules of
    /// `file`: the breaker named like the key, or `default` for a key the
    /// file does not name. Without a `default` breaker either, a key gets
    /// the crate's default rules.
    ///
    /// # Examples
    ///
    /// ```
    /// use fluxgate::policy::PolicyFile;
    /// use fluxgate::registry::Registry;
    ///
    /// let file = PolicyFile::parse(r#"
    /// tripper = "failure_streak(5)"
    ///
    /// [breaker.payments]
    /// tripper = "failure_streak(2)"
    /// "#)?;
    /// let breakers = Registry::from_policy_file(file).build()?;
    ///
    /// let payments = breakers.get("payments")?;
    /// assert_eq!(payments.tripper().to_string(), "failure_streak(2)");
    /// let search = breakers.get("search")?;
    /// assert_eq!(search.tripper().to_string(), "failure_streak(5)");
    /// assert_eq!(search.name(), "search");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_policy_file(file: PolicyFile) -> RegistryBuilder<PolicyTracker> {
        Registry::from_policy_file_with(file, |_name, builder| builder)
    }

    /// Returns a builder for a registry like
    /// [`from_policy_file`](Self::from_policy_file), passing each breaker's
    /// builder through `extend` first, to add the listeners and the clock
    /// that a file cannot name.
    pub fn from_policy_file_with<F>(file: PolicyFile, extend: F) -> RegistryBuilder<PolicyTracker>
    where
        F: Fn(&str, Builder<PolicyTracker>) -> Builder<PolicyTracker> + Send + Sync + 'static,
    {
        Registry::builder(move |name: &str| {
            let builder = match file.get(name).or_else(|| file.get(DEFAULT_BREAKER)) {
                Some(policy) => policy.builder(),
                None => Policy::default().builder(),
            };
            extend(name, builder)
        })
    }
}
