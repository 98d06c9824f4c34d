//! The integration tests, linked as one binary: each module was once its own `tests/*.rs`
//! target. Shared helpers live in `common` (run the binary, read its JSON) and `gitrepo`
//! (throwaway git repositories).

mod action;
mod baseline;
mod cargo_rules;
mod check;
mod cli;
mod code_javascript;
mod code_python;
mod common;
mod config_baseline;
mod contexts;
mod diff;
mod documents;
mod finding_detail;
mod gate_cargo;
mod gate_config;
mod gate_output;
mod gate_sources;
mod github_format;
mod gitrepo;
mod history;
mod hostile;
mod human_output;
mod identity;
mod init;
mod labelled;
mod meta_rules;
mod no_double_report;
mod no_leak;
mod noise;
mod packs;
mod policies;
mod policy_errors;
mod precommit;
mod readme_sample;
mod rule_snapshots;
mod rules_doc;
mod run_context;
mod rust_rules;
mod sarif;
mod secret_spans;
mod select;
mod self_check;
mod staged;
