//! Arbitrary text as guardrail.toml: parse and apply to the built-in rules without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(config) = guardrail::config::Config::parse("guardrail.toml", &text, ".".into()) {
        let mut set = guardrail::policy::PolicySet::default();
        if guardrail::policy::load_builtin(&mut set).is_ok() {
            let _ = config.apply(&mut set);
        }
    }
});
