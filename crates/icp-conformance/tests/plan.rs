//! The kit on a small sans-IO source: the good version passes, and each
//! deliberate flaw fails exactly the check it should, with a message that
//! says what is wrong.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

use icp_conformance::{ErrorKind, Expect, PlanCases, Recorded, Report, check_plan};
use icp_plugin_sdk::{
    Account, Category, FieldSpec, FieldType, HttpMethod, Manifest, Outcome, ParseResult, Plan,
    PlannedRequest, RateLimit, Request, Response, SourceError, Unit, Window, secret_ref,
};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flaw {
    None,
    PanicsOnMalformedJson,
    LeaksLiteralKey,
    PlansKeyOutsideBatch,
    NondeterministicIds,
    OutcomesForOtherKeys,
    DropsAnAccount,
    NonHttpUrl,
    UndeclaredSecret,
    UndeclaredField,
    NumberAsWord,
    NotFoundFails,
    StopsOnJunk,
    EchoesBody,
}

/// A bulk company lookup by domain, three per call:
/// `GET https://api.tiny.example/companies?domains=a,b,c` answering
/// `{"companies": {"a.com": {"name": ..., "employees": ...}}}`.
struct Tiny {
    manifest: Manifest,
    flaw: Flaw,
    calls: AtomicU64,
}

fn tiny(flaw: Flaw) -> Tiny {
    let field = |name: &str, ty| FieldSpec {
        name: name.into(),
        ty,
        about: String::new(),
    };
    Tiny {
        manifest: Manifest {
            name: "tiny".into(),
            version: "1.0.0".into(),
            category: Category::Firmographic,
            key: "domain".into(),
            fields: vec![
                field("name", FieldType::Text),
                field("employees", FieldType::Number),
                field("technologies", FieldType::List),
                field("last_funding_date", FieldType::Date),
            ],
            max_batch: 3,
            limits: vec![RateLimit {
                count: 10,
                per: "1s".into(),
                window: Window::Sliding,
                unit: Unit::Calls,
            }],
            cost_per_call: 1.0,
            secrets: vec!["api_key".into()],
            untrusted_hosts: false,
        },
        flaw,
        calls: AtomicU64::new(0),
    }
}

impl Plan for Tiny {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn plan(
        &self,
        accounts: &[Account],
        settings: &Value,
    ) -> Result<Vec<PlannedRequest>, SourceError> {
        let mut keys: Vec<String> = accounts.iter().map(|a| a.key.clone()).collect();
        if self.flaw == Flaw::DropsAnAccount && keys.len() > 1 {
            keys.pop();
        }
        let mut out = Vec::new();
        for (n, chunk) in keys.chunks(3).enumerate() {
            let mut keys = chunk.to_vec();
            if self.flaw == Flaw::PlansKeyOutsideBatch {
                keys.push("extra.example".into());
            }
            let id = if self.flaw == Flaw::NondeterministicIds {
                format!("req-{}", self.calls.fetch_add(1, Ordering::Relaxed))
            } else {
                format!("req-{n}")
            };
            let key = match self.flaw {
                Flaw::LeaksLiteralKey => settings["api_key"].as_str().unwrap_or("").to_string(),
                Flaw::UndeclaredSecret => secret_ref("token"),
                _ => secret_ref("api_key"),
            };
            let scheme = if self.flaw == Flaw::NonHttpUrl {
                "ftp"
            } else {
                "https"
            };
            out.push(PlannedRequest {
                id,
                request: Request::Http {
                    method: HttpMethod::Get,
                    url: format!(
                        "{scheme}://api.tiny.example/companies?domains={}",
                        chunk.join(",")
                    ),
                    headers: vec![("X-Api-Key".into(), key)],
                    body: None,
                },
                keys,
            });
        }
        Ok(out)
    }

