//! One project: the config, policies, compiled plan and file list that documents below one
//! `guardrail.toml` (or one repository without one) are checked with — what `check` would load
//! when run at the repository root.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, Config, ConfigOrigin};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::matchers::code::trees::Trees;
use crate::plan::Plan;
use crate::policy::Rule;
use crate::source::walk::{Excludes, WalkOptions};
use crate::source::{Entry, FileSet, Origin};
use crate::suppress::baseline::Baseline;
use crate::suppress::KnownRules;
use crate::{paths, Settings};

/// Which project a document belongs to: its config file, or the repository (or directory)
/// around it when there is none.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectKey {
    /// The `guardrail.toml` found by walking up from the document, if any.
    pub config: Option<PathBuf>,
    /// The directory a `check` would run from: the repository root, else the config's
    /// directory, else the document's directory.
    pub root: PathBuf,
}

impl ProjectKey {
    /// The project of a document in directory `dir` (absolute).
    pub fn of(dir: &Path) -> Self {
        let config = config::discover(dir);
        let root = paths::repository_root(dir)
            .or_else(|| config.as_ref().and_then(|c| c.parent().map(Path::to_path_buf)))
            .unwrap_or_else(|| dir.to_path_buf());
        Self { config, root }
    }
}

/// A loaded project.
pub struct Project {
    /// Where it was found.
    pub key: ProjectKey,
    settings: Settings,
    /// Every loaded rule (also those that are off), for hover and suppression checks.
    rules: Vec<Rule>,
    known: KnownRules,
    plan: Plan,
    excludes: Option<Excludes>,
    /// Identity paths the walk lists (what `check` would scan); `None` outside a repository
    /// without a config, where the project is a bare directory (say the home directory) that
    /// is not walked.
    walked: Option<HashSet<String>>,
    /// Unlisted files a save already rewalked for (a git-ignored file being edited must not
    /// rewalk the repository on every save).
    pub unlisted_seen: HashSet<PathBuf>,
    files: FileSet,
    /// Base directory of identity paths.
    base: PathBuf,
    /// Syntax trees of the last check of each document, reparsed incrementally on an edit.
    trees: Arc<Trees>,
}

impl Project {
    /// Loads the config, policies and baseline of `key`, compiles the plan and lists the files.
    pub fn load(key: &ProjectKey) -> Result<Self> {
        let config = match &key.config {
            Some(path) => {
                let mut config = Config::load(path)?;
                config.origin = ConfigOrigin::Discovered;
                config
            }
            None => Config::default(),
        };
        let root = key.root.clone();
        let mut settings = Settings::from_config(root.clone(), vec![root.clone()], config);
        if let Some(path) = settings.config.baseline.clone() {
            if std::fs::symlink_metadata(&path).is_err() {
                return Err(Error::Usage(format!(
                    "the baseline named in guardrail.toml (`baseline = \"{}\"`) does not exist; \
                     write it with `guardrail check --write-baseline`, or remove the key",
                    settings.config.baseline_as_written().unwrap_or_default()
                )));
            }
            settings.baseline = Some(Baseline::load(&path, &root)?);
        }
        let policies = crate::load_policies(&settings)?;
        let known = KnownRules::of(&policies.rules);
        let rules = policies.rules.clone();
        let plan = Plan::compile(policies.rules)?;
        let excludes = crate::excludes(&settings)?;
        let base = paths::identity_base(&root, &root);
        let mut project = Self {
            key: key.clone(),
            settings,
            rules,
            known,
            plan,
            excludes,
            walked: None,
            unlisted_seen: HashSet::new(),
            files: FileSet::default(),
            base,
            trees: Arc::default(),
        };
        project.rewalk()?;
        Ok(project)
    }

    /// Lists the project's files again (after a file was created or deleted).
    pub fn rewalk(&mut self) -> Result<()> {
        let bare = self.key.config.is_none() && paths::repository_root(&self.key.root).is_none();
        if bare {
            return Ok(());
        }
        let opts = WalkOptions {
            excludes: self.excludes.as_ref(),
            repo_ignore_files: true,
        };
        let walked = crate::source::walk::walk(std::slice::from_ref(&self.key.root), &self.key.root, opts)?;
        self.files = FileSet::from_entries(&walked.entries);
        self.walked = Some(walked.entries.into_iter().map(|e| e.rel).collect());
        Ok(())
    }

    /// The repository-relative path of `path` (absolute).
    pub fn identity(&self, path: &Path) -> String {
        paths::identity_path(path, &self.key.root, &self.base)
    }

    /// Whether the walk lists `path` (absolute); always for a project that is not walked.
    pub fn lists(&self, path: &Path) -> bool {
        self.walked
            .as_ref()
            .is_none_or(|w| w.contains(&self.identity(path)))
    }

    /// Whether `check` would scan `path`: not excluded by the config, and not left out by ignore
    /// files (a file on disk the walk did not list). A buffer not saved yet is scanned.
    pub fn scans(&self, path: &Path) -> bool {
        if self.excludes.as_ref().is_some_and(|x| x.is_excluded(path)) {
            return false;
        }
        self.lists(path) || std::fs::symlink_metadata(path).is_err()
    }

    /// Every stage of `check` for a buffer: the reported findings (inline suppressions and
    /// the baseline applied). `None` when `check` would not scan the file.
    pub fn check(&self, path: &Path, text: &str) -> Option<Vec<Finding>> {
        if !self.scans(path) {
            return None;
        }
        let entry = Entry {
            root: 0,
            rel: self.identity(path),
            display: paths::display_path(path, &self.key.root),
            origin: Origin::Memory(Arc::from(text.as_bytes())),
        };
        let engine = Engine::new(&self.plan, &self.settings)
            .known_rules(self.known.clone())
            .keep_trees(self.trees.clone());
        Some(engine.check_file(&entry, &self.files).findings)
    }

    /// A loaded rule by full id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Whether suppression comments need a reason (`require-reason` in the config).
    pub fn requires_reason(&self) -> bool {
        self.settings.require_reason
    }

    /// Whether a change to `path` (absolute) changes this project: its config, a policy
    /// file or directory it loads, or its baseline.
    pub fn depends_on(&self, path: &Path) -> bool {
        let config = &self.settings.config;
        self.key.config.as_deref() == Some(path)
            || config.policies.iter().any(|p| path.starts_with(p))
            || config.baseline.as_deref() == Some(path)
    }
}
