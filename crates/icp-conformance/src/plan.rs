//! [`check_plan`]: the conformance checks of a sans-IO source.

use std::collections::{BTreeMap, BTreeSet};

use icp_plugin_sdk::{
    Manifest, Outcome, ParseResult, Plan, PlannedRequest, Request, Response, SourceError,
};
use serde_json::Value;

use crate::cases::{ErrorKind, Expect, Expected, PlanCases, Recorded, Target};
use crate::report::Report;
use crate::requests::{Literal, list_or_none, literal_secrets, secret_problems, target_problems};
use crate::unwind::guarded;
use crate::values::{type_name, value_problem};
use crate::{
    MAX_LOG_LINES, MAX_MESSAGE_CHARS, MAX_SAMPLE_BATCH, accounts, describe, keys_text,
    manifest_checks, sample_keys, short, subject,
};

/// The size of the junk body.
const JUNK_BYTES: usize = 1 << 20;
/// Levels of `[` in the deeply nested body.
const NESTING: usize = 10_000;
/// At most this many planned requests get the bad answers.
const MAX_TARGETS: usize = 4;

/// Run every conformance check on a sans-IO source and report them.
///
/// `settings` is what the host passes to [`Plan::plan`] (the source's
/// `settings` table as JSON); it is also searched for literal secrets that
/// must never reach a request. `cases` holds the source-specific part:
/// recorded answers and their outcomes (see [`PlanCases`]).
///
/// The checks (each a line of the [`Report`]):
/// - `manifest`: see [`check_manifest`](crate::check_manifest).
/// - `plan: an empty batch`: no request, no error.
/// - `plan: one account` and `plan: a batch of max_batch (N)`: accepted;
///   request ids non-blank and unique; each request covers at least one
///   account, only accounts of the batch, at most `max_batch`; every
///   account is covered by some request.
/// - `plan: deterministic`: the same batch planned twice gives the same
///   requests (ids included).
/// - `plan: secrets`: secrets appear only as `${secret:NAME}` references to
///   secrets the manifest declares (well-formed, not percent-encoded); no
///   literal value of a secret-like setting (`api_key`, `token`, ...) and no
///   literal value in a credential header (`Authorization`, `X-Api-Key`, ...),
///   query parameter (`api_key`, `token`, ...) or JSON body member.
/// - `plan: URLs and headers`: every HTTP request goes to an `http://` or
///   `https://` URL with a host and no spaces; header names are HTTP tokens
///   and values have no line breaks; DNS names are not blank.
/// - `parse: 404 (unknown company)`: a 404 (empty or with an error body)
///   gives `NoData` (or no outcome) for every covered account, unless
///   [`PlanCases::not_found_status`] says otherwise.
/// - `parse: empty body`, `null`, malformed JSON (`{"a": 1`), a wrong shape
///   (`[]`, `"text"`, `42`), 1 MiB of junk, 10,000 nested lists: never a
///   panic; either `Err(Malformed)` / `Err(Other)` or outcomes only for the
///   request's accounts. DNS requests get empty, junk, huge and 10,000
///   answers instead.
/// - `recorded: NAME`, for each [`Recorded`] answer: the expected outcomes
///   (or error), and the same result when parsed twice.
/// - `combine: KEY`, for each [`PlanCases::combined`] account: the parts
///   of `KEY` (its planned requests and their follow-ups, answered from
///   the recorded answers, unanswered ones `Failed`) given to
///   [`Plan::combine`] give the expected outcome, the same twice, with
///   values of the manifest's types.
///
/// Every successful parse is also checked for: outcomes only for covered
/// accounts, `Found` fields that the manifest lists with values of the
/// declared type (see the crate docs), no blank `Failed` message, messages
/// and log lines under 1,000 characters, at most 100 log lines, and
/// follow-up requests that pass the request checks and cover only the
/// request's accounts. Panics are caught and reported with their message.
pub fn check_plan(plan: &dyn Plan, settings: &Value, cases: &PlanCases) -> Report {
    let manifest = match guarded(|| plan.manifest().clone()) {
        Ok(m) => m,
        Err(p) => {
            let mut r = Report::new(cases.label.clone().unwrap_or_else(|| "a source".into()));
            r.check("manifest")
                .fail(format!("`manifest` panicked: {p}"));
            return r;
        }
    };
    let mut report = Report::new(subject(&manifest, cases.label.as_deref()));
    manifest_checks(&mut report, &manifest);
    let ctx = Ctx {
        plan,
        settings,
        literals: literal_secrets(settings, &manifest.secrets),
        manifest: &manifest,
    };

    // Planning.
    {
        let c = report.check("plan: an empty batch");
        match ctx.plan(&[]) {
            Ok(reqs) if reqs.is_empty() => {}
            Ok(reqs) => c.fail(format!(
                "planned {} request(s) for no account (ids {})",
                reqs.len(),
                ids_text(&reqs)
            )),
            Err(e) => c.fail(e),
        }
    }
    let max = manifest.max_batch.max(1) as usize;
    let size = max.min(MAX_SAMPLE_BATCH);
    let batch = sample_keys(&manifest.key, &cases.sample_keys, size);
    let one = batch[..1].to_vec();

    let one_plan = ctx.planned_check(&mut report, "plan: one account", &one, max);
    let batch_name = format!("plan: a batch of max_batch ({})", manifest.max_batch);
    let batch_plan = ctx.planned_check(&mut report, &batch_name, &batch, max);
    if max > MAX_SAMPLE_BATCH {
        report.check(&batch_name).note(format!(
            "max_batch is {}: the batch checked holds {MAX_SAMPLE_BATCH} accounts",
            manifest.max_batch
        ));
    }

    {
        let c = report.check("plan: deterministic");
        for (keys, first) in [(&one, &one_plan), (&batch, &batch_plan)] {
            let Some(first) = first else { continue };
            match ctx.plan(keys) {
                Ok(second) => {
                    if let Some(d) = plan_difference(first, &second) {
                        c.fail(format!(
                            "planning {} twice gave different requests: {d}",
                            keys_text(keys)
                        ));
                    }
                }
                Err(e) => c.fail(format!("the second call: {e}")),
            }
        }
        if one_plan.is_none() && batch_plan.is_none() {
            c.fail("not run: `plan` gave no requests");
        }
    }

    let all: Vec<&PlannedRequest> = one_plan.iter().chain(batch_plan.iter()).flatten().collect();
    {
        let mut used = Vec::new();
        let c = report.check("plan: secrets");
        for r in &all {
            c.fail_all(secret_problems(
                r,
                &manifest.secrets,
                &ctx.literals,
                &mut used,
            ));
        }
        if !all.is_empty() {
            for s in &manifest.secrets {
                if !used.contains(s) {
                    c.note(format!(
                        "the manifest declares secret `{s}`, but no planned request refers to it"
                    ));
                }
            }
        }
    }
    {
        let c = report.check("plan: URLs and headers");
        for r in &all {
            c.fail_all(target_problems(r));
        }
    }

    // Parsing bad answers.
    let mut targets: Vec<&PlannedRequest> = Vec::new();
    for r in one_plan.iter().flatten().chain(
        batch_plan
            .iter()
            .flatten()
            .filter(|r| r.keys.len() > 1)
            .take(1),
    ) {
        if targets.len() < MAX_TARGETS && !targets.contains(&r) {
            targets.push(r);
        }
    }
    if targets.is_empty() {
        report
            .check("parse")
            .fail("not run: `plan` gave no request to answer");
    }
    let http: Vec<&PlannedRequest> = targets
        .iter()
        .copied()
        .filter(|r| matches!(r.request, Request::Http { .. }))
        .collect();
    let dns: Vec<&PlannedRequest> = targets
        .iter()
        .copied()
        .filter(|r| matches!(r.request, Request::Dns { .. }))
        .collect();

    if let Some(status) = cases.not_found_status
        && !http.is_empty()
    {
        let name = if status == 404 {
            "parse: 404 (unknown company)".to_string()
        } else {
            format!("parse: {status} (unknown company)")
        };
        let c = report.check(&name);
        for body in [
            "",
            r#"{"error": {"type": "not_found", "message": "Company not found"}}"#,
        ] {
            for r in &http {
                c.fail_all(ctx.not_found(r, status, body));
            }
        }
    }
    if !http.is_empty() {
        for (name, body) in http_junk() {
            let c = report.check(name);
            for r in &http {
                let resp = response(r, 200, body.clone(), Vec::new());
                c.fail_all(ctx.junk(r, &resp));
            }
        }
    }
    if !dns.is_empty() {
        for (name, answers) in dns_junk() {
            let c = report.check(name);
            for r in &dns {
                let resp = response(r, 0, String::new(), answers.clone());
                c.fail_all(ctx.junk(r, &resp));
            }
        }
    }

    // Recorded answers.
    for case in &cases.recorded {
        let c = report.check(&format!("recorded: {}", case.name));
        c.fail_all(ctx.recorded(case));
    }

    // Combined answers.
    for (key, expect) in &cases.combined {
        let c = report.check(&format!("combine: {}", short(key, 80)));
        c.fail_all(ctx.combined(key, expect, &cases.recorded));
    }
    report
}

