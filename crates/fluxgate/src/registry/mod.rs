//! A thread-safe set of named breakers, created on first use and evicted
//! when idle. Enabled by the `registry` feature, which adds no dependency.
//!
//! Keyed use (one breaker per downstream host or tenant) calls
//! [`Registry::get`] with the key each time. The first lookup of a name
//! builds its breaker from the registry's template, a closure that returns
//! a [`Builder`] for the name. Later lookups return the same breaker.
//! [`Registry::list`] returns every breaker's [`Info`], sorted by name, for
//! a health or admin endpoint (with the `serde` feature, `Info` serializes
//! to JSON).
//!
//! # From a policy file
//!
//! With the `policy-file` feature, `Registry::from_policy_file` takes the
//! template from a TOML policy file. A key named in the file gets that
//! breaker's rules, and any other key gets the rules of the file's
//! `default` breaker. `Registry::from_policy_file_with` also adds the
//! listeners and the clock that a file cannot name.
//!
//! # Eviction
//!
//! Keys come and go, so with [`idle_timeout`](RegistryBuilder::idle_timeout)
//! set, a breaker not looked up through the registry for that long is
//! evicted. Lookups sweep for idle breakers when the previous sweep is at
//! least half the timeout old, so a breaker leaves within one and a half
//! timeouts of its last lookup while lookups keep coming.
//! [`evict_idle`](Registry::evict_idle) sweeps on demand, from a timer for
//! example.
//!
//! Eviction drops the registry's handle. When no caller holds another, the
//! breaker is dropped and every listener's
//! [`on_removed`](crate::Listener::on_removed) runs with its name, so the
//! Prometheus listener removes its series and the Slack listener forgets its
//! thread. A caller that kept the `Arc` keeps a working breaker, and its
//! listeners hear of the removal when that caller drops it; the next lookup
//! of the name builds a fresh breaker.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use fluxgate::CircuitBreaker;
//! use fluxgate::registry::Registry;
//! use fluxgate::trippers::FailureStreak;
//!
//! let hosts = Registry::builder(|_host: &str| {
//!     CircuitBreaker::builder().tripper(FailureStreak::new(5).unwrap())
//! })
//! .idle_timeout(Duration::from_secs(600))
//! .build()?;
//!
//! let breaker = hosts.get("api.example.com")?;
//! let _ = breaker.call(|| Err::<(), _>("connection reset"));
//! let infos = hosts.list();
//! assert_eq!(&*infos[0].name, "api.example.com");
//! assert_eq!(infos[0].consecutive_failures, 1);
//! # Ok::<(), fluxgate::ConfigError>(())
//! ```

#[cfg(feature = "policy-file")]
mod policy;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::breaker::{Builder, CircuitBreaker, Info};
use crate::clock::{Clock, MonotonicClock};
use crate::error::{ConfigError, check_positive};
use crate::trackers::All;

type Template<K> = dyn Fn(&str) -> Builder<K> + Send + Sync;

/// A set of named breakers built from one template.
///
/// See the [module docs](self) for lookup and eviction.
pub struct Registry<K = All> {
    template: Box<Template<K>>,
    idle_timeout: Option<Duration>,
    clock: Arc<dyn Clock>,
    breakers: Mutex<Breakers<K>>,
}

struct Breakers<K> {
    entries: HashMap<Arc<str>, Entry<K>>,
    last_sweep: Duration,
}

struct Entry<K> {
    breaker: Arc<CircuitBreaker<K>>,
    last_lookup: Duration,
}

/// Configures and builds a [`Registry`].
///
/// # Default
///
/// | setting | default |
/// |---|---|
/// | idle_timeout | none: breakers are never evicted |
/// | clock | [`MonotonicClock`], for idle times only |
#[must_use = "a builder does nothing until build() is called"]
pub struct RegistryBuilder<K = All> {
    template: Box<Template<K>>,
    idle_timeout: Option<Duration>,
    clock: Option<Arc<dyn Clock>>,
}

impl Registry {
    /// Returns a builder for a registry whose breakers come from
    /// `template`.
    ///
    /// The registry calls `template` with a name the first time that name
    /// is looked up, sets the builder's name to it, and builds. Listeners
    /// and clocks shared by all the breakers go in the template.
    pub fn builder<K, F>(template: F) -> RegistryBuilder<K>
    where
        F: Fn(&str) -> Builder<K> + Send + Sync + 'static,
    {
        RegistryBuilder {
            template: Box::new(template),
            idle_timeout: None,
            clock: None,
        }
    }
}

impl<K> RegistryBuilder<K> {
    /// Evicts a breaker not looked up for `timeout`.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Sets the clock that measures idle time.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Builds an empty registry.
    ///
    /// # Errors
    ///
    /// Returns an error if the idle timeout is zero.
    pub fn build(self) -> Result<Registry<K>, ConfigError> {
        if let Some(timeout) = self.idle_timeout {
            check_positive("registry", "idle_timeout", timeout)?;
        }
        let clock = self
            .clock
            .unwrap_or_else(|| Arc::new(MonotonicClock::new()));
        let breakers = Breakers {
            entries: HashMap::new(),
            last_sweep: clock.now(),
        };
        Ok(Registry {
            template: self.template,
            idle_timeout: self.idle_timeout,
            clock,
            breakers: Mutex::new(breakers),
        })
    }
}

