//! `--diff REV`: which lines of the working tree are new since the merge base of REV and HEAD,
//! so a pull-request gate reports only what the change introduces.
//!
//! The base is `git merge-base REV HEAD` (what `REV...HEAD` compares), so commits that landed
//! on REV after the branch was cut never show up as "changed". The other side is the working
//! tree, so the lines match the files the scan reads, and uncommitted edits and untracked files
//! (not ignored) count as new; in CI the working tree is the checked-out commit. Content
//! findings count on added or changed lines; findings about a file as a whole (path and
//! require rules) count when its path is new: added, untracked, renamed or copied.

use std::collections::HashMap;
use std::path::Path;

use super::git::{split_nul, Repo};
use super::walk::absolute;
use super::{Entry, Origin};
use crate::error::{Error, Result};
use crate::finding::{Finding, Location};
use crate::suppress::Sorted;

/// What changed in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileChange {
    /// The whole file is new (added or untracked): every line counts.
    pub whole: bool,
    /// The path is new (also renamed or copied): findings about the file itself count.
    pub path_new: bool,
    /// Added or changed lines, as inclusive 1-based ranges.
    pub lines: Vec<(usize, usize)>,
    /// Only the file's mode changed: its content is the same blob as before.
    pub same_content: bool,
}

/// Changes of the scanned files, by display path; decides which findings a `--diff` run keeps.
#[derive(Debug, Default)]
pub struct Changes {
    files: HashMap<String, FileChange>,
    /// Every file the change touches, before exclusions (config `exclude`, ignore files).
    pub changed: Vec<super::ChangedPath>,
}

impl FileChange {
    /// Whether a finding in this file lies on something the change introduced.
    pub fn covers(&self, f: &Finding) -> bool {
        if self.whole {
            return true;
        }
        if f.snippet.is_none() && f.location == Location::FILE {
            return self.path_new;
        }
        let (first, last) = (f.location.line, f.location.end_line.max(f.location.line));
        self.lines.iter().any(|&(s, e)| s <= last && first <= e)
    }
}

/// Whether the changes in `files` (by path) introduced finding `f`. For an archive member
/// (`outer.zip!inner`) the archive's lines mean nothing: every member finding counts when the
/// archive itself changed.
pub fn covered(files: &HashMap<String, FileChange>, f: &Finding) -> bool {
    match files.get(&f.path) {
        Some(c) => c.covers(f),
        None => f
            .path
            .split_once('!')
            .and_then(|(outer, _)| files.get(outer))
            .is_some_and(|c| c.whole || c.path_new || !c.lines.is_empty()),
    }
}

impl Changes {
    /// Whether a finding lies on something the change introduced.
    pub fn keeps(&self, f: &Finding) -> bool {
        covered(&self.files, f)
    }

    /// Drops reported and suppressed findings outside the change. Runs after inline
    /// suppression, so a comment on an unchanged line still silences a changed line below it,
    /// and unused-suppression notes count only where the comment itself is new.
    pub fn retain(&self, sorted: &mut Sorted) {
        sorted.active.retain(|f| self.keeps(f));
        sorted.suppressed.retain(|f| self.keeps(f));
    }
}

/// Keeps the walked entries that changed since `rev`, with their changes.
pub fn select(entries: Vec<Entry>, rev: &str, cwd: &Path) -> Result<(Vec<Entry>, Changes)> {
    let repo = Repo::discover(cwd)?;
    let by_repo_path = since(&repo, rev)?;
    let mut changes = Changes::default();
    let top = repo.toplevel_from_cwd();
    let path = |p: &str, deleted: bool| super::ChangedPath {
        display: repo.display(p),
        abs: top.join(p),
        deleted,
    };
    changes.changed = by_repo_path.keys().map(|p| path(p, false)).collect();
    changes
        .changed
        .extend(deleted_since(&repo, rev)?.iter().map(|p| path(p, true)));
    changes.changed.sort_by(|a, b| a.display.cmp(&b.display));
    let mut kept = Vec::new();
    for e in entries {
        let Origin::Disk(path) = &e.origin else {
            continue;
        };
        let abs = absolute(path, cwd);
        let rel = abs.strip_prefix(cwd).unwrap_or(&abs);
        let Some(change) = repo.repo_path(rel).and_then(|p| by_repo_path.get(&p)) else {
            continue;
        };
        changes.files.insert(e.display.clone(), change.clone());
        kept.push(e);
    }
    Ok((kept, changes))
}

