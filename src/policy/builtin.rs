//! The policy packs shipped inside the binary, in a fixed load order. A pack may span several
//! files (one per matcher area); its rules share the pack's name and id prefix.

/// `(file name, text)` of every built-in policy file.
pub const PACKS: &[(&str, &str)] = &[
    ("security.toml", include_str!("../../policies/security.toml")),
    (
        "security-rust.toml",
        include_str!("../../policies/security-rust.toml"),
    ),
    (
        "security-documents.toml",
        include_str!("../../policies/security-documents.toml"),
    ),
    (
        "security-cargo.toml",
        include_str!("../../policies/security-cargo.toml"),
    ),
    ("privacy.toml", include_str!("../../policies/privacy.toml")),
    (
        "privacy-rust.toml",
        include_str!("../../policies/privacy-rust.toml"),
    ),
    (
        "privacy-documents.toml",
        include_str!("../../policies/privacy-documents.toml"),
    ),
    (
        "privacy-cargo.toml",
        include_str!("../../policies/privacy-cargo.toml"),
    ),
    ("fairness.toml", include_str!("../../policies/fairness.toml")),
    (
        "fairness-rust.toml",
        include_str!("../../policies/fairness-rust.toml"),
    ),
    (
        "fairness-documents.toml",
        include_str!("../../policies/fairness-documents.toml"),
    ),
];
