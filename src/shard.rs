//! `--shard K/N`: a deterministic 1/N of the files, for a monorepo too large for one CI job.
//!
//! A file's shard depends on its repository-relative path alone (a hash of it), so adding or
//! removing other files never moves it, and every machine agrees. The shards partition the
//! files: merged shard reports hold exactly the findings of the unsharded report.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// One shard of N: `index` is 1-based, as written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// Which shard, 1..=count.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl Shard {
    /// Parses `K/N` with 1 <= K <= N.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || {
            Error::Usage(format!(
                "--shard {text}: expected K/N with 1 <= K <= N (e.g. 2/8)"
            ))
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }

    /// Whether the file at repository path `rel` belongs to this shard.
    pub fn contains(&self, rel: &str) -> bool {
        shard_of(rel, self.count) == self.index
    }
}

/// The 1-based shard of `rel` among `count`: the first 8 bytes of its SHA-256, modulo `count`.
/// A cryptographic hash only because sha2 is already here and its output is the same on every
/// platform and release (std's hashers promise neither).
pub fn shard_of(rel: &str, count: usize) -> usize {
    let digest = Sha256::digest(rel.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % count as u64) as usize + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Shard::parse("2/8").ok(), Some(Shard { index: 2, count: 8 }));
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_the_paths() {
        let paths: Vec<String> = (0..500).map(|i| format!("src/m{i}/f.rs")).collect();
        let mut sizes = [0usize; 4];
        for p in &paths {
            let owners: Vec<usize> = (1..=4)
                .filter(|&k| Shard { index: k, count: 4 }.contains(p))
                .collect();
            assert_eq!(owners.len(), 1, "{p}");
            sizes[owners[0] - 1] += 1;
        }
        assert!(sizes.iter().all(|&n| n > 80), "roughly even: {sizes:?}");
    }
}