impl<K> Registry<K> {
    fn lock(&self) -> MutexGuard<'_, Breakers<K>> {
        // The map stays consistent even if a holder panicked: each change
        // is a single insert or remove.
        self.breakers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns the breaker named `name`, building it on first use, and
    /// marks it as used now.
    ///
    /// The template runs outside the registry's lock, so a listener's
    /// [`on_created`](crate::Listener::on_created) may use the registry. If
    /// two threads build the same new name at once, one breaker is kept and
    /// the other dropped.
    ///
    /// # Errors
    ///
    /// Returns the [`ConfigError`] of [`Builder::build`] when the template's
    /// builder is invalid; the registry stays unchanged.
    pub fn get(&self, name: &str) -> Result<Arc<CircuitBreaker<K>>, ConfigError> {
        let (found, evicted) = {
            let mut breakers = self.lock();
            let now = self.clock.now();
            let evicted = self.sweep_if_due(&mut breakers, now);
            let found = breakers.entries.get_mut(name).map(|entry| {
                entry.last_lookup = now;
                Arc::clone(&entry.breaker)
            });
            (found, evicted)
        };
        // Dropped outside the lock: dropping a breaker runs listeners.
        drop(evicted);
        if let Some(breaker) = found {
            return Ok(breaker);
        }

        let built = Arc::new((self.template)(name).name(name).build()?);
        let mut breakers = self.lock();
        let now = self.clock.now();
        let entry = breakers
            .entries
            .entry(Arc::from(name))
            .or_insert_with(|| Entry {
                breaker: Arc::clone(&built),
                last_lookup: now,
            });
        entry.last_lookup = now;
        Ok(Arc::clone(&entry.breaker))
    }

    /// Returns the [`Info`] of every breaker, sorted by name, without
    /// marking any as used.
    pub fn list(&self) -> Vec<Info> {
        let breakers: Vec<Arc<CircuitBreaker<K>>> = {
            let breakers = self.lock();
            breakers
                .entries
                .values()
                .map(|entry| Arc::clone(&entry.breaker))
                .collect()
        };
        let mut infos: Vec<Info> = breakers.iter().map(|breaker| breaker.info()).collect();
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        infos
    }

    /// Returns the names of the breakers, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .lock()
            .entries
            .keys()
            .map(|name| name.to_string())
            .collect();
        names.sort();
        names
    }

    /// Returns the number of breakers.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Returns `true` when the registry contains no breaker.
    pub fn is_empty(&self) -> bool {
        self.lock().entries.is_empty()
    }

    /// Removes the breaker named `name` and returns it, if present.
    ///
    /// Its listeners hear [`on_removed`](crate::Listener::on_removed) once
    /// the returned handle and every other are dropped.
    pub fn remove(&self, name: &str) -> Option<Arc<CircuitBreaker<K>>> {
        let entry = self.lock().entries.remove(name);
        entry.map(|entry| entry.breaker)
    }

    /// Evicts every breaker idle for at least the idle timeout now, and
    /// returns how many were evicted. Does nothing without an idle timeout.
    pub fn evict_idle(&self) -> usize {
        let evicted = {
            let mut breakers = self.lock();
            let now = self.clock.now();
            self.sweep(&mut breakers, now)
        };
        evicted.len()
    }

    fn sweep_if_due(
        &self,
        breakers: &mut Breakers<K>,
        now: Duration,
    ) -> Vec<Arc<CircuitBreaker<K>>> {
        match self.idle_timeout {
            Some(timeout) if now.saturating_sub(breakers.last_sweep) >= timeout / 2 => {
                self.sweep(breakers, now)
            }
            _ => Vec::new(),
        }
    }

    /// Removes the idle entries and returns their breakers, for the caller
    /// to drop once it has released the lock.
    fn sweep(&self, breakers: &mut Breakers<K>, now: Duration) -> Vec<Arc<CircuitBreaker<K>>> {
        let Some(timeout) = self.idle_timeout else {
            return Vec::new();
        };
        breakers.last_sweep = now;
        let mut idle: Vec<Arc<str>> = breakers
            .entries
            .iter()
            .filter(|(_, entry)| now.saturating_sub(entry.last_lookup) >= timeout)
            .map(|(name, _)| Arc::clone(name))
            .collect();
        // Sorted, so that listeners hear of the removals in name order.
        idle.sort();
        idle.iter()
            .filter_map(|name| breakers.entries.remove(name))
            .map(|entry| entry.breaker)
            .collect()
    }
}

impl<K> fmt::Debug for Registry<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("names", &self.names())
            .field("idle_timeout", &self.idle_timeout)
            .finish_non_exhaustive()
    }
}

impl<K> fmt::Debug for RegistryBuilder<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryBuilder")
            .field("idle_timeout", &self.idle_timeout)
            .finish_non_exhaustive()
    }
}
