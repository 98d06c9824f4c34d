//! Arbitrary text as a policy file: load, validate and compile must return Ok or a located
//! error, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut set = guardrail::policy::PolicySet::default();
    if guardrail::policy::load_str(&mut set, "fuzz.toml", &text, false).is_ok() {
        let _ = guardrail::plan::Plan::compile(set.rules);
    }
});
