//! The functions behind `export_provider!`: the static function table, the JSON
//! protocol on the plugin side, plugin-owned buffers, and panic capture.
//!
//! Each cdylib links its own copy of this module, so the statics here (the provider,
//! the panic hook) are per plugin.

use crate::{Phase, Provider};
use cloudwall_plugin_protocol::messages::{
    Finding, Manifest, RenderOutput, RenderRequest, RenderResponse, WirePhase,
};
use cloudwall_plugin_protocol::{PluginBuffer, PluginTable, ABI_VERSION, PROTOCOL_VERSION};
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Once, OnceLock};

type BoxedProvider = Box<dyn Provider>;

/// The provider, built on the first call to the entry point (or the panic message if
/// building it panicked).
static PROVIDER: OnceLock<Result<BoxedProvider, String>> = OnceLock::new();

static TABLE: PluginTable = PluginTable {
    abi_version: ABI_VERSION,
    table_size: std::mem::size_of::<PluginTable>() as u32,
    protocol_version: PROTOCOL_VERSION,
    manifest,
    render,
    free,
};

thread_local! {
    /// Set while this module runs plugin code, so that the panic hook records the
    /// message instead of printing it.
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that records panics raised inside a plugin call and
/// hands every other panic to the previous hook.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(Cell::get) {
                let payload = info.payload();
                let msg = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic with a non-text payload".to_string());
                let text = match info.location() {
                    Some(l) => format!("{msg} (at {}:{})", l.file(), l.line()),
                    None => msg,
                };
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into `Err(message)`.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let was = CAPTURING.with(|c| c.replace(true));
    LAST_PANIC.with(|p| p.borrow_mut().take());
    let result = catch_unwind(AssertUnwindSafe(f));
    CAPTURING.with(|c| c.set(was));
    result.map_err(|_| {
        let msg = LAST_PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "unknown panic".to_string());
        format!("the plugin panicked: {msg}")
    })
}

/// The body of the generated entry point: builds the provider once and returns the table.
/// Never unwinds.
pub fn entry(make: impl FnOnce() -> BoxedProvider) -> *const PluginTable {
    // A panic while installing the hook or building the provider is recorded and
    // reported by `manifest` and `render`; the table itself is always returned.
    let _ = catch_unwind(AssertUnwindSafe(install_panic_hook));
    let mut make = Some(make);
    let _ = catch_unwind(AssertUnwindSafe(|| {
        PROVIDER.get_or_init(|| guarded(|| (make.take().expect("called once"))()));
    }));
    &TABLE
}

fn provider() -> Result<&'static dyn Provider, String> {
    match PROVIDER.get() {
        Some(Ok(p)) => Ok(p.as_ref()),
        Some(Err(e)) => Err(format!("building the provider failed: {e}")),
        None => Err("the entry point was not called".to_string()),
    }
}

/// Moves a string into a buffer the host reads and gives back to [`free`].
fn into_buffer(text: String) -> PluginBuffer {
    let mut bytes = std::mem::ManuallyDrop::new(text.into_bytes());
    PluginBuffer {
        ptr: bytes.as_mut_ptr(),
        len: bytes.len(),
        cap: bytes.capacity(),
    }
}

