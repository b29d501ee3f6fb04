//! Rendering profile diagnostics with the offending text underlined.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use codespan_reporting::term::{self, Config};
use icp_core::{Diagnostic, Severity};

/// Print diagnostics for `src` (named `name`) to stderr.
pub fn emit(name: &str, src: &str, diags: &[Diagnostic]) {
    let file = SimpleFile::new(name, src);
    let choice = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let writer = StandardStream::stderr(choice);
    let config = Config::default();
    for d in diags {
        let report = to_report(d, src);
        let _ = term::emit_to_write_style(&mut writer.lock(), &config, &file, &report);
    }
}

fn to_report(d: &Diagnostic, src: &str) -> Report<()> {
    let severity = match d.severity {
        Severity::Error => ReportSeverity::Error,
        Severity::Warning => ReportSeverity::Warning,
    };
    let mut r = Report::new(severity).with_message(&d.message);
    if let Some(span) = &d.span {
        let span = span.start.min(src.len())..span.end.min(src.len());
        r = r.with_labels(vec![Label::primary((), span).with_message(&d.label)]);
    }
    if let Some(h) = &d.help {
        r = r.with_notes(vec![format!("help: {h}")]);
    }
    r
}