    fn parse(
        &self,
        request: &PlannedRequest,
        response: &Response,
    ) -> Result<ParseResult, SourceError> {
        let mut out = ParseResult::default();
        let all = |o: Outcome| -> ParseResult {
            ParseResult {
                outcomes: request
                    .keys
                    .iter()
                    .map(|k| (k.clone(), o.clone()))
                    .collect(),
                ..ParseResult::default()
            }
        };
        if self.flaw == Flaw::OutcomesForOtherKeys {
            out.outcomes
                .insert("someone-else.com".into(), Outcome::NoData);
        }
        match response.status {
            404 if self.flaw == Flaw::NotFoundFails => {
                return Ok(all(Outcome::Failed {
                    message: "HTTP 404".into(),
                }));
            }
            404 => return Ok(all(Outcome::NoData)),
            200..=299 => {}
            s => {
                return Ok(all(Outcome::Failed {
                    message: format!("HTTP {s}"),
                }));
            }
        }
        if response.body.trim().is_empty() {
            out.outcomes
                .extend(request.keys.iter().map(|k| (k.clone(), Outcome::NoData)));
            return Ok(out);
        }
        let body: Value = match serde_json::from_str(&response.body) {
            Ok(v) => v,
            Err(e) => match self.flaw {
                Flaw::PanicsOnMalformedJson => panic!("unexpected answer: {e}"),
                Flaw::StopsOnJunk => return Err(SourceError::Stopped(e.to_string())),
                Flaw::EchoesBody => {
                    return Err(SourceError::Malformed(format!(
                        "not JSON: {}",
                        response.body
                    )));
                }
                _ => return Err(SourceError::Malformed(format!("not JSON ({e})"))),
            },
        };
        let companies = match &body {
            Value::Null => &serde_json::Map::new(),
            Value::Object(o) => match o.get("companies") {
                Some(Value::Object(c)) => c,
                None | Some(Value::Null) => &serde_json::Map::new(),
                Some(_) => return Err(SourceError::Malformed("companies is not an object".into())),
            },
            _ => return Err(SourceError::Malformed("expected an object".into())),
        };
        for key in &request.keys {
            let outcome = match companies.get(key) {
                Some(Value::Object(c)) => {
                    let mut fields: BTreeMap<String, Value> = c
                        .iter()
                        .filter(|(k, v)| {
                            !v.is_null()
                                && (self.flaw == Flaw::UndeclaredField
                                    || self.manifest.fields.iter().any(|f| &&f.name == k))
                        })
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    if self.flaw == Flaw::NumberAsWord && fields.contains_key("employees") {
                        fields.insert("employees".into(), json!("large"));
                    }
                    if fields.is_empty() {
                        Outcome::NoData
                    } else {
                        Outcome::Found { fields }
                    }
                }
                _ => Outcome::NoData,
            };
            out.outcomes.insert(key.clone(), outcome);
        }
        Ok(out)
    }
}

const COMPANY: &str = r#"{"companies": {
    "brightlane.io": {"name": "Brightlane", "employees": 240, "technologies": ["Salesforce"], "last_funding_date": "2023-04-01", "ticker": null},
    "kestrel.co.uk": {"name": "Kestrel", "employees": "11-50"}
}}"#;

fn settings() -> Value {
    json!({ "api_key": "sk_live_0123456789abcdef", "auth": { "secret": "api_key" } })
}

fn cases() -> PlanCases {
    PlanCases::new()
        .label("test")
        .sample_keys(["brightlane.io"])
        .recorded(
            Recorded::new(
                "bulk answer",
                &["brightlane.io", "kestrel.co.uk", "ghost.example"],
                200,
                COMPANY,
            )
            .found(
                "brightlane.io",
                &["employees", "last_funding_date", "name", "technologies"],
            )
            .found("kestrel.co.uk", &["name", "employees"])
            .no_data("ghost.example"),
        )
        .recorded(
            Recorded::new("unknown", &["ghost.example"], 404, "")
                .expect("ghost.example", Expect::NoData),
        )
        .recorded(Recorded::new("refused", &["a.com"], 400, "{}").failed("a.com"))
        .recorded(Recorded::new("not JSON", &["a.com"], 200, "<html>").error(ErrorKind::Malformed))
}

fn run(flaw: Flaw) -> Report {
    check_plan(&tiny(flaw), &settings(), &cases())
}

fn failed_checks(r: &Report) -> BTreeSet<String> {
    r.failed().iter().map(|c| c.name.clone()).collect()
}

/// Exactly `checks` failed, and the failures mention each of `messages`.
#[track_caller]
fn fails(r: &Report, checks: &[&str], messages: &[&str]) {
    let want: BTreeSet<String> = checks.iter().map(|s| s.to_string()).collect();
    assert_eq!(failed_checks(r), want, "\n{r}");
    let all = r.failures().join("\n");
    for m in messages {
        assert!(all.contains(m), "missing {m:?} in\n{r}");
    }
    assert!(!r.is_ok());
}

