//! The result of a conformance run: named checks, each passed or failed
//! with messages that say exactly what is wrong.

use std::fmt;

/// At most this many failures are listed per check (a plan of 100 requests
/// with one flaw would otherwise list it 100 times).
const MAX_FAILURES: usize = 12;

/// One named check (`manifest`, `plan: deterministic`, `parse: null`, ...)
/// and what it found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What was checked, e.g. `plan: secrets`.
    pub name: String,
    /// What is wrong; empty when the check passed.
    pub failures: Vec<String>,
    /// Remarks that do not fail the check (e.g. a declared secret no
    /// request refers to).
    pub notes: Vec<String>,
}

impl Check {
    fn new(name: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            failures: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// True when nothing is wrong.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Record a failure of this check.
    pub(crate) fn fail(&mut self, message: impl Into<String>) {
        let message = message.into();
        if self.failures.len() > MAX_FAILURES || self.failures.contains(&message) {
            return;
        }
        if self.failures.len() == MAX_FAILURES {
            self.failures.push(format!(
                "(more failures of this check left out after {MAX_FAILURES})"
            ));
        } else {
            self.failures.push(message);
        }
    }

    pub(crate) fn fail_all(&mut self, messages: impl IntoIterator<Item = String>) {
        for m in messages {
            self.fail(m);
        }
    }

    pub(crate) fn note(&mut self, message: impl Into<String>) {
        let message = message.into();
        if !self.notes.contains(&message) {
            self.notes.push(message);
        }
    }
}

/// What a conformance run found: every check in the order run.
///
/// [`Report::assert_ok`] is for tests (it panics listing every failure);
/// `Display` is for people (`icp plugins check`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// What was checked: the manifest's name and version (and the label
    /// given in the cases).
    pub subject: String,
    /// Every check, in the order run.
    pub checks: Vec<Check>,
}

impl Report {
    pub(crate) fn new(subject: impl Into<String>) -> Report {
        Report {
            subject: subject.into(),
            checks: Vec::new(),
        }
    }

    /// Start a check; the returned [`Check`] collects its failures. A
    /// second call with the same name continues that check.
    pub(crate) fn check(&mut self, name: &str) -> &mut Check {
        let i = match self.checks.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                self.checks.push(Check::new(name));
                self.checks.len() - 1
            }
        };
        &mut self.checks[i]
    }

    /// True when every check passed.
    pub fn is_ok(&self) -> bool {
        self.checks.iter().all(Check::passed)
    }

    /// The names of the checks that passed.
    pub fn passed(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter(|c| c.passed())
            .map(|c| c.name.as_str())
            .collect()
    }

    /// The checks that failed.
    pub fn failed(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.passed()).collect()
    }

    /// Every failure as `check: message`, in order.
    pub fn failures(&self) -> Vec<String> {
        self.checks
            .iter()
            .flat_map(|c| c.failures.iter().map(move |f| format!("{}: {f}", c.name)))
            .collect()
    }

    /// The check of this name, if it ran.
    pub fn get(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// Panic, listing every failure, unless every check passed. For tests:
    /// `check_plan(&source, &settings, &cases).assert_ok()`.
    #[track_caller]
    pub fn assert_ok(&self) {
        if !self.is_ok() {
            panic!("{self}");
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.checks.iter().filter(|c| !c.passed()).count();
        writeln!(
            f,
            "conformance of {}: {} of {} checks passed{}",
            self.subject,
            self.checks.len() - failed,
            self.checks.len(),
            if failed == 0 {
                String::new()
            } else {
                format!(", {failed} failed")
            }
        )?;
        for c in &self.checks {
            writeln!(
                f,
                "  {}  {}",
                if c.passed() { "ok  " } else { "FAIL" },
                c.name
            )?;
            for m in &c.failures {
                writeln!(f, "          - {m}")?;
            }
            for n in &c.notes {
                writeln!(f, "          note: {n}")?;
            }
        }
        Ok(())
    }
}
