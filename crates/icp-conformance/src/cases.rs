//! What a source's own test hands to [`check_plan`](crate::check_plan):
//! sample keys, what "unknown company" looks like, and recorded answers with
//! the outcomes they must give.

use icp_plugin_sdk::{PlannedRequest, Response, SourceError};

/// The kind of a [`SourceError`], for expectations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// [`SourceError::Settings`].
    Settings,
    /// [`SourceError::Malformed`].
    Malformed,
    /// [`SourceError::Stopped`].
    Stopped,
    /// [`SourceError::Other`].
    Other,
}

impl ErrorKind {
    /// The kind of `e`.
    pub fn of(e: &SourceError) -> ErrorKind {
        match e {
            SourceError::Settings(_) => ErrorKind::Settings,
            SourceError::Malformed(_) => ErrorKind::Malformed,
            SourceError::Stopped(_) => ErrorKind::Stopped,
            SourceError::Other(_) => ErrorKind::Other,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            ErrorKind::Settings => "Settings",
            ErrorKind::Malformed => "Malformed",
            ErrorKind::Stopped => "Stopped",
            ErrorKind::Other => "Other",
        }
    }
}

/// The outcome a recorded answer must give one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `Found` with exactly these field names (in any order).
    Found(Vec<String>),
    /// `NoData`, or no outcome at all (the host reads an account no answer
    /// mentions as no data).
    NoData,
    /// `Queued`.
    Queued,
    /// `Failed`, with any message.
    Failed,
}

impl Expect {
    /// `Found` with exactly these field names.
    pub fn found(fields: &[&str]) -> Expect {
        Expect::Found(fields.iter().map(|f| f.to_string()).collect())
    }
}

/// Which request a recorded answer answers.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// The `index`-th request the source plans for these keys.
    Plan { keys: Vec<String>, index: usize },
    /// This request, as given.
    Request(Box<PlannedRequest>),
}

/// What a recorded answer must give.
#[derive(Clone, Debug)]
pub(crate) enum Expected {
    Outcomes(Vec<(String, Expect)>),
    Error(ErrorKind),
}

/// A recorded answer (a fixture) and the outcomes `parse` must give for it.
///
/// ```
/// use icp_conformance::Recorded;
/// let case = Recorded::new("unknown company", &["nosuch.example"], 404, "{}")
///     .no_data("nosuch.example");
/// ```
#[derive(Clone, Debug)]
pub struct Recorded {
    pub(crate) name: String,
    pub(crate) target: Target,
    pub(crate) response: Response,
    pub(crate) expected: Expected,
}

impl Recorded {
    /// The answer (`status`, `body`) to the first request the source plans
    /// for the accounts `keys` (one key for a single lookup, several for a
    /// bulk call). `name` names the case in the report, e.g. the fixture's
    /// path. The response gets `Content-Type: application/json` unless
    /// [`Recorded::header`] sets it.
    pub fn new(
        name: impl Into<String>,
        keys: &[&str],
        status: u16,
        body: impl Into<String>,
    ) -> Self {
        Recorded {
            name: name.into(),
            target: Target::Plan {
                keys: keys.iter().map(|k| k.to_string()).collect(),
                index: 0,
            },
            response: Response {
                id: String::new(),
                status,
                headers: Vec::new(),
                body: body.into(),
                answers: Vec::new(),
            },
            expected: Expected::Outcomes(Vec::new()),
        }
    }

    /// The answer to this request as given (e.g. a follow-up request).
    /// The response's `id` is set to the request's.
    pub fn for_request(
        name: impl Into<String>,
        request: PlannedRequest,
        response: Response,
    ) -> Self {
        Recorded {
            name: name.into(),
            target: Target::Request(Box::new(request)),
            response,
            expected: Expected::Outcomes(Vec::new()),
        }
    }

    /// Answer the `index`-th planned request instead of the first (for a
    /// source that plans several requests per account, e.g. MX and TXT).
    pub fn nth_request(mut self, index: usize) -> Self {
        if let Target::Plan { index: i, .. } = &mut self.target {
            *i = index;
        }
        self
    }