#[test]
fn a_good_source_passes_every_check() {
    let r = run(Flaw::None);
    r.assert_ok();
    let names: Vec<&str> = r.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "manifest",
            "plan: an empty batch",
            "plan: one account",
            "plan: a batch of max_batch (3)",
            "plan: deterministic",
            "plan: secrets",
            "plan: URLs and headers",
            "parse: 404 (unknown company)",
            "parse: empty body",
            "parse: null",
            "parse: malformed JSON",
            "parse: a list where an object belongs",
            "parse: text where an object belongs",
            "parse: a number where an object belongs",
            "parse: 1 MiB of junk",
            "parse: 10,000 nested lists",
            "recorded: bulk answer",
            "recorded: unknown",
            "recorded: refused",
            "recorded: not JSON",
        ]
    );
    let text = r.to_string();
    assert!(
        text.starts_with(
            "conformance of tiny 1.0.0 (test): 20 of 20 checks passed\n  ok    manifest\n"
        ),
        "{text}"
    );
}

#[test]
fn a_panic_on_malformed_json_is_caught_and_named() {
    let r = run(Flaw::PanicsOnMalformedJson);
    fails(
        &r,
        &[
            "parse: malformed JSON",
            "parse: 1 MiB of junk",
            "parse: 10,000 nested lists",
            "recorded: not JSON",
        ],
        &[
            "parse: malformed JSON: request `req-0` (`brightlane.io`): parse panicked: unexpected answer: EOF while parsing an object",
        ],
    );
}

#[test]
fn a_literal_key_is_a_leak() {
    let r = run(Flaw::LeaksLiteralKey);
    fails(
        &r,
        &["plan: secrets"],
        &[
            "request `req-0`: header `X-Api-Key` carries the literal value of setting `api_key`",
            "request `req-0`: header `X-Api-Key` has a literal value, not a ${secret:NAME} reference",
        ],
    );
    // The report never shows the secret itself.
    assert!(!r.to_string().contains("sk_live_0123456789abcdef"), "{r}");
    // And notes that the declared secret is unused.
    let c = r.get("plan: secrets").unwrap();
    assert_eq!(
        c.notes,
        ["the manifest declares secret `api_key`, but no planned request refers to it"]
    );
}

#[test]
fn an_undeclared_secret_is_named() {
    let r = run(Flaw::UndeclaredSecret);
    fails(
        &r,
        &["plan: secrets"],
        &[
            "request `req-0`: header `X-Api-Key` refers to ${secret:token}, but the manifest's `secrets` does not declare `token` (declared: `api_key`)",
        ],
    );
}

#[test]
fn a_key_outside_the_batch() {
    let r = run(Flaw::PlansKeyOutsideBatch);
    fails(
        &r,
        &[
            "plan: one account",
            "plan: a batch of max_batch (3)",
            // The recorded answers are planned too; their outcomes stay
            // within the request, so only the plan checks fail.
        ],
        &[
            "plan: one account: request `req-0` covers `extra.example`, which the batch does not hold",
            "plan: a batch of max_batch (3): request `req-0` covers 4 accounts, more than max_batch 3",
        ],
    );
}

#[test]
fn a_dropped_account() {
    let r = run(Flaw::DropsAnAccount);
    fails(
        &r,
        &["plan: a batch of max_batch (3)", "recorded: bulk answer"],
        &[
            "no request covers `conformance-2.com` of the 3-account batch",
            "the case expects an outcome for `ghost.example`, which request `req-0` (`brightlane.io`, `kestrel.co.uk`) does not cover",
        ],
    );
}

#[test]
fn nondeterministic_ids() {
    let r = run(Flaw::NondeterministicIds);
    fails(
        &r,
        &["plan: deterministic"],
        &[
            "planning `brightlane.io` twice gave different requests: request #0 has id `req-0`, then `req-2`",
        ],
    );
}

#[test]
fn outcomes_for_keys_the_request_does_not_cover() {
    let r = run(Flaw::OutcomesForOtherKeys);
    let failed = failed_checks(&r);
    for c in ["parse: empty body", "parse: null", "recorded: bulk answer"] {
        assert!(failed.contains(c), "{c}\n{r}");
    }
    assert!(
        r.failures().contains(
            &"parse: null: request `req-0` (`brightlane.io`): an outcome for `someone-else.com`, which the request does not cover: outcomes are only for the request's keys"
                .to_string()
        ),
        "{r}"
    );
}

