//! The provider registry: every provider the binary can render, by the name profiles use.
//!
//! Built-in providers are registered by [`Registry::builtin`]. Plugins (loaded from
//! libraries) join the same registry through [`Registry::register`] with their
//! [`Origin`], so that a name in a profile resolves the same way whatever it is.

use cloudwall_core::provider::{Provider, ProviderInfo};

/// Where a provider comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    /// A plugin library, with the path it was loaded from and its ABI version.
    #[allow(dead_code)] // constructed by the plugin host, which registers what it loads
    Plugin { path: String, abi: String },
}

impl Origin {
    pub fn label(&self) -> String {
        match self {
            Origin::BuiltIn => "built-in".to_string(),
            Origin::Plugin { abi, .. } => format!("plugin (ABI {abi})"),
        }
    }
}

struct Entry {
    name: String,
    origin: Origin,
    provider: Box<dyn Provider>,
}

/// Providers by name, in registration order.
pub struct Registry {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.entries.iter().map(|e| (&e.name, &e.origin))).finish()
    }
}

/// A name the registry does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProvider {
    pub name: String,
    pub available: Vec<String>,
}

impl std::fmt::Display for UnknownProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown provider `{}`: available providers are {}", self.name, self.available.join(", "))
    }
}

/// Registering a second provider under a name already taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateProvider(pub String);

impl std::fmt::Display for DuplicateProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a provider named `{}` is already registered", self.0)
    }
}

impl Registry {
    pub fn empty() -> Self {
        Registry { entries: Vec::new() }
    }

    /// The providers compiled into the binary.
    pub fn builtin() -> Self {
        let mut r = Registry::empty();
        r.register(Box::new(cloudwall_aws::Aws), Origin::BuiltIn).expect("built-in names are distinct");
        r
    }

    /// Adds a provider (a plugin's, typically) under the name its `info()` gives.
    pub fn register(&mut self, provider: Box<dyn Provider>, origin: Origin) -> Result<(), DuplicateProvider> {
        let name = provider.info().name;
        if self.entries.iter().any(|e| e.name == name) {
            return Err(DuplicateProvider(name));
        }
        self.entries.push(Entry { name, origin, provider });
        Ok(())
    }

    pub fn get(&self, name: &str) -> Result<&dyn Provider, UnknownProvider> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.provider.as_ref())
            .ok_or_else(|| UnknownProvider { name: name.to_string(), available: self.names() })
    }

    pub fn names(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.name.clone()).collect()
    }

    /// Every provider with its description and origin, in registration order.
    pub fn list(&self) -> Vec<(ProviderInfo, Origin)> {
        self.entries.iter().map(|e| (e.provider.info(), e.origin.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudwall_core::policy::Policy;
    use cloudwall_core::provider::{Artifacts, Phase, RenderError};

    struct Fake;
    impl Provider for Fake {
        fn info(&self) -> ProviderInfo {
            ProviderInfo { name: "onprem".into(), version: "1.0.0".into(), description: "test".into(), phases: vec![Phase::Groups] }
        }
        fn render(&self, _: &Policy, _: &[Phase]) -> Result<Artifacts, RenderError> {
            Ok(Artifacts::new())
        }
    }

    #[test]
    fn resolves_builtin_and_registered_names_and_lists_the_rest_on_a_miss() {
        let mut r = Registry::builtin();
        assert!(r.get("aws").is_ok());
        r.register(Box::new(Fake), Origin::Plugin { path: "libonprem.so".into(), abi: "1".into() }).unwrap();
        assert_eq!(r.get("onprem").unwrap().info().version, "1.0.0");
        let miss = r.get("awz").err().unwrap();
        assert_eq!(miss.available, vec!["aws", "onprem"]);
        assert!(miss.to_string().contains("aws, onprem"));
        assert_eq!(r.register(Box::new(Fake), Origin::BuiltIn), Err(DuplicateProvider("onprem".into())));
        assert_eq!(r.list()[1].1.label(), "plugin (ABI 1)");
    }
}