fn error_json(message: &str) -> String {
    serde_json::to_string(&RenderResponse::Error {
        message: message.to_string(),
    })
    .unwrap_or_else(|_| r#"{"status":"error","message":"unprintable error"}"#.to_string())
}

/// The JSON manifest, or `{"error": "..."}` when the provider cannot describe itself.
pub fn manifest_json() -> String {
    let result = provider()
        .and_then(|p| guarded(|| p.info()))
        .and_then(|info| {
            let m = Manifest {
                name: info.name,
                version: info.version,
                description: info.description,
                abi_version: ABI_VERSION,
                protocol_version: PROTOCOL_VERSION,
                phases: info.phases.into_iter().map(WirePhase::from).collect(),
            };
            serde_json::to_string(&m).map_err(|e| format!("cannot encode the manifest: {e}"))
        });
    result.unwrap_or_else(|e| serde_json::json!({ "error": e }).to_string())
}

/// Answers one JSON render request with one JSON response; never panics.
pub fn render_json(request: &[u8]) -> String {
    let answer = || -> Result<RenderOutput, String> {
        let p = provider()?;
        let req: RenderRequest = serde_json::from_slice(request)
            .map_err(|e| format!("cannot read the render request: {e}"))?;
        if req.protocol_version.major != PROTOCOL_VERSION.major {
            return Err(format!(
                "the host speaks protocol {}, this plugin {}",
                req.protocol_version, PROTOCOL_VERSION
            ));
        }
        let phases: Vec<Phase> = req.phases.iter().filter_map(WirePhase::known).collect();
        let artifacts = if req.phases.is_empty() {
            Default::default()
        } else {
            guarded(|| p.render(&req.policy, &phases))?.map_err(|e| e.message)?
        };
        let findings = guarded(|| p.check(&req.policy))?
            .iter()
            .map(Finding::from_diagnostic)
            .collect();
        Ok(RenderOutput {
            artifacts,
            findings,
        })
    };
    match guarded(answer).and_then(|r| r) {
        Ok(out) => serde_json::to_string(&RenderResponse::Ok(out))
            .unwrap_or_else(|e| error_json(&e.to_string())),
        Err(e) => error_json(&e),
    }
}

extern "C" fn manifest() -> PluginBuffer {
    into_buffer(
        catch_unwind(manifest_json)
            .unwrap_or_else(|_| r#"{"error":"the plugin panicked"}"#.to_string()),
    )
}

extern "C" fn render(request: *const u8, len: usize) -> PluginBuffer {
    let text = catch_unwind(|| {
        let bytes: &[u8] = if request.is_null() || len == 0 {
            &[]
        } else {
            // SAFETY: the host passes a pointer to `len` initialized bytes that it owns
            // and keeps alive, unchanged, for the duration of this call (abi.rs).
            unsafe { std::slice::from_raw_parts(request, len) }
        };
        render_json(bytes)
    });
    into_buffer(text.unwrap_or_else(|_| error_json("the plugin panicked")))
}

extern "C" fn free(buffer: PluginBuffer) {
    if buffer.ptr.is_null() {
        return;
    }
    let _ = catch_unwind(|| {
        // SAFETY: `buffer` was made by `into_buffer` from a `Vec<u8>` of this very
        // library (same allocator) and the host gives each buffer back exactly once.
        drop(unsafe { Vec::from_raw_parts(buffer.ptr, buffer.len, buffer.cap) });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Artifacts, Policy, ProviderInfo, RenderError};
    use cloudwall_plugin_protocol::ProtocolVersion;

    /// Renders one file named after the deployment; panics for the name `panic`.
    struct Probe;

    impl Provider for Probe {
        fn info(&self) -> ProviderInfo {
            ProviderInfo {
                name: "probe".into(),
                version: "1.2.3".into(),
                description: String::new(),
                phases: vec![Phase::Report],
            }
        }
        fn render(&self, policy: &Policy, phases: &[Phase]) -> Result<Artifacts, RenderError> {
            if policy.deployment.name == "panic" {
                panic!("asked to panic");
            }
            if policy.deployment.name == "fail" {
                return Err(RenderError {
                    provider: "probe".into(),
                    message: "cannot render `fail`".into(),
                });
            }
            Ok(Artifacts::from([(
                format!("{}.md", policy.deployment.name),
                format!("{phases:?}"),
            )]))
        }
    }

    fn request(name: &str, version: ProtocolVersion) -> Vec<u8> {
        let policy = serde_json::json!({
            "deployment": {"name": name, "env": "prod", "providers": ["probe"], "region": null, "regions": [],
                "topology": "2-tier", "compliance": [], "public": "none", "owner": "o",
                "availability_zones": 1, "source": "p.toml"},
            "groups": [], "rules": [], "externals": [], "fqdn_egress": [], "endpoints": [],
            "access": {"strategy": null, "per_tier": {}, "origin": {"file": "p.toml", "line": 1, "col": 1}},
            "deny": [], "kubernetes": null, "spokes": [], "hosts": {}
        });
        serde_json::to_vec(
            &serde_json::json!({"protocol_version": version, "policy": policy,
            "phases": ["report", "from-the-future"]}),
        )
        .unwrap()
    }

    fn answer(bytes: &[u8]) -> RenderResponse {
        serde_json::from_str(&render_json(bytes)).unwrap()
    }

    #[test]
    fn the_exported_functions_answer_in_json_and_never_unwind() {
        let table = entry(|| Box::new(Probe));
        // SAFETY (test): `entry` returns a pointer to the static table.
        let table = unsafe { &*table };
        assert_eq!(table.abi_version, ABI_VERSION);
        assert_eq!(table.protocol_version, PROTOCOL_VERSION);

        let m: Manifest = serde_json::from_str(&manifest_json()).unwrap();
        assert_eq!((m.name.as_str(), m.version.as_str()), ("probe", "1.2.3"));

        match answer(&request("site", PROTOCOL_VERSION)) {
            RenderResponse::Ok(out) => assert_eq!(
                out.artifacts["site.md"], "[Report]",
                "unknown phases are dropped"
            ),
            other => panic!("{other:?}"),
        }
        match answer(&request("panic", PROTOCOL_VERSION)) {
            RenderResponse::Error { message } => {
                assert!(
                    message.starts_with("the plugin panicked: asked to panic (at "),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
        match answer(&request("fail", PROTOCOL_VERSION)) {
            RenderResponse::Error { message } => assert_eq!(message, "cannot render `fail`"),
            other => panic!("{other:?}"),
        }
        let future = ProtocolVersion {
            major: PROTOCOL_VERSION.major + 1,
            minor: 0,
            patch: 0,
        };
        match answer(&request("site", future)) {
            RenderResponse::Error { message } => assert!(message.contains("protocol"), "{message}"),
            other => panic!("{other:?}"),
        }
        match answer(b"{not json") {
            RenderResponse::Error { message } => assert!(
                message.starts_with("cannot read the render request"),
                "{message}"
            ),
            other => panic!("{other:?}"),
        }

        // A Policy value this plugin's protocol does not know (a newer host's protocol,
        // peer kind...) is refused with its name: a firewall plugin never guesses a rule.
        let text = "[deployment]\nname = \"site\"\n\n[[workload]]\nname = \"a\"\ntier = \"app\"\nkind = \"vm\"\n\n\
                    [[workload]]\nname = \"b\"\ntier = \"app\"\nkind = \"vm\"\n\n\
                    [[flow]]\nfrom = \"a\"\nto = \"b\"\nports = [\"9000/tcp\"]\npurpose = \"calls\"\n";
        let profile = cloudwall_core::profile::parse_str(std::path::Path::new("p.toml"), text).unwrap();
        let mut policy = serde_json::to_value(cloudwall_core::compile::compile(&profile)).unwrap();
        policy["rules"][0]["ports"]["proto"] = serde_json::json!("sctp");
        let req = serde_json::to_vec(&serde_json::json!({"protocol_version": PROTOCOL_VERSION, "policy": policy, "phases": ["report"]})).unwrap();
        match answer(&req) {
            RenderResponse::Error { message } => assert!(
                message.starts_with("cannot read the render request") && message.contains("sctp"),
                "{message}"
            ),
            other => panic!("{other:?}"),
        }

        // Buffers round-trip through the C functions.
        let req = request("site", PROTOCOL_VERSION);
        let buf = (table.render)(req.as_ptr(), req.len());
        // SAFETY (test): the buffer holds `len` bytes until it is freed below.
        let text =
            String::from_utf8(unsafe { std::slice::from_raw_parts(buf.ptr, buf.len) }.to_vec())
                .unwrap();
        (table.free)(buf);
        assert!(text.starts_with(r#"{"status":"ok""#), "{text}");
    }
}