#[test]
fn a_non_http_url() {
    let r = run(Flaw::NonHttpUrl);
    fails(
        &r,
        &["plan: URLs and headers"],
        &[
            "request `req-0`: `ftp://api.tiny.example/companies?domains=brightlane.io` is not an http(s) URL",
        ],
    );
}

#[test]
fn fields_outside_the_manifest_and_of_the_wrong_type() {
    let body = r#"{"companies": {"a.com": {"name": "A", "revenue": 5}}}"#;
    let cases = PlanCases::new().recorded(
        Recorded::new("revenue", &["a.com"], 200, body).found("a.com", &["name", "revenue"]),
    );
    let r = check_plan(&tiny(Flaw::UndeclaredField), &settings(), &cases);
    fails(
        &r,
        &["recorded: revenue"],
        &[
            "`a.com` has field `revenue`, which the manifest does not list (it lists `name`, `employees`, `technologies`, `last_funding_date`)",
        ],
    );

    let r = run(Flaw::NumberAsWord);
    fails(
        &r,
        &["recorded: bulk answer"],
        &[
            "`brightlane.io` field `employees` (number) is \"large\": expected a JSON number, or text with a figure, range or band such as \"51-200\"",
        ],
    );
}

#[test]
fn a_404_that_is_not_no_data() {
    let r = run(Flaw::NotFoundFails);
    fails(
        &r,
        &["parse: 404 (unknown company)", "recorded: unknown"],
        &[
            "a 404 with an empty body gave `brightlane.io` Failed (\"HTTP 404\"): an unknown company is NoData",
            "`ghost.example`: expected NoData, got Failed (\"HTTP 404\")",
        ],
    );
    // A source whose provider says "unknown" otherwise can skip the check.
    let cases = PlanCases::new().not_found_status(None);
    check_plan(&tiny(Flaw::NotFoundFails), &settings(), &cases).assert_ok();
}

#[test]
fn junk_must_not_stop_the_source_or_flood_messages() {
    let r = run(Flaw::StopsOnJunk);
    assert!(failed_checks(&r).contains("parse: malformed JSON"), "{r}");
    assert!(
        r.failures().iter().any(|f| f.contains(
            "parse stopped the source (stopped: EOF while parsing an object at line 1 column 7): a bad answer is Malformed"
        )),
        "{r}"
    );
    assert!(
        r.failures()
            .iter()
            .any(|f| f == "recorded: not JSON: request `req-0` (`a.com`): expected a Malformed error, got Stopped: stopped: expected value at line 1 column 1"),
        "{r}"
    );

    let r = run(Flaw::EchoesBody);
    fails(
        &r,
        &["parse: 1 MiB of junk", "parse: 10,000 nested lists"],
        &["an error message of 1048606 characters: keep it under 1000 (does it quote the body?)"],
    );
}

#[test]
fn recorded_expectations_are_compared_field_by_field() {
    let cases = PlanCases::new()
        .recorded(
            Recorded::new("company", &["brightlane.io"], 200, COMPANY)
                .found("brightlane.io", &["name", "revenue"]),
        )
        .recorded(Recorded::new("queued", &["a.com"], 202, "").queued("a.com"))
        .recorded(Recorded::new("nothing expected", &["a.com"], 200, ""))
        .recorded(Recorded::new("an error expected", &["a.com"], 200, "").error(ErrorKind::Stopped))
        .recorded(
            Recorded::new("no such request", &["a.com"], 200, "")
                .nth_request(2)
                .no_data("a.com"),
        );
    let r = check_plan(&tiny(Flaw::None), &settings(), &cases);
    fails(
        &r,
        &[
            "recorded: company",
            "recorded: queued",
            "recorded: nothing expected",
            "recorded: an error expected",
            "recorded: no such request",
        ],
        &[
            "recorded: company: request `req-0` (`brightlane.io`): `brightlane.io` is Found with other fields than expected: missing revenue; unexpected employees, last_funding_date, technologies",
            "recorded: queued: request `req-0` (`a.com`): `a.com`: expected Queued, got NoData",
            "recorded: nothing expected: the case expects nothing",
            "recorded: an error expected: request `req-0` (`a.com`): expected a Stopped error, got outcomes: `a.com` NoData",
            "recorded: no such request: `plan` gave no request #2 for `a.com`",
        ],
    );
}

