//! When debt appeared and who accepted it: `git blame` of the matched line and of the
//! suppression comment, one `git blame --porcelain` per file for all its lines.
//!
//! git runs through [`crate::source::git`], with every program the repository configures
//! switched off (hooks, fsmonitor, filter drivers, textconv).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;

use crate::source::git::Repo;

/// The commit that last wrote a line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Blame {
    /// Full commit id.
    pub commit: String,
    /// Author name (not the email: a report is shared more widely than the repository).
    pub author: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
}

/// Blames of the asked lines: (display path, 1-based line) -> blame. Lines not committed yet,
/// and files git cannot blame (untracked, outside the repository), are left out.
pub type Blames = HashMap<(String, usize), Blame>;

/// Blames `lines` (display path relative to the repository's working directory, line), one
/// git process per file, files in parallel.
pub fn blame(repo: &Repo, lines: &[(String, usize)]) -> Blames {
    let mut per_file: HashMap<&str, BTreeSet<usize>> = HashMap::new();
    for (path, line) in lines {
        per_file.entry(path.as_str()).or_default().insert(*line);
    }
    let overrides = repo.filter_overrides().unwrap_or_default();
    let files: Vec<(&str, BTreeSet<usize>)> = per_file.into_iter().collect();
    files
        .par_iter()
        .flat_map_iter(|(path, lines)| {
            blame_file(repo, &overrides, path, lines)
                .into_iter()
                .map(move |(line, b)| ((path.to_string(), line), b))
        })
        .collect()
}

/// One file's lines; empty when git cannot blame it.
fn blame_file(
    repo: &Repo,
    overrides: &[(String, String)],
    path: &str,
    lines: &BTreeSet<usize>,
) -> HashMap<usize, Blame> {
    let ranges: Vec<String> = lines.iter().map(|l| format!("-L{l},{l}")).collect();
    let mut args = vec!["blame", "--porcelain", "--no-textconv"];
    args.extend(ranges.iter().map(String::as_str));
    args.extend(["--", path]);
    match repo.git_with_config(overrides, &args) {
        Ok(out) => parse_porcelain(&String::from_utf8_lossy(&out)),
        Err(_) => HashMap::new(),
    }
}

/// The all-zero id git blame gives lines not committed yet.
const UNCOMMITTED: &str = "0000000000000000000000000000000000000000";

/// Parses `git blame --porcelain`: each line's header `<commit> <orig> <final> [<count>]`,
/// the commit's `author` and `author-time` the first time it appears, then the line itself.
pub fn parse_porcelain(text: &str) -> HashMap<usize, Blame> {
    let mut commits: HashMap<String, (String, i64)> = HashMap::new();
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with('\t') {
            continue;
        }
        let mut words = line.split(' ');
        let first = words.next().unwrap_or("");
        if first.len() == 40 && first.bytes().all(|b| b.is_ascii_hexdigit()) {
            let final_line = words.nth(1).and_then(|n| n.parse::<usize>().ok());
            if let Some(n) = final_line {
                lines.push((n, first.to_string()));
            }
            current = Some(first.to_string());
            continue;
        }
        let Some(commit) = &current else { continue };
        let entry = commits.entry(commit.clone()).or_default();
        if let Some(name) = line.strip_prefix("author ") {
            entry.0 = name.to_string();
        } else if let Some(t) = line.strip_prefix("author-time ") {
            entry.1 = t.trim().parse().unwrap_or(0);
        }
    }
    lines
        .into_iter()
        .filter(|(_, c)| c != UNCOMMITTED)
        .filter_map(|(n, c)| {
            let (author, time) = commits.get(&c)?.clone();
            Some((
                n,
                Blame {
                    commit: c,
                    author,
                    time,
                },
            ))
        })
        .collect()
}

/// `HEAD`'s committer time: the moment ages are measured to, so the same commit gives the same
/// report whenever it is built. `None` outside git or before the first commit.
pub fn as_of(dir: &Path) -> Option<i64> {
    let out = crate::source::git::start(
        dir,
        &["show", "-s", "--no-show-signature", "--format=%ct", "HEAD"],
        None,
    )
    .ok()?
    .finish()
    .ok()?;
    String::from_utf8_lossy(&out).trim().parse().ok()
}

/// Whole days from `then` to `now`.
pub fn days_between(then: i64, now: i64) -> i64 {
    (now - then).max(0) / 86_400
}

/// `YYYY-MM-DD` (UTC) of a Unix time (the civil-from-days algorithm of Howard Hinnant).
pub fn date_of(time: i64) -> String {
    let days = time.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(1_700_000_000), "2023-11-14");
        assert_eq!(date_of(951_782_400), "2000-02-29");
    }

    #[test]
    fn porcelain_lines_get_their_commit() {
        let a = "a".repeat(40);
        let text = format!(
            "{a} 3 3 1\nauthor Ada\nauthor-mail <a@x>\nauthor-time 1000\nsummary s\nfilename f\n\tline\n\
             {a} 7 9 1\n\tother\n{UNCOMMITTED} 1 1 1\nauthor Not Committed Yet\nauthor-time 5\n\tnew\n"
        );
        let got = parse_porcelain(&text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[&3].author, "Ada");
        assert_eq!(got[&9].time, 1000);
    }
}
