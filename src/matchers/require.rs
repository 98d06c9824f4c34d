//! `[rule.require]`: a companion file must exist when a trigger file does (a model card beside
//! `*.onnx`, a `SECURITY.md` at the root). The finding is on the trigger file, at line 1.

use globset::GlobSet;

use super::{glob_set, FileContext};
use crate::error::LocatedError;
use crate::finding::Hit;
use crate::policy::raw::{RequireScope, RequireTable};
use crate::policy::Rule;

/// Compiled `[rule.require]`.
#[derive(Debug)]
pub struct RequireMatcher {
    when: GlobSet,
    companions: Vec<String>,
    scope: RequireScope,
}

impl RequireMatcher {
    /// Compiles the trigger globs; companions are names resolved per trigger.
    pub fn compile(rule: &Rule, table: &RequireTable) -> Result<Self, LocatedError> {
        Ok(Self {
            when: glob_set(rule, &table.when)?,
            companions: table.companion.iter().map(|c| c.get_ref().clone()).collect(),
            scope: table
                .scope
                .as_ref()
                .map_or(RequireScope::Sibling, |s| *s.get_ref()),
        })
    }

    /// A hit when the file is a trigger and no companion exists where the scope says.
    pub fn check(&self, cx: &FileContext<'_>, out: &mut Vec<Hit>) {
        let rel = cx.entry.rel.as_str();
        if !self.when.is_match(rel) {
            return;
        }
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let stem = name.split('.').next().unwrap_or(name);
        let dirs = self.search_dirs(dir);
        let found = dirs.iter().any(|d| {
            self.companions.iter().any(|c| {
                let candidate = c.replace("{stem}", stem);
                let path = if d.is_empty() {
                    candidate
                } else {
                    format!("{d}/{candidate}")
                };
                path != rel && cx.files.contains(cx.entry.root, &path)
            })
        });
        if !found {
            let names: Vec<String> = self
                .companions
                .iter()
                .map(|c| c.replace("{stem}", stem))
                .collect();
            out.push(Hit {
                label: Some(format!("no {} found", names.join(" or "))),
                identity: Some(rel.to_string()),
                ..Hit::file()
            });
        }
    }

    fn search_dirs(&self, dir: &str) -> Vec<String> {
        match self.scope {
            RequireScope::Sibling => vec![dir.to_string()],
            RequireScope::Root => vec![String::new()],
            RequireScope::Ancestors => {
                let mut dirs = vec![dir.to_string()];
                let mut d = dir;
                while let Some((parent, _)) = d.rsplit_once('/') {
                    dirs.push(parent.to_string());
                    d = parent;
                }
                if !dir.is_empty() {
                    dirs.push(String::new());
                }
                dirs
            }
        }
    }
}