/// Options of both `git diff` calls. Every changed file is text to git (`--text`: neither a
/// `-diff` attribute nor binary-looking old content hides a hunk), no textconv or external diff
/// program runs, and type changes (a symlink replaced by a file) are included.
const DIFF_OPTIONS: &[&str] = &[
    "--no-relative",
    "--no-ext-diff",
    "--no-textconv",
    "--text",
    "-M",
    "--diff-filter=ACMRTU",
];

/// Changes since the merge base of `rev` and HEAD, by repository path.
pub fn since(repo: &Repo, rev: &str) -> Result<HashMap<String, FileChange>> {
    if rev.starts_with('-') {
        return Err(Error::Usage(format!("--diff needs a revision, not `{rev}`")));
    }
    let base = merge_base(repo, rev)?;
    // `git diff` hashes working-tree files, which runs the repository's clean filters.
    let no_filters = repo.filter_overrides()?;
    let mut files = changes(repo, &no_filters, &[base.as_str()])?;
    let untracked = repo.git(&[
        "ls-files",
        "--others",
        "--exclude-standard",
        "-z",
        "--full-name",
        "--",
        ":/",
    ])?;
    for path in split_nul(&untracked) {
        let c = files.entry(path).or_default();
        c.whole = true;
        c.path_new = true;
    }
    Ok(files)
}

/// What one commit changed against its first parent (against the empty tree for a root
/// commit), by repository path: two commits, so no working-tree file and no filter is read.
pub fn of_commit(repo: &Repo, commit: &str) -> Result<HashMap<String, FileChange>> {
    let parent = match repo.git(&["rev-parse", "--verify", "--quiet", &format!("{commit}^1")]) {
        Ok(out) => String::from_utf8_lossy(&out).trim().to_string(),
        Err(_) => {
            let out = repo.git_with_input(&["hash-object", "-t", "tree", "--stdin"], Vec::new())?;
            String::from_utf8_lossy(&out).trim().to_string()
        }
    };
    changes(repo, &[], &[parent.as_str(), commit])
}

/// Changed files and their added lines between the `git diff` operands `range` (one
/// revision: against the working tree).
fn changes(repo: &Repo, config: &[(String, String)], range: &[&str]) -> Result<HashMap<String, FileChange>> {
    let mut args = vec!["diff", "--raw", "-z"];
    args.extend(DIFF_OPTIONS);
    args.extend(range);
    args.push("--");
    let mut files = parse_raw(&repo.git_with_config(config, &args)?);
    let mut args = vec![
        "diff",
        "-U0",
        "--inter-hunk-context=0",
        "--no-color",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ];
    args.extend(DIFF_OPTIONS);
    args.extend(range);
    args.push("--");
    for (path, lines) in parse_hunks(&repo.git_with_config(config, &args)?) {
        files.entry(path).or_default().lines.extend(lines);
    }
    // A changed file git shows no hunk for (a mode change aside) counts as changed throughout:
    // whatever hid its lines must not hide its findings.
    for c in files.values_mut() {
        if c.lines.is_empty() && !c.same_content {
            c.whole = true;
        }
    }
    Ok(files)
}

