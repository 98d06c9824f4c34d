//! The policy packs shipped inside the binary, in a fixed load order.

/// `(file name, text)` of every built-in pack.
pub const PACKS: &[(&str, &str)] = &[
    ("security.toml", include_str!("../../policies/security.toml")),
    ("privacy.toml", include_str!("../../policies/privacy.toml")),
    ("fairness.toml", include_str!("../../policies/fairness.toml")),
];