/// Follow-ups answered per combined account, at most (the host's limit).
const MAX_FOLLOW_UP_DEPTH: usize = 4;

/// The text of the `Failed` part for a request no recorded answer answers.
const UNANSWERED: &str =
    "conformance: no recorded answer for this request (as if the host could not perform it)";

struct Ctx<'a> {
    plan: &'a dyn Plan,
    settings: &'a Value,
    manifest: &'a Manifest,
    literals: Vec<Literal>,
}

impl Ctx<'_> {
    /// Plan `keys`; a panic or an error is a message.
    fn plan(&self, keys: &[String]) -> Result<Vec<PlannedRequest>, String> {
        let accounts = accounts(keys);
        match guarded(|| self.plan.plan(&accounts, self.settings)) {
            Err(p) => Err(format!("`plan` panicked for {}: {p}", keys_text(keys))),
            Ok(Err(e)) => Err(format!(
                "`plan` failed for {}: {} ({e})",
                keys_text(keys),
                ErrorKind::of(&e).name()
            )),
            Ok(Ok(v)) => Ok(v),
        }
    }

    /// Plan `keys` as the check `name`, checking ids, coverage and batch size.
    fn planned_check(
        &self,
        report: &mut Report,
        name: &str,
        keys: &[String],
        max: usize,
    ) -> Option<Vec<PlannedRequest>> {
        let c = report.check(name);
        match self.plan(keys) {
            Ok(reqs) => {
                c.fail_all(coverage_problems(&reqs, keys, max));
                Some(reqs)
            }
            Err(e) => {
                c.fail(e);
                None
            }
        }
    }

    fn parse(
        &self,
        req: &PlannedRequest,
        resp: &Response,
    ) -> Result<Result<ParseResult, SourceError>, String> {
        guarded(|| self.plan.parse(req, resp))
    }

    /// A bad answer: no panic; Malformed / Other, or valid outcomes.
    fn junk(&self, req: &PlannedRequest, resp: &Response) -> Vec<String> {
        let at = request_text(req);
        match self.parse(req, resp) {
            Err(p) => vec![format!("{at}: parse panicked: {p}")],
            Ok(Err(e)) => {
                let mut out = error_length(&at, &e);
                match ErrorKind::of(&e) {
                    ErrorKind::Malformed | ErrorKind::Other => {}
                    ErrorKind::Stopped => out.push(format!(
                        "{at}: parse stopped the source ({e}): a bad answer is Malformed; only a refused key or spent credits stop a source"
                    )),
                    ErrorKind::Settings => out.push(format!(
                        "{at}: parse gave a settings error ({e}): a bad answer is Malformed"
                    )),
                }
                out
            }
            Ok(Ok(res)) => self.result_problems(req, &res),
        }
    }

    /// The provider's "unknown company" status: NoData for every covered key.
    fn not_found(&self, req: &PlannedRequest, status: u16, body: &str) -> Vec<String> {
        let at = request_text(req);
        let what = if body.is_empty() {
            format!("a {status} with an empty body")
        } else {
            format!("a {status} with an error body")
        };
        match self.parse(req, &response(req, status, body.to_string(), Vec::new())) {
            Err(p) => vec![format!("{at}: parse of {what} panicked: {p}")],
            Ok(Err(e)) => vec![format!(
                "{at}: {what} gave an error ({}: {e}): an unknown company is NoData for every covered account (if this provider's {status} means something else, set PlanCases::not_found_status)",
                ErrorKind::of(&e).name()
            )],
            Ok(Ok(res)) => {
                let mut out = self.result_problems(req, &res);
                for k in &req.keys {
                    match res.outcomes.get(k) {
                        None | Some(Outcome::NoData) => {}
                        Some(o) => out.push(format!(
                            "{at}: {what} gave `{k}` {}: an unknown company is NoData (if this provider's {status} means something else, set PlanCases::not_found_status)",
                            describe(o)
                        )),
                    }
                }
                out
            }
        }
    }

    fn recorded(&self, case: &Recorded) -> Vec<String> {
        let req = match &case.target {
            Target::Request(r) => (**r).clone(),
            Target::Plan { keys, index } => match self.plan(keys) {
                Err(e) => return vec![e],
                Ok(reqs) => match reqs.into_iter().nth(*index) {
                    Some(r) => r,
                    None => {
                        return vec![format!(
                            "`plan` gave no request #{index} for {}",
                            keys_text(keys)
                        )];
                    }
                },
            },
        };
        let mut resp = case.response.clone();
        resp.id = req.id.clone();
        if matches!(req.request, Request::Http { .. }) && resp.header("content-type").is_none() {
            resp.headers
                .push(("Content-Type".into(), "application/json".into()));
        }
        let at = request_text(&req);
        let first = self.parse(&req, &resp);
        let mut out = Vec::new();
        if let Ok(second) = self.parse(&req, &resp)
            && let Ok(first) = &first
            && *first != second
        {
            out.push(format!(
                "{at}: parsing the same answer twice gave different results"
            ));
        }
        let result = match first {
            Err(p) => {
                out.push(format!("{at}: parse panicked: {p}"));
                return out;
            }
            Ok(r) => r,
        };
        match (&case.expected, result) {
            (Expected::Error(kind), Err(e)) => {
                if ErrorKind::of(&e) != *kind {
                    out.push(format!(
                        "{at}: expected a {} error, got {}: {e}",
                        kind.name(),
                        ErrorKind::of(&e).name()
                    ));
                }
                out.extend(error_length(&at, &e));
            }
            (Expected::Error(kind), Ok(res)) => out.push(format!(
                "{at}: expected a {} error, got outcomes: {}",
                kind.name(),
                outcomes_text(&res)
            )),
            (Expected::Outcomes(_), Err(e)) => out.push(format!(
                "{at}: expected outcomes, got a {} error: {e}",
                ErrorKind::of(&e).name()
            )),
            (Expected::Outcomes(list), Ok(res)) => {
                if list.is_empty() {
                    out.push(
                        "the case expects nothing: add .found(..), .no_data(..), .queued(..), .failed(..) or .error(..)"
                            .to_string(),
                    );
                }
                out.extend(self.result_problems(&req, &res));
                for (key, expect) in list {
                    if !req.keys.contains(key) {
                        out.push(format!(
                            "the case expects an outcome for `{key}`, which {at} does not cover"
                        ));
                        continue;
                    }
                    if let Some(p) = expectation_problem(key, expect, res.outcomes.get(key)) {
                        out.push(format!("{at}: {p}"));
                    }
                }
            }
        }
        out
    }

    /// The request a recorded case answers.
    fn case_request(&self, case: &Recorded) -> Result<PlannedRequest, String> {
        match &case.target {
            Target::Request(r) => Ok((**r).clone()),
            Target::Plan { keys, index } => {
                self.plan(keys)?.into_iter().nth(*index).ok_or_else(|| {
                    format!(
                        "case `{}`: `plan` gave no request #{index} for {}",
                        case.name,
                        keys_text(keys)
                    )
                })
            }
        }
    }

    /// Plan `key` alone, answer every request covering it from `recorded`
    /// (follow-ups too), combine the parts and check the outcome.
    fn combined(&self, key: &str, expect: &Expect, recorded: &[Recorded]) -> Vec<String> {
        let mut out = Vec::new();
        let keys = vec![key.to_string()];
        let planned = match self.plan(&keys) {
            Ok(p) => p,
            Err(e) => return vec![e],
        };
        // Recorded answers by request id, for requests covering `key`.
        let mut answers: BTreeMap<String, (&Recorded, PlannedRequest)> = BTreeMap::new();
        for case in recorded {
            let req = match self.case_request(case) {
                Ok(r) => r,
                Err(e) => {
                    out.push(e);
                    continue;
                }
            };
            if !req.keys.iter().any(|k| k == key) {
                continue;
            }
            if let Some((other, _)) = answers.get(&req.id) {
                out.push(format!(
                    "cases `{}` and `{}` both answer request `{}`: combine `{key}` needs one answer per request",
                    other.name, case.name, req.id
                ));
                continue;
            }
            answers.insert(req.id.clone(), (case, req));
        }
        let mut parts: Vec<(String, Outcome)> = Vec::new();
        let mut wave: Vec<PlannedRequest> = planned
            .into_iter()
            .filter(|r| r.keys.iter().any(|k| k == key))
            .collect();
        for depth in 0..=MAX_FOLLOW_UP_DEPTH {
            let mut next = Vec::new();
            for req in &wave {
                let Some((case, recorded_req)) = answers.get(&req.id) else {
                    parts.push((
                        req.id.clone(),
                        Outcome::Failed {
                            message: UNANSWERED.to_string(),
                        },
                    ));
                    continue;
                };
                let mut resp = case.response.clone();
                resp.id = recorded_req.id.clone();
                if matches!(recorded_req.request, Request::Http { .. })
                    && resp.header("content-type").is_none()
                {
                    resp.headers
                        .push(("Content-Type".into(), "application/json".into()));
                }
                match self.parse(recorded_req, &resp) {
                    Err(p) => {
                        out.push(format!(
                            "{}: parse panicked: {p}",
                            request_text(recorded_req)
                        ));
                        return out;
                    }
                    Ok(Err(e)) => parts.push((
                        req.id.clone(),
                        Outcome::Failed {
                            message: e.to_string(),
                        },
                    )),
                    Ok(Ok(res)) => {
                        if let Some(o) = res.outcomes.get(key) {
                            parts.push((req.id.clone(), o.clone()));
                        }
                        if depth < MAX_FOLLOW_UP_DEPTH {
                            next.extend(
                                res.follow_ups
                                    .into_iter()
                                    .filter(|f| f.keys.iter().any(|k| k == key)),
                            );
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            wave = next;
        }
        let first = match guarded(|| self.plan.combine(key, parts.clone())) {
            Ok(o) => o,
            Err(p) => {
                out.push(format!("`combine` panicked for `{key}`: {p}"));
                return out;
            }
        };
        match guarded(|| self.plan.combine(key, parts.clone())) {
            Ok(second) if second != first => out.push(format!(
                "combining the same parts of `{key}` twice gave different outcomes: {}",
                crate::outcome_change(Some(&first), Some(&second))
            )),
            Ok(_) => {}
            Err(p) => out.push(format!(
                "`combine` panicked the second time for `{key}`: {p}"
            )),
        }
        let probe = PlannedRequest {
            id: format!("combine({key})"),
            keys: keys.clone(),
            request: Request::Dns {
                name: key.to_string(),
                record_type: icp_plugin_sdk::DnsRecordType::A,
            },
        };
        let result = ParseResult {
            outcomes: BTreeMap::from([(key.to_string(), first.clone())]),
            ..ParseResult::default()
        };
        out.extend(self.result_problems(&probe, &result));
        if let Some(p) = expectation_problem(key, expect, Some(&first)) {
            out.push(format!("combine: {p}"));
        }
        out
    }

    /// What is wrong with a successful parse of an answer to `req`.
    fn result_problems(&self, req: &PlannedRequest, res: &ParseResult) -> Vec<String> {
        let at = request_text(req);
        let mut out = Vec::new();
        let m = self.manifest;
        for (key, outcome) in &res.outcomes {
            if !req.keys.contains(key) {
                out.push(format!(
                    "{at}: an outcome for `{}`, which the request does not cover: outcomes are only for the request's keys",
                    short(key, 80)
                ));
            }
            match outcome {
                Outcome::Found { fields } => {
                    if fields.is_empty() {
                        out.push(format!(
                            "{at}: `{key}` is Found with no fields: that is NoData"
                        ));
                    }
                    for (name, v) in fields {
                        let Some(spec) = m.fields.iter().find(|f| &f.name == name) else {
                            out.push(format!(
                                "{at}: `{key}` has field `{name}`, which the manifest does not list (it lists {})",
                                list_or_none(&m.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>())
                            ));
                            continue;
                        };
                        if let Some(p) = value_problem(spec.ty, v) {
                            out.push(format!(
                                "{at}: `{key}` field `{name}` ({}) {p}",
                                type_name(spec.ty)
                            ));
                        }
                    }
                }
                Outcome::Failed { message } => {
                    if message.trim().is_empty() {
                        out.push(format!(
                            "{at}: `{key}` is Failed without a message: say what went wrong"
                        ));
                    }
                    if message.chars().count() > MAX_MESSAGE_CHARS {
                        out.push(format!(
                            "{at}: `{key}` has a Failed message of {} characters: keep it under {MAX_MESSAGE_CHARS} (does it quote the body?)",
                            message.chars().count()
                        ));
                    }
                }
                Outcome::NoData | Outcome::Queued => {}
            }
        }
        if res.logs.len() > MAX_LOG_LINES {
            out.push(format!(
                "{at}: {} log lines for one answer: at most {MAX_LOG_LINES}",
                res.logs.len()
            ));
        }
        if let Some(long) = res
            .logs
            .iter()
            .find(|l| l.chars().count() > MAX_MESSAGE_CHARS)
        {
            out.push(format!(
                "{at}: a log line of {} characters: keep it under {MAX_MESSAGE_CHARS} (does it quote the body?)",
                long.chars().count()
            ));
        }
        let mut ids = BTreeSet::new();
        let mut used = Vec::new();
        for f in &res.follow_ups {
            if f.id.trim().is_empty() {
                out.push(format!("{at}: a follow-up request has a blank id"));
            } else if !ids.insert(f.id.as_str()) {
                out.push(format!("{at}: follow-up id `{}` is used twice", f.id));
            }
            if f.keys.is_empty() {
                out.push(format!("{at}: follow-up `{}` covers no account", f.id));
            }
            for k in &f.keys {
                if !req.keys.contains(k) {
                    out.push(format!(
                        "{at}: follow-up `{}` covers `{}`, which the request does not cover",
                        f.id,
                        short(k, 80)
                    ));
                }
            }
            out.extend(target_problems(f));
            out.extend(secret_problems(f, &m.secrets, &self.literals, &mut used));
        }
        out
    }
}

fn expectation_problem(key: &str, expect: &Expect, got: Option<&Outcome>) -> Option<String> {
    let got_text = got.map_or_else(|| "no outcome".to_string(), describe);
    match (expect, got) {
        (Expect::NoData, None | Some(Outcome::NoData)) => None,
        (Expect::Queued, Some(Outcome::Queued)) => None,
        (Expect::Failed, Some(Outcome::Failed { .. })) => None,
        (Expect::Found(want), Some(Outcome::Found { fields })) => {
            let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
            let have: BTreeSet<&str> = fields.keys().map(String::as_str).collect();
            if want == have {
                return None;
            }
            let missing: Vec<&str> = want.difference(&have).copied().collect();
            let extra: Vec<&str> = have.difference(&want).copied().collect();
            let mut parts = Vec::new();
            if !missing.is_empty() {
                parts.push(format!("missing {}", missing.join(", ")));
            }
            if !extra.is_empty() {
                parts.push(format!("unexpected {}", extra.join(", ")));
            }
            Some(format!(
                "`{key}` is Found with other fields than expected: {}",
                parts.join("; ")
            ))
        }
        (Expect::Found(_), _) => Some(format!("`{key}`: expected Found, got {got_text}")),
        (Expect::NoData, _) => Some(format!("`{key}`: expected NoData, got {got_text}")),
        (Expect::Queued, _) => Some(format!("`{key}`: expected Queued, got {got_text}")),
        (Expect::Failed, _) => Some(format!("`{key}`: expected Failed, got {got_text}")),
    }
}

fn error_length(at: &str, e: &SourceError) -> Vec<String> {
    let n = e.to_string().chars().count();
    if n > MAX_MESSAGE_CHARS {
        vec![format!(
            "{at}: an error message of {n} characters: keep it under {MAX_MESSAGE_CHARS} (does it quote the body?)"
        )]
    } else {
        Vec::new()
    }
}

/// Ids, coverage and batch size of one plan of `keys`.
fn coverage_problems(reqs: &[PlannedRequest], keys: &[String], max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let wanted: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
    let mut ids = BTreeSet::new();
    let mut covered = BTreeSet::new();
    for r in reqs {
        if r.id.trim().is_empty() {
            out.push(format!(
                "a request for {} has a blank id",
                keys_text(&r.keys)
            ));
        } else if !ids.insert(r.id.as_str()) {
            out.push(format!(
                "request id `{}` is used twice: ids are unique within one plan (responses carry them back)",
                r.id
            ));
        }
        if r.keys.is_empty() {
            out.push(format!(
                "request `{}` covers no account: each request names the account keys it is for",
                r.id
            ));
        }
        let outside: Vec<&str> = r
            .keys
            .iter()
            .map(String::as_str)
            .filter(|k| !wanted.contains(k))
            .collect();
        if !outside.is_empty() {
            out.push(format!(
                "request `{}` covers {}, which the batch does not hold: a request covers only accounts of the batch",
                r.id,
                names_text(&outside)
            ));
        }
        let mut seen = BTreeSet::new();
        if let Some(twice) = r.keys.iter().find(|k| !seen.insert(k.as_str())) {
            out.push(format!(
                "request `{}` lists `{}` twice",
                r.id,
                short(twice, 80)
            ));
        }
        if r.keys.len() > max {
            out.push(format!(
                "request `{}` covers {} accounts, more than max_batch {max}",
                r.id,
                r.keys.len()
            ));
        }
        covered.extend(r.keys.iter().map(String::as_str));
    }
    let uncovered: Vec<&str> = wanted.difference(&covered).copied().collect();
    if !uncovered.is_empty() {
        out.push(format!(
            "no request covers {} of the {}-account batch: every account must be covered by a request",
            names_text(&uncovered),
            keys.len()
        ));
    }
    out
}

/// The first difference between two plans of the same batch.
fn plan_difference(a: &[PlannedRequest], b: &[PlannedRequest]) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("{} requests, then {}", a.len(), b.len()));
    }
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x.id != y.id {
            return Some(format!("request #{i} has id `{}`, then `{}`", x.id, y.id));
        }
        if x.keys != y.keys {
            return Some(format!(
                "request `{}` covers {}, then {}",
                x.id,
                keys_text(&x.keys),
                keys_text(&y.keys)
            ));
        }
        if x.request != y.request {
            let what = match (&x.request, &y.request) {
                (
                    Request::Http {
                        method: m1,
                        url: u1,
                        headers: h1,
                        body: b1,
                    },
                    Request::Http {
                        method: m2,
                        url: u2,
                        headers: h2,
                        body: b2,
                    },
                ) => {
                    if m1 != m2 {
                        "the method"
                    } else if u1 != u2 {
                        "the URL"
                    } else if h1 != h2 {
                        "the headers"
                    } else if b1 != b2 {
                        "the body"
                    } else {
                        "the request"
                    }
                }
                _ => "the request",
            };
            return Some(format!("request `{}` differs in {what}", x.id));
        }
    }
    None
}

