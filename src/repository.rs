//! Which repository and commit a report describes: what lets `guardrail report` merge the
//! JSON reports of many repositories (and of the shards of one) into one portfolio.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::shard::Shard;
use crate::source::git;

/// Names the repository in the JSON report; set it in a CI matrix where the checkout's
/// directory name says nothing (`GUARDRAIL_REPOSITORY=org/name`).
pub const NAME_VARIABLE: &str = "GUARDRAIL_REPOSITORY";

/// The repository a report describes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryInfo {
    /// `$GUARDRAIL_REPOSITORY`, else the name of the repository's top directory.
    pub name: String,
    /// The checked-out commit (`HEAD`), when there is one.
    pub commit: Option<String>,
    /// Its committer date, ISO 8601: orders reports of one repository in time.
    pub commit_date: Option<String>,
    /// The part of the files a `--shard K/N` run scanned.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<Shard>,
}

impl RepositoryInfo {
    /// Describes the repository around `cwd` (a directory outside git: its name, no commit).
    pub fn discover(cwd: &Path, shard: Option<Shard>) -> Self {
        let root = crate::paths::RepoPaths::discover(cwd).root;
        let name = std::env::var(NAME_VARIABLE)
            .ok()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| {
                root.file_name()
                    .map_or_else(|| "repository".to_string(), |n| n.to_string_lossy().into_owned())
            });
        let (commit, commit_date) = head(cwd).unzip();
        Self {
            name,
            commit,
            commit_date,
            shard,
        }
    }
}

/// `HEAD`'s id and committer date; `None` outside git or before the first commit.
fn head(cwd: &Path) -> Option<(String, String)> {
    let out = git::start(
        cwd,
        &["show", "-s", "--no-show-signature", "--format=%H%x00%cI", "HEAD"],
        None,
    )
    .ok()?
    .finish()
    .ok()?;
    let text = String::from_utf8_lossy(&out);
    let (id, date) = text.trim().split_once('\0')?;
    Some((id.to_string(), date.to_string()))
}
