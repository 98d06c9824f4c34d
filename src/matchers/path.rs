//! `[rule.path]`: files that must not exist in the repository (`id_rsa`, `*.pem`, `.env`).
//! A finding points at line 1 of the file; the content is never read.

use globset::GlobSet;

use super::{glob_set, FileContext};
use crate::error::LocatedError;
use crate::finding::Hit;
use crate::policy::raw::PathTable;
use crate::policy::Rule;

/// Compiled `[rule.path]`.
#[derive(Debug)]
pub struct PathMatcher {
    files: GlobSet,
}

impl PathMatcher {
    /// Compiles the table's globs.
    pub fn compile(rule: &Rule, table: &PathTable) -> Result<Self, LocatedError> {
        Ok(Self {
            files: glob_set(rule, &table.files)?,
        })
    }

    /// A hit when the file's path matches.
    pub fn check(&self, cx: &FileContext<'_>, out: &mut Vec<Hit>) {
        if self.files.is_match(&*crate::paths::scope_path(&cx.entry.rel)) {
            out.push(Hit::file());
        }
    }
}
