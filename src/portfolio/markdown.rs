//! `--format markdown`: a compact summary for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`: totals, the repositories, "fix these first", the oldest debt and
//! the trend, each a short table.

use std::fmt::Write as _;

use super::model::{ItemView, Portfolio, Row};

/// Items shown per list: a comment stays short.
const SHOWN: usize = 10;

/// The summary.
pub fn render(p: &Portfolio) -> String {
    let mut out = String::new();
    let t = &p.totals;
    let _ = writeln!(out, "## {}\n", text(&p.title));
    let _ = writeln!(
        out,
        "**{} open** ({} errors, {} warnings, {} notes) · **{} baselined** · **{} suppressed** · {} files in {} repositor{}{}\n",
        t.open,
        t.errors,
        t.warnings,
        t.notes,
        t.baselined,
        t.suppressed,
        t.files_scanned,
        t.repositories,
        if t.repositories == 1 { "y" } else { "ies" },
        p.as_of.as_deref().map(|d| format!(" · as of {}", text(d))).unwrap_or_default(),
    );
    if p.repositories.len() > 1 {
        repositories(&mut out, p);
    }
    table(&mut out, "By category", "category", &p.by_category);
    table(&mut out, "By owner", "owner", &p.by_owner);
    items(&mut out, p, "Fix these first", &p.fix_first);
    debt(&mut out, p);
    trend(&mut out, p);
    out
}

/// Markdown-inert text: characters that would start markup or break a table are escaped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '\\' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn repositories(out: &mut String, p: &Portfolio) {
    out.push_str("### Repositories\n\n| repository | commit | open | errors | baselined | suppressed | files |\n|---|---|--:|--:|--:|--:|--:|\n");
    for r in &p.repositories {
        let commit = r.commit.as_deref().map_or("", |c| c.get(..8).unwrap_or(c));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            text(&r.name),
            text(commit),
            r.open,
            r.errors,
            r.baselined,
            r.suppressed,
            r.files_scanned
        );
    }
    out.push('\n');
}

fn table(out: &mut String, title: &str, key: &str, rows: &[Row]) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n\n| {key} | open | debt |\n|---|--:|--:|");
    for r in rows.iter().take(SHOWN) {
        let _ = writeln!(out, "| {} | {} | {} |", text(&r.key), r.open, r.debt);
    }
    out.push('\n');
}

fn place(i: &ItemView) -> String {
    format!("{}:{}", text(&i.path), i.line)
}

fn items(out: &mut String, p: &Portfolio, title: &str, list: &[ItemView]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "### {title}\n\n| score | rule | where | status | owner |\n|--:|---|---|---|---|"
    );
    for i in list.iter().take(SHOWN) {
        let owner = match (&p.codeowners, i.owners.is_empty()) {
            (None, _) => "—".to_string(),
            (Some(_), true) => "unowned".to_string(),
            (Some(_), false) => text(&i.owners.join(" ")),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            i.score,
            text(&i.rule),
            place(i),
            i.status,
            owner
        );
    }
    out.push('\n');
}

fn debt(out: &mut String, p: &Portfolio) {
    let d = &p.debt;
    if d.oldest.is_empty() {
        return;
    }
    let median = d
        .median_age_days
        .map(|m| format!(", median age {m} days"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "### Oldest debt\n\n{} baselined, {} suppressed ({} without a reason){median}.\n\n| age | rule | where | reason | suppressed by |\n|--:|---|---|---|---|",
        d.baselined, d.suppressed, d.without_reason
    );
    for i in d.oldest.iter().take(SHOWN) {
        let age = i
            .introduced
            .as_ref()
            .and_then(|x| x.age_days)
            .map_or("?".to_string(), |a| format!("{a} d"));
        let by = i
            .suppressed_by
            .as_ref()
            .map_or("—".to_string(), |s| format!("{} {}", text(&s.author), s.date));
        let reason = match (i.status, &i.reason) {
            ("baselined", _) => "baseline".to_string(),
            (_, Some(r)) => text(r),
            (_, None) => "(none)".to_string(),
        };
        let _ = writeln!(
            out,
            "| {age} | {} | {} | {reason} | {by} |",
            text(&i.rule),
            place(i)
        );
    }
    out.push('\n');
}

fn trend(out: &mut String, p: &Portfolio) {
    if p.trend.is_empty() {
        return;
    }
    out.push_str("### Trend\n\n| snapshot | date | open | baselined | suppressed |\n|---|---|--:|--:|--:|\n");
    for t in &p.trend {
        let date = t
            .date
            .as_deref()
            .map_or(String::new(), |d| text(d.get(..10).unwrap_or(d)));
        let _ = writeln!(
            out,
            "| {} | {date} | {} | {} | {} |",
            text(&t.label),
            t.open,
            t.baselined,
            t.suppressed
        );
    }
    out.push('\n');
}
