//! Flags for the decoding and archive bounds, shared by `check` and `history`; each overrides
//! its `[decode]` / `[archives]` key of guardrail.toml.

use clap::Args;

use crate::Settings;

/// Decoding and archive bounds.
#[derive(Debug, Default, Args)]
pub struct BoundArgs {
    /// Levels of decoding inside decoding (base64 of percent-encoded text is 2); 0 turns
    /// decoding of encoded segments off [default: 2].
    #[arg(long, value_name = "LEVELS")]
    pub max_decode_depth: Option<usize>,
    /// Encoded segments decoded per file [default: 256].
    #[arg(long, value_name = "N")]
    pub max_decode_segments: Option<usize>,
    /// Decoded bytes per file [default: 1048576].
    #[arg(long, value_name = "BYTES")]
    pub max_decoded_bytes: Option<usize>,
    /// Levels of archives opened (a.zip!b.jar is 2); 0 turns archive scanning off [default: 2].
    #[arg(long, value_name = "LEVELS")]
    pub max_archive_depth: Option<usize>,
    /// Members read per archive, nested ones included [default: 10000].
    #[arg(long, value_name = "N")]
    pub max_archive_members: Option<usize>,
    /// Uncompressed bytes read per archive, nested ones included [default: 67108864].
    #[arg(long, value_name = "BYTES")]
    pub max_archive_bytes: Option<u64>,
    /// Largest uncompressed / compressed ratio of a member or gzip stream, beyond its first MiB
    /// [default: 100].
    #[arg(long, value_name = "RATIO")]
    pub max_archive_ratio: Option<u64>,
}

impl BoundArgs {
    /// Applies the flags given over the config's values.
    pub fn apply(&self, settings: &mut Settings) {
        let (d, a) = (&mut settings.decode, &mut settings.archives);
        d.max_depth = self.max_decode_depth.unwrap_or(d.max_depth);
        d.max_segments = self.max_decode_segments.unwrap_or(d.max_segments);
        d.max_bytes = self.max_decoded_bytes.unwrap_or(d.max_bytes);
        a.max_depth = self.max_archive_depth.unwrap_or(a.max_depth);
        a.max_members = self.max_archive_members.unwrap_or(a.max_members);
        a.max_bytes = self.max_archive_bytes.unwrap_or(a.max_bytes);
        a.max_ratio = self.max_archive_ratio.unwrap_or(a.max_ratio);
    }
}
