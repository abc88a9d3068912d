//! The provider registry: every provider the binary can render, by the name profiles use.
//!
//! Built-in providers are registered by [`Registry::builtin`]. Plugins (loaded from
//! libraries by the plugin host, [`Registry::load_plugin`]) join the same registry with
//! their [`Origin`], so that a name in a profile resolves the same way whatever it is.

use cloudwall_core::provider::{Provider, ProviderInfo};
use std::path::{Path, PathBuf};

/// Where a provider comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    /// A plugin library, with the path it was loaded from, its ABI version and the
    /// protocol version it speaks.
    Plugin { path: String, abi: String, protocol: String },
}

impl Origin {
    pub fn label(&self) -> String {
        match self {
            Origin::BuiltIn => "built-in".to_string(),
            Origin::Plugin { abi, protocol, .. } => format!("plugin (ABI {abi}, protocol {protocol})"),
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
    /// Canonical paths of the plugin libraries loaded, so that naming one twice is harmless.
    libraries: Vec<PathBuf>,
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
        Registry { entries: Vec::new(), libraries: Vec::new() }
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

    /// Loads the plugin library at `path` (as the user named it) and registers its
    /// provider. A library already loaded (by any path) is skipped.
    pub fn load_plugin(&mut self, path: &Path) -> Result<(), String> {
        let plugin = cloudwall_plugin_host::load(path).map_err(|e| e.to_string())?;
        if self.libraries.iter().any(|l| l == plugin.library_path()) {
            return Ok(());
        }
        let m = plugin.manifest();
        let origin = Origin::Plugin {
            path: path.display().to_string(),
            abi: m.abi_version.to_string(),
            protocol: m.protocol_version.to_string(),
        };
        let library = plugin.library_path().to_path_buf();
        self.register(Box::new(plugin), origin)
            .map_err(|d| format!("plugin {}: provides `{}`, a name already registered", path.display(), d.0))?;
        self.libraries.push(library);
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

/// The registry for one run: the built-in providers, then the plugins named by
/// `--plugin`, by `CLOUDWALL_PLUGIN_PATH`, and by the `plugins = [...]` of the profiles
/// the command reads (a profile that does not load is left to the command to report).
/// Any plugin that cannot be loaded stops the run: its error names the library.
pub fn load(cli: &crate::args::Cli) -> Result<Registry, String> {
    let mut r = Registry::builtin();
    let named = cli.global.plugins.iter().cloned().chain(cloudwall_plugin_host::paths_from_env());
    for path in named {
        r.load_plugin(&path)?;
    }
    for profile_path in cli.command.profiles() {
        let Ok(profile) = cloudwall_core::profile::load(&profile_path) else { continue };
        for path in cloudwall_plugin_host::profile_plugin_paths(&profile) {
            r.load_plugin(&path).map_err(|e| format!("{} (listed in {}): {e}", path.display(), profile_path.display()))?;
        }
    }
    Ok(r)
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
        r.register(Box::new(Fake), Origin::Plugin { path: "libonprem.so".into(), abi: "1".into(), protocol: "1.0.0".into() })
            .unwrap();
        assert_eq!(r.get("onprem").unwrap().info().version, "1.0.0");
        let miss = r.get("awz").err().unwrap();
        assert_eq!(miss.available, vec!["aws", "onprem"]);
        assert!(miss.to_string().contains("aws, onprem"));
        assert_eq!(r.register(Box::new(Fake), Origin::BuiltIn), Err(DuplicateProvider("onprem".into())));
        assert_eq!(r.list()[1].1.label(), "plugin (ABI 1, protocol 1.0.0)");
    }
}