/// Files deleted since the merge base of `rev` and HEAD, by repository path.
fn deleted_since(repo: &Repo, rev: &str) -> Result<Vec<String>> {
    let base = merge_base(repo, rev)?;
    let no_filters = repo.filter_overrides()?;
    let mut args = vec!["diff", "--name-only", "-z"];
    args.extend(DIFF_OPTIONS.iter().filter(|a| !a.starts_with("--diff-filter")));
    args.extend(["--diff-filter=D", base.as_str(), "--"]);
    Ok(split_nul(&repo.git_with_config(&no_filters, &args)?).collect())
}

fn merge_base(repo: &Repo, rev: &str) -> Result<String> {
    let spec = format!("{rev}^{{commit}}");
    repo.git(&["rev-parse", "--verify", "--quiet", &spec])
        .map_err(|_| Error::Git(format!("`{rev}` is not a commit in this repository (in CI, fetch it: `git fetch origin {rev}`, or check out with fetch-depth: 0)")))?;
    let out = repo.git(&["merge-base", rev, "HEAD"]).map_err(|_| {
        Error::Git(format!(
            "no common ancestor of `{rev}` and HEAD (a shallow clone? fetch more history, e.g. fetch-depth: 0)"
        ))
    })?;
    let base = String::from_utf8_lossy(&out).trim().to_string();
    if base.is_empty() {
        return Err(Error::Git(format!("no common ancestor of `{rev}` and HEAD")));
    }
    Ok(base)
}

/// `--raw -z`: `:<mode> <mode> <oid> <oid> <status>\0<path>\0`, and for a rename or copy
/// (`R100`, `C090`) `\0<old>\0<new>\0`. Added files and type changes (`T`: a symlink or
/// submodule became a file) are new throughout; renames and copies have a new path.
fn parse_raw(bytes: &[u8]) -> HashMap<String, FileChange> {
    let mut files: HashMap<String, FileChange> = HashMap::new();
    let mut fields = split_nul(bytes);
    while let Some(meta) = fields.next() {
        let mut parts = meta.trim_start_matches(':').split(' ');
        let (old_oid, new_oid) = (parts.nth(2).unwrap_or(""), parts.next().unwrap_or(""));
        let status = parts.next().unwrap_or("");
        let two_paths = status.starts_with('R') || status.starts_with('C');
        if two_paths {
            fields.next();
        }
        let Some(path) = fields.next() else { break };
        let whole = status.starts_with('A') || status.starts_with('T');
        let c = files.entry(path).or_default();
        c.whole |= whole;
        c.path_new |= whole || two_paths;
        // Same blob on both sides (a mode change): no line is new. An all-zero id is a
        // working-tree file git did not hash: unknown, so not the same.
        c.same_content = !whole && old_oid == new_oid && old_oid.bytes().any(|b| b != b'0');
    }
    files
}

/// Added line ranges per file from a `-U0` patch. Hunk bodies are skipped by count, so an added
/// line that itself starts with `++ ` is never read as a file header.
fn parse_hunks(patch: &[u8]) -> Vec<(String, Vec<(usize, usize)>)> {
    let mut out: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    let mut body_left = 0usize;
    for line in patch.split(|&b| b == b'\n') {
        if body_left > 0 {
            if !line.starts_with(b"\\") {
                body_left -= 1;
            }
            continue;
        }
        if let Some(name) = line.strip_prefix(b"+++ ") {
            if let Some(path) = header_path(name) {
                out.push((path, Vec::new()));
            }
        } else if line.starts_with(b"diff ") {
            // A new file section; a deleted file has no `+++ b/` line to claim its hunks.
            out.push((String::new(), Vec::new()));
        } else if let Some((old, new)) = hunk_header(line) {
            body_left = old.1 + new.1;
            if let (Some(last), true) = (out.last_mut(), new.1 > 0) {
                last.1.push((new.0, new.0 + new.1 - 1));
            }
        }
    }
    out.retain(|(p, _)| !p.is_empty());
    out
}