/// The synthetic answers for HTTP requests, by check name.
fn http_junk() -> Vec<(&'static str, String)> {
    vec![
        ("parse: empty body", String::new()),
        ("parse: null", "null".to_string()),
        ("parse: malformed JSON", r#"{"a": 1"#.to_string()),
        ("parse: a list where an object belongs", "[]".to_string()),
        (
            "parse: text where an object belongs",
            r#""text""#.to_string(),
        ),
        ("parse: a number where an object belongs", "42".to_string()),
        ("parse: 1 MiB of junk", junk(JUNK_BYTES)),
        (
            "parse: 10,000 nested lists",
            format!("{}{}", "[".repeat(NESTING), "]".repeat(NESTING)),
        ),
    ]
}

/// The synthetic answers for DNS requests, by check name.
fn dns_junk() -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("parse (DNS): no answers", Vec::new()),
        (
            "parse (DNS): junk answers",
            vec![
                String::new(),
                "\u{1}\u{2}\u{7f}".to_string(),
                "not a record".to_string(),
                r#"{"a": 1"#.to_string(),
                "10".to_string(),
            ],
        ),
        ("parse (DNS): a 1 MiB answer", vec![junk(JUNK_BYTES)]),
        (
            "parse (DNS): 10,000 answers",
            vec!["10 mx.conformance.invalid.".to_string(); 10_000],
        ),
    ]
}