    /// A response header, as recorded.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.response.headers.push((name.into(), value.into()));
        self
    }

    /// DNS answers (records as text), for a DNS request; the status is 0.
    pub fn answers<S: Into<String>>(mut self, answers: impl IntoIterator<Item = S>) -> Self {
        self.response.answers = answers.into_iter().map(Into::into).collect();
        self
    }

    /// Account `key` must get `expect`.
    pub fn expect(mut self, key: impl Into<String>, expect: Expect) -> Self {
        match &mut self.expected {
            Expected::Outcomes(list) => list.push((key.into(), expect)),
            Expected::Error(_) => self.expected = Expected::Outcomes(vec![(key.into(), expect)]),
        }
        self
    }

    /// Account `key` must be `Found` with exactly these fields.
    pub fn found(self, key: impl Into<String>, fields: &[&str]) -> Self {
        self.expect(key, Expect::found(fields))
    }

    /// Account `key` must get `NoData` (or no outcome).
    pub fn no_data(self, key: impl Into<String>) -> Self {
        self.expect(key, Expect::NoData)
    }

    /// Account `key` must be `Queued`.
    pub fn queued(self, key: impl Into<String>) -> Self {
        self.expect(key, Expect::Queued)
    }

    /// Account `key` must get `Failed`.
    pub fn failed(self, key: impl Into<String>) -> Self {
        self.expect(key, Expect::Failed)
    }

    /// The whole call must fail with an error of this kind.
    pub fn error(mut self, kind: ErrorKind) -> Self {
        self.expected = Expected::Error(kind);
        self
    }
}

/// The source-specific part of [`check_plan`](crate::check_plan). The
/// defaults suit a source keyed by domain whose provider answers 404 for an
/// unknown company; a test usually only adds [`Recorded`] answers:
///
/// ```
/// use icp_conformance::{PlanCases, Recorded};
/// let cases = PlanCases::new()
///     .label("clearbit")
///     .recorded(Recorded::new("unknown", &["nosuch.example"], 404, "").no_data("nosuch.example"));
/// ```
#[derive(Clone, Debug)]
pub struct PlanCases {
    pub(crate) label: Option<String>,
    pub(crate) sample_keys: Vec<String>,
    pub(crate) not_found_status: Option<u16>,
    pub(crate) recorded: Vec<Recorded>,
    pub(crate) combined: Vec<(String, Expect)>,
}

impl Default for PlanCases {
    fn default() -> Self {
        PlanCases {
            label: None,
            sample_keys: Vec::new(),
            not_found_status: Some(404),
            recorded: Vec::new(),
            combined: Vec::new(),
        }
    }
}

impl PlanCases {
    /// The defaults: generated sample keys, 404 means "unknown company",
    /// no recorded answers.
    pub fn new() -> Self {
        PlanCases::default()
    }

    /// A label for the report's title, e.g. the preset (`clearbit`).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Account keys to plan with, first in every sample batch (the rest is
    /// generated from the manifest's key kind: `conformance-1.com`,
    /// `person1@conformance-1.com` or `conformance_1`).
    pub fn sample_keys<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        self.sample_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The HTTP status the provider answers for a company it does not know
    /// (default 404), which must give `NoData` for every covered account;
    /// `None` when the provider has no such status (the check is skipped).
    pub fn not_found_status(mut self, status: Option<u16>) -> Self {
        self.not_found_status = status;
        self
    }

    /// A recorded answer and the outcomes it must give.
    pub fn recorded(mut self, case: Recorded) -> Self {
        self.recorded.push(case);
        self
    }

    /// What [`Plan::combine`](icp_plugin_sdk::Plan::combine) must give
    /// account `key` from the recorded answers, for a source that asks
    /// several questions per account (a page and its DNS records).
    ///
    /// The kit plans `key` alone and answers each planned request (and
    /// each follow-up `parse` asks for, as the host would) with the
    /// recorded answer for that request id that covers `key`; a request
    /// without one is a `Failed` part, as when the host could not perform
    /// it. The parts go to `combine` in planned order; the outcome must
    /// match `expect`, be the same when combined twice, and have values
    /// of the manifest's types. With no recorded answer for `key` at all,
    /// every part fails: `expect` is then usually [`Expect::Failed`].
    pub fn combined(mut self, key: impl Into<String>, expect: Expect) -> Self {
        self.combined.push((key.into(), expect));
        self
    }
}