#[test]
fn manifest_problems_are_listed() {
    let mut src = tiny(Flaw::None);
    src.manifest.max_batch = 0;
    src.manifest.version = " ".into();
    src.manifest.fields[0].name = "Company Name".into();
    src.manifest.secrets.push("api key}".into());
    src.manifest.limits[0].per = "fortnight".into();
    src.manifest.cost_per_call = -1.0;
    let r = icp_conformance::check_manifest(&src.manifest);
    fails(
        &r,
        &["manifest"],
        &[
            "source `tiny` has max_batch 0: use 1 for sources without a bulk endpoint",
            "source `tiny` has an unusable limit 10 per \"fortnight\"",
            "source `tiny` has no version",
            "field name \"Company Name\" is not snake_case",
            "secret name \"api key}\" is not usable in ${secret:NAME}",
            "cost_per_call -1 must be a finite number of credits, 0 or more",
        ],
    );
}

/// A source that plans DNS lookups gets DNS-shaped bad answers.
struct Mx(Manifest);

impl Plan for Mx {
    fn manifest(&self) -> &Manifest {
        &self.0
    }
    fn plan(&self, accounts: &[Account], _: &Value) -> Result<Vec<PlannedRequest>, SourceError> {
        Ok(accounts
            .iter()
            .enumerate()
            .map(|(i, a)| PlannedRequest {
                id: format!("mx-{i}"),
                keys: vec![a.key.clone()],
                request: Request::Dns {
                    name: a.key.clone(),
                    record_type: icp_plugin_sdk::DnsRecordType::Mx,
                },
            })
            .collect())
    }
    fn parse(&self, req: &PlannedRequest, resp: &Response) -> Result<ParseResult, SourceError> {
        let hosts: Vec<Value> = resp
            .answers
            .iter()
            .filter_map(|a| a.split_whitespace().nth(1))
            .map(|h| json!(h.trim_end_matches('.')))
            .collect();
        let outcome = if hosts.is_empty() {
            Outcome::NoData
        } else {
            Outcome::Found {
                fields: BTreeMap::from([("mail_hosts".to_string(), Value::Array(hosts))]),
            }
        };
        Ok(ParseResult {
            outcomes: BTreeMap::from([(req.keys[0].clone(), outcome)]),
            ..ParseResult::default()
        })
    }
}

#[test]
fn dns_sources_get_dns_answers() {
    let mut m = tiny(Flaw::None).manifest;
    m.name = "mx".into();
    m.max_batch = 1;
    m.secrets.clear();
    m.fields = vec![FieldSpec {
        name: "mail_hosts".into(),
        ty: FieldType::List,
        about: String::new(),
    }];
    let cases = PlanCases::new().recorded(
        Recorded::new("google", &["a.com"], 0, "")
            .answers(["1 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com."])
            .found("a.com", &["mail_hosts"]),
    );
    let r = check_plan(&Mx(m), &Value::Null, &cases);
    r.assert_ok();
    assert!(r.get("parse (DNS): 10,000 answers").is_some());
    assert!(r.get("parse: 404 (unknown company)").is_none());
}

/// A source that asks two questions per domain (its homepage and its MX
/// records) and weighs them in `combine`: found if either answered,
/// failed naming both otherwise.
struct Two {
    manifest: Manifest,
    /// `combine` returns a field the manifest does not list.
    leaks_field: bool,
}

fn two(leaks_field: bool) -> Two {
    let mut m = tiny(Flaw::None).manifest;
    m.name = "two".into();
    m.max_batch = 1;
    m.secrets.clear();
    m.limits.clear();
    m.fields = vec![
        FieldSpec {
            name: "title".into(),
            ty: FieldType::Text,
            about: String::new(),
        },
        FieldSpec {
            name: "mail_hosts".into(),
            ty: FieldType::List,
            about: String::new(),
        },
    ];
    Two {
        manifest: m,
        leaks_field,
    }
}

