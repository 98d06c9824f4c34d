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
mod diff;
mod documents;
mod gate_cargo;
mod gate_config;
mod gate_output;
mod gate_sources;
mod github_format;
mod gitrepo;
mod history;
mod hostile;
mod identity;
mod init;
mod labelled;
mod meta_rules;
mod no_double_report;
mod no_leak;
mod packs;
mod policies;
mod policy_errors;
mod precommit;
mod rules_doc;
mod run_context;
mod rust_rules;
mod sarif;
mod self_check;
mod staged;