/// The path of a `+++ b/<path>` line: C-quoted when it has special characters, else followed by
/// a tab when it contains a space; `None` for `/dev/null`.
fn header_path(name: &[u8]) -> Option<String> {
    let raw = if name.first() == Some(&b'"') {
        unquote(name)?
    } else {
        name.strip_suffix(b"\t").unwrap_or(name).to_vec()
    };
    let path = raw.strip_prefix(b"b/")?;
    Some(String::from_utf8_lossy(path).into_owned())
}

/// Undoes git's C-style quoting (`"a\tb\"c\303\244"`).
fn unquote(quoted: &[u8]) -> Option<Vec<u8>> {
    let inner = quoted.strip_prefix(b"\"")?;
    let end = inner.iter().rposition(|&b| b == b'"')?;
    let inner = &inner[..end];
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let b = inner[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let esc = *inner.get(i)?;
        i += 1;
        out.push(match esc {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'0'..=b'7' => {
                let digits = inner.get(i - 1..i + 2)?;
                i += 2;
                u8::from_str_radix(std::str::from_utf8(digits).ok()?, 8).ok()?
            }
            other => other,
        });
    }
    Some(out)
}

/// `@@ -a[,b] +c[,d] @@ ...` → ((a, b), (c, d)); a missing count is 1.
fn hunk_header(line: &[u8]) -> Option<((usize, usize), (usize, usize))> {
    let text = std::str::from_utf8(line.strip_prefix(b"@@ ")?).ok()?;
    let mut parts = text.split(' ');
    let old = range(parts.next()?.strip_prefix('-')?)?;
    let new = range(parts.next()?.strip_prefix('+')?)?;
    Some((old, new))
}

fn range(s: &str) -> Option<(usize, usize)> {
    match s.split_once(',') {
        Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
        None => Some((s.parse().ok()?, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_are_read_by_count_not_by_prefix() {
        let patch = b"diff --git a/sp ace.txt b/sp ace.txt\n--- a/sp ace.txt\t\n+++ b/sp ace.txt\t\n@@ -1,0 +2,2 @@ a\n+++ b\n+c\n@@ -5 +6,0 @@\n-gone\n\\ No newline at end of file\ndiff --git \"a/t\\tq\" \"b/t\\tq\"\n--- \"a/t\\tq\"\n+++ \"b/t\\tq\"\n@@ -3 +3 @@\n-x\n+y\n";
        let hunks = parse_hunks(patch);
        assert_eq!(
            hunks,
            vec![
                ("sp ace.txt".to_string(), vec![(2, 3)]),
                ("t\tq".to_string(), vec![(3, 3)]),
            ]
        );
    }

    #[test]
    fn deleted_files_claim_no_hunks() {
        let patch = b"diff --git a/x b/x\n--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        assert!(parse_hunks(patch).is_empty());
    }

    #[test]
    fn quoted_paths_unquote_octal_utf8() {
        assert_eq!(
            unquote(b"\"b/\\303\\244 \\\"q\\\"\"").unwrap(),
            "b/ä \"q\"".as_bytes()
        );
    }

    #[test]
    fn raw_status_marks_new_paths_and_type_changes() {
        let (z, a, b) = ("0".repeat(40), "a".repeat(40), "b".repeat(40));
        let raw = format!(
            ":000000 100644 {z} {z} A\0new.txt\0:100644 100644 {a} {z} M\0mod.txt\0\
             :100644 100644 {a} {b} R090\0old.txt\0moved.txt\0:120000 100644 {a} {z} T\0link\0\
             :100644 100755 {a} {a} M\0chmod.sh\0"
        );
        let files = parse_raw(raw.as_bytes());
        assert!(files["new.txt"].whole && files["new.txt"].path_new);
        assert!(!files["mod.txt"].whole && !files["mod.txt"].path_new);
        assert!(!files["mod.txt"].same_content);
        assert!(!files["moved.txt"].whole && files["moved.txt"].path_new);
        assert!(files["link"].whole && files["link"].path_new);
        assert!(files["chmod.sh"].same_content && !files["chmod.sh"].whole);
        assert_eq!(files.len(), 5);
    }
}
