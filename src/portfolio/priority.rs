//! The priority score: which findings to fix first.
//!
//! ```text
//! score = severity × category × context × exposure × status
//!   severity  error 10 · warning 4 · note 1
//!   category  security 3 · privacy 2 · fairness 1.5
//!   context   source 1 · build 0.8 · generated 0.4 · vendored 0.4 · test 0.3 · docs 0.2
//!   exposure  2 when the file ships to clients (public/, static/, dist/, www/, bundles,
//!             mobile assets), else 1
//!   status    open 1 · baselined 0.8 (accepted unreviewed) · suppressed 0.5 (reviewed, reason)
//! ```
//!
//! Products rather than sums, so each factor scales the others: a finding in tests ranks below
//! the same finding in production code, and an error in source or tests outranks a note of the
//! same category however exposed the note is.

use super::model::Status;

/// Weight of a severity.
pub fn severity_weight(severity: &str) -> f64 {
    match severity {
        "error" => 10.0,
        "warning" => 4.0,
        _ => 1.0,
    }
}

/// Weight of a category.
pub fn category_weight(category: &str) -> f64 {
    match category {
        "security" => 3.0,
        "privacy" => 2.0,
        _ => 1.5,
    }
}

/// Weight of a file context: production code over tests and docs.
pub fn context_weight(context: &str) -> f64 {
    match context {
        "source" => 1.0,
        "build" => 0.8,
        "generated" | "vendored" => 0.4,
        "test" => 0.3,
        "docs" => 0.2,
        _ => 0.5,
    }
}

/// Weight of a status: open findings first, reviewed exceptions last.
pub fn status_weight(status: &Status) -> f64 {
    match status {
        Status::Open => 1.0,
        Status::Baselined => 0.8,
        Status::Suppressed { .. } => 0.5,
    }
}

/// Directories whose files a web or mobile build ships to clients.
const CLIENT_DIRS: &[&str] = &[
    "public", "static", "dist", "www", "wwwroot", "assets", "webroot", "htdocs", "res",
];

/// Whether a file at `path` is likely shipped to clients (browsers, mobile apps): anything in a
/// public or static directory, JavaScript bundles, and mobile app resources. A secret there is
/// readable by every user.
pub fn exposed(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let bundle = [".min.js", ".bundle.js", ".chunk.js", ".js.map"]
        .iter()
        .any(|s| name.ends_with(s));
    let mobile = name.ends_with(".plist")
        || name == "google-services.json"
        || lower.contains("/src/main/assets/")
        || lower.contains("/src/main/res/");
    let dirs = lower.split('/').rev().skip(1);
    let client_dir = dirs.into_iter().any(|d| CLIENT_DIRS.contains(&d));
    bundle || mobile || (client_dir && !lower.contains("node_modules/"))
}

/// The score, rounded to one decimal.
pub fn score(severity: &str, category: &str, context: &str, path: &str, status: &Status) -> f64 {
    let exposure = if exposed(path) { 2.0 } else { 1.0 };
    let raw = severity_weight(severity)
        * category_weight(category)
        * context_weight(context)
        * exposure
        * status_weight(status);
    (raw * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposure() {
        for p in [
            "public/config.js",
            "web/static/app.js",
            "app.min.js",
            "android/app/src/main/assets/keys.txt",
        ] {
            assert!(exposed(p), "{p}");
        }
        for p in ["src/main.rs", "server/app.js", "node_modules/x/dist/a.js"] {
            assert!(!exposed(p), "{p}");
        }
    }

    #[test]
    fn source_outranks_tests_and_errors_outrank_notes() {
        let open = Status::Open;
        assert!(
            score("error", "security", "source", "a.rs", &open)
                > score("error", "security", "test", "a.rs", &open)
        );
        assert!(
            score("note", "security", "source", "public/a.js", &open)
                < score("error", "security", "test", "a.rs", &open)
        );
        assert_eq!(score("error", "security", "source", "public/a.js", &open), 60.0);
    }
}