/// `n` bytes of printable ASCII noise (deterministic).
fn junk(n: usize) -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b' ' + (x % 95) as u8)
        })
        .collect()
}

fn response(req: &PlannedRequest, status: u16, body: String, answers: Vec<String>) -> Response {
    Response {
        id: req.id.clone(),
        status,
        headers: if matches!(req.request, Request::Http { .. }) {
            vec![("Content-Type".into(), "application/json".into())]
        } else {
            Vec::new()
        },
        body,
        answers,
    }
}

fn request_text(req: &PlannedRequest) -> String {
    format!("request `{}` ({})", req.id, keys_text(&req.keys))
}

fn ids_text(reqs: &[PlannedRequest]) -> String {
    names_text(&reqs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>())
}

/// `a`, `b`, `c` and 4 more.
fn names_text(names: &[&str]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(3)
        .map(|n| format!("`{}`", short(n, 80)))
        .collect();
    if names.len() > 3 {
        format!("{} and {} more", shown.join(", "), names.len() - 3)
    } else {
        shown.join(", ")
    }
}

fn outcomes_text(res: &ParseResult) -> String {
    if res.outcomes.is_empty() {
        return "none".to_string();
    }
    let parts: BTreeMap<&str, String> = res
        .outcomes
        .iter()
        .take(5)
        .map(|(k, o)| (k.as_str(), describe(o)))
        .collect();
    parts
        .iter()
        .map(|(k, o)| format!("`{k}` {o}"))
        .collect::<Vec<_>>()
        .join(", ")
}
