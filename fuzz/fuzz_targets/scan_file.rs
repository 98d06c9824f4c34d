//! Arbitrary bytes under an arbitrary or interesting path, scanned with every built-in rule:
//! exercises the regex, Rust (syn), document (TOML/JSON/YAML) and Cargo parsers.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// Paths that route the bytes to each structured parser.
const PATHS: &[&str] = &[
    "src/lib.rs",
    ".github/workflows/ci.yml",
    "k8s/deploy.yaml",
    "Cargo.toml",
    "Cargo.lock",
    "package.json",
    "pyproject.toml",
    "config/train.json",
    "Dockerfile",
    "app/main.py",
    "web/app.ts",
    "id_rsa",
    "models/m.onnx",
];

fn plan() -> &'static guardrail::plan::Plan {
    static PLAN: OnceLock<guardrail::plan::Plan> = OnceLock::new();
    PLAN.get_or_init(|| {
        let mut set = guardrail::policy::PolicySet::default();
        guardrail::policy::load_builtin(&mut set).expect("built-in packs load");
        guardrail::plan::Plan::compile(set.rules).expect("built-in packs compile")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (path, bytes) = match PATHS.get(usize::from(selector)) {
        Some(p) => (p.to_string(), rest),
        None => {
            // An arbitrary path name: up to the first NUL, the rest is content.
            let cut = rest.iter().position(|&b| b == 0).unwrap_or(rest.len().min(64));
            (String::from_utf8_lossy(&rest[..cut]).into_owned(), &rest[cut.min(rest.len())..])
        }
    };
    let _ = guardrail::engine::check_bytes(plan(), &path, bytes);
});