impl Plan for Two {
    fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    fn plan(&self, accounts: &[Account], _: &Value) -> Result<Vec<PlannedRequest>, SourceError> {
        let mut out = Vec::new();
        for a in accounts {
            out.push(PlannedRequest {
                id: format!("{}#home", a.key),
                keys: vec![a.key.clone()],
                request: Request::Http {
                    method: HttpMethod::Get,
                    url: format!("https://{}/", a.key),
                    headers: Vec::new(),
                    body: None,
                },
            });
            out.push(PlannedRequest {
                id: format!("{}#mx", a.key),
                keys: vec![a.key.clone()],
                request: Request::Dns {
                    name: a.key.clone(),
                    record_type: icp_plugin_sdk::DnsRecordType::Mx,
                },
            });
        }
        Ok(out)
    }

    fn parse(&self, req: &PlannedRequest, resp: &Response) -> Result<ParseResult, SourceError> {
        let key = req.keys[0].clone();
        let outcome = match &req.request {
            Request::Http { .. } if resp.status == 200 && !resp.body.trim().is_empty() => {
                Outcome::Found {
                    fields: BTreeMap::from([("title".to_string(), json!(resp.body.trim()))]),
                }
            }
            Request::Http { .. } => Outcome::NoData,
            Request::Dns { .. } if resp.answers.is_empty() => Outcome::NoData,
            Request::Dns { .. } => Outcome::Found {
                fields: BTreeMap::from([("mail_hosts".to_string(), json!(resp.answers))]),
            },
        };
        Ok(ParseResult {
            outcomes: BTreeMap::from([(key, outcome)]),
            ..ParseResult::default()
        })
    }

    fn combine(&self, _key: &str, parts: Vec<(String, Outcome)>) -> Outcome {
        let failed: Vec<String> = parts
            .iter()
            .filter_map(|(id, o)| match o {
                Outcome::Failed { message } => Some(format!("{id}: {message}")),
                _ => None,
            })
            .collect();
        if failed.len() == parts.len() {
            return Outcome::Failed {
                message: failed.join("; "),
            };
        }
        match icp_plugin_sdk::merge_outcomes(parts.into_iter().map(|(_, o)| o)) {
            Outcome::Found { mut fields } if self.leaks_field => {
                fields.insert("secret_sauce".into(), json!("x"));
                Outcome::Found { fields }
            }
            o => o,
        }
    }
}

fn two_cases() -> PlanCases {
    PlanCases::new()
        .not_found_status(None)
        .recorded(Recorded::new("home", &["a.com"], 200, "Acme").found("a.com", &["title"]))
        .recorded(
            Recorded::new("mx", &["a.com"], 0, "")
                .nth_request(1)
                .answers(["10 mx.a.com."])
                .found("a.com", &["mail_hosts"]),
        )
        .recorded(
            Recorded::new("only mx", &["b.com"], 0, "")
                .nth_request(1)
                .answers(["10 mx.b.com."])
                .found("b.com", &["mail_hosts"]),
        )
        .combined("a.com", Expect::found(&["title", "mail_hosts"]))
        .combined("b.com", Expect::found(&["mail_hosts"]))
        .combined("c.com", Expect::Failed)
}

#[test]
fn combine_gets_every_part_and_unanswered_ones_fail() {
    let r = check_plan(&two(false), &Value::Null, &two_cases());
    r.assert_ok();
    for name in ["combine: a.com", "combine: b.com", "combine: c.com"] {
        assert!(r.get(name).is_some(), "{name}\n{r}");
    }
    // A wrong expectation is named.
    let r = check_plan(
        &two(false),
        &Value::Null,
        &two_cases().combined("b.com", Expect::found(&["title"])),
    );
    fails(
        &r,
        &["combine: b.com"],
        &["`b.com` is Found with other fields than expected: missing title; unexpected mail_hosts"],
    );
}

#[test]
fn combine_values_are_checked_and_answers_must_be_unique() {
    let r = check_plan(&two(true), &Value::Null, &two_cases());
    fails(
        &r,
        &["combine: a.com", "combine: b.com"],
        &["has field `secret_sauce`, which the manifest does not list"],
    );
    let r = check_plan(
        &two(false),
        &Value::Null,
        &two_cases().recorded(
            Recorded::new("home again", &["a.com"], 200, "Acme").found("a.com", &["title"]),
        ),
    );
    fails(
        &r,
        &["combine: a.com"],
        &["cases `home` and `home again` both answer request `a.com#home`"],
    );
}
