//! `--format github`: one GitHub Actions workflow command per reported finding
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`), so findings show as
//! annotations on the pull request, then the summary as a plain log line.

use std::io::{self, Write};

use super::{human, Report};
use crate::finding::{Finding, Location};
use crate::policy::Severity;

/// Writes one annotation command per reported finding, then the summary line.
pub fn write(report: &Report, w: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        writeln!(w, "{}", command(f, report))?;
    }
    writeln!(w, "{}", human::summary_line(&report.summary))
}

/// The workflow command for one finding. Paths are relative to the repository root (what
/// GitHub resolves them against); columns are only given for a one-line span, because the
/// runner drops an annotation whose `col`/`endColumn` come with different lines.
pub fn command(f: &Finding, report: &Report) -> String {
    let file = report.repo.relative(&f.path).unwrap_or_else(|| f.path.clone());
    let l = f.location;
    let mut props = vec![("file", file), ("line", l.line.to_string())];
    if l != Location::FILE {
        if l.line == l.end_line {
            props.push(("col", l.column.to_string()));
            props.push(("endLine", l.end_line.to_string()));
            props.push(("endColumn", l.end_column.max(l.column).to_string()));
        } else {
            props.push(("endLine", l.end_line.to_string()));
        }
    }
    props.push(("title", f.rule.clone()));
    let props: Vec<String> = props
        .into_iter()
        .map(|(k, v)| format!("{k}={}", escape_property(&v)))
        .collect();
    let mut message = super::message_with_detail(f);
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{} {}::{}",
        command_name(f.severity),
        props.join(","),
        escape_data(&message)
    )
}

fn command_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// Escapes a command's message: `%`, CR and LF (as `@actions/core` does).
pub fn escape_data(s: &str) -> String {
    let escaped = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    // Other controls (ESC, C1) would reach the log's terminal emulation: show them instead.
    super::visible::line(&escaped).into_owned()
}

/// Escapes a property value: as [`escape_data`], plus `:` and `,`, which delimit properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_newlines_only() {
        assert_eq!(escape_data("100%: a,b\r\nc"), "100%25: a,b%0D%0Ac");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("a%b:c,d\ne"), "a%25b%3Ac%2Cd%0Ae");
    }
}
