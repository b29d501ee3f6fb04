//! Compiled conditions: slot-indexed, literals pre-folded, regexes built,
//! evaluated with three-valued (Kleene) logic so a missing field is unknown,
//! never false.

use regex::{Regex, RegexBuilder};

use crate::diag::Diagnostic;
use crate::expr::{CmpOp, Expr, ExprKind, Literal, Predicate, Span, Test};
use crate::fields::{canonical, parse_field};
use crate::profile::Compiler;
use crate::value::{Kind, Value, fold_key, fold_text};

/// Three-valued truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    False,
    True,
    Unknown,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

#[derive(Debug)]
pub enum Cond {
    /// Numbers, ranges and dates (as day counts).
    Cmp {
        slot: usize,
        op: CmpOp,
        rhs: f64,
    },
    Between {
        slot: usize,
        lo: f64,
        hi: f64,
    },
    TextIn {
        slot: usize,
        set: Box<[Box<str>]>,
    },
    /// Needles with prebuilt searchers (none is built per row).
    TextContains {
        slot: usize,
        needles: Box<[memchr::memmem::Finder<'static>]>,
    },
    TextMatches {
        slot: usize,
        re: Box<Regex>,
    },
    HasAny {
        slot: usize,
        items: Box<[Box<str>]>,
    },
    HasAll {
        slot: usize,
        items: Box<[Box<str>]>,
    },
    Present {
        slot: usize,
    },
    And(Box<[Cond]>),
    Or(Box<[Cond]>),
    Not(Box<Cond>),
}

impl Cond {
    pub fn eval(&self, rec: &[Value]) -> Truth {
        match self {
            Cond::Cmp { slot, op, rhs } => match bounds(&rec[*slot]) {
                Some((lo, hi)) => cmp(lo, hi, *op, *rhs),
                None => Truth::Unknown,
            },
            Cond::Between { slot, lo: a, hi: b } => match bounds(&rec[*slot]) {
                Some((lo, hi)) if lo >= *a && hi <= *b => Truth::True,
                Some((lo, hi)) if hi < *a || lo > *b => Truth::False,
                _ => Truth::Unknown,
            },
            Cond::TextIn { slot, set } => match &rec[*slot] {
                Value::Text(t) => truth(set.iter().any(|s| **s == **t)),
                _ => Truth::Unknown,
            },
            Cond::TextContains { slot, needles } => match &rec[*slot] {
                Value::Text(t) => truth(needles.iter().any(|n| n.find(t.as_bytes()).is_some())),
                _ => Truth::Unknown,
            },
            Cond::TextMatches { slot, re } => match &rec[*slot] {
                Value::Text(t) => truth(re.is_match(t)),
                _ => Truth::Unknown,
            },
            Cond::HasAny { slot, items } => match &rec[*slot] {
                Value::List(l) => truth(items.iter().any(|i| l.contains(i))),
                _ => Truth::Unknown,
            },
            Cond::HasAll { slot, items } => match &rec[*slot] {
                Value::List(l) => truth(items.iter().all(|i| l.contains(i))),
                _ => Truth::Unknown,
            },
            Cond::Present { slot } => truth(!rec[*slot].is_missing()),
            Cond::And(items) => {
                let mut out = Truth::True;
                for c in items.iter() {
                    match c.eval(rec) {
                        Truth::False => return Truth::False,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                out
            }
            Cond::Or(items) => {
                let mut out = Truth::False;
                for c in items.iter() {
                    match c.eval(rec) {
                        Truth::True => return Truth::True,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                out
            }
            Cond::Not(c) => c.eval(rec).not(),
        }
    }

    /// Slots the condition reads.
    pub fn slots(&self, out: &mut Vec<usize>) {
        match self {
            Cond::Cmp { slot, .. }
            | Cond::Between { slot, .. }
            | Cond::TextIn { slot, .. }
            | Cond::TextContains { slot, .. }
            | Cond::TextMatches { slot, .. }
            | Cond::HasAny { slot, .. }
            | Cond::HasAll { slot, .. }
            | Cond::Present { slot } => {
                if !out.contains(slot) {
                    out.push(*slot)
                }
            }
            Cond::And(items) | Cond::Or(items) => items.iter().for_each(|c| c.slots(out)),
            Cond::Not(c) => c.slots(out),
        }
    }
}

#[inline]
fn truth(b: bool) -> Truth {
    if b { Truth::True } else { Truth::False }
}

#[inline]
fn bounds(v: &Value) -> Option<(f64, f64)> {
    match v {
        Value::Num(n) => Some((*n, *n)),
        Value::Range(lo, hi) => Some((*lo, *hi)),
        Value::Date(d) => Some((f64::from(*d), f64::from(*d))),
        _ => None,
    }
}

/// A range satisfies a comparison only if all of it does; partial overlap
/// is unknown.
#[inline]
fn cmp(lo: f64, hi: f64, op: CmpOp, x: f64) -> Truth {
    let (all, none) = match op {
        CmpOp::Ge => (lo >= x, hi < x),
        CmpOp::Gt => (lo > x, hi <= x),
        CmpOp::Le => (hi <= x, lo > x),
        CmpOp::Lt => (hi < x, lo >= x),
        CmpOp::Eq => (lo == x && hi == x, x < lo || x > hi),
        CmpOp::Ne => (x < lo || x > hi, lo == x && hi == x),
    };
    if all {
        Truth::True
    } else if none {
        Truth::False
    } else {
        Truth::Unknown
    }
}

/// The kind a non-canonical field takes from how a test uses it.
fn inferred_kind(test: &Test) -> Kind {
    match test {
        Test::Cmp(_, Literal::Number(_)) | Test::Between(Literal::Number(_), _) => Kind::Number,
        Test::Cmp(_, Literal::Date(_)) | Test::Between(Literal::Date(_), _) | Test::Within(_) => {
            Kind::Date
        }
        Test::HasAny(_) | Test::HasAll(_) => Kind::List,
        _ => Kind::Text,
    }
}

pub(crate) fn compile_condition(
    cx: &mut Compiler,
    e: &Expr,
    to_file: &dyn Fn(&Span) -> std::ops::Range<usize>,
) -> Option<Cond> {
    let list = |cx: &mut Compiler, items: &[Expr]| -> Option<Box<[Cond]>> {
        let compiled: Vec<Option<Cond>> = items
            .iter()
            .map(|i| compile_condition(cx, i, to_file))
            .collect();
        compiled
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .map(Vec::into_boxed_slice)
    };
    match &e.kind {
        ExprKind::And(items) => list(cx, items).map(Cond::And),
        ExprKind::Or(items) => list(cx, items).map(Cond::Or),
        ExprKind::Not(inner) => {
            compile_condition(cx, inner, to_file).map(|c| Cond::Not(Box::new(c)))
        }
        ExprKind::Pred(p) => compile_predicate(cx, p, to_file),
    }
}

fn compile_predicate(
    cx: &mut Compiler,
    p: &Predicate,
    to_file: &dyn Fn(&Span) -> std::ops::Range<usize>,
) -> Option<Cond> {
    let field = p.field.as_str();
    let test_span = to_file(&p.test_span);
    let field_span = to_file(&p.field_span);
    let kind = match canonical(field) {
        Some(c) => c.kind,
        None => match &p.test {
            Test::Present => cx
                .fields
                .iter()
                .find(|f| f.name == field)
                .map_or(Kind::Text, |f| f.kind),
            t => inferred_kind(t),
        },
    };
    let mismatch = |cx: &mut Compiler, help: &str| {
        cx.diags.push(
            Diagnostic::error(
                format!(
                    "this test does not apply to `{field}`, which is {}",
                    kind.name()
                ),
                Some(test_span.clone()),
            )
            .label(format!("not a {} test", kind.name()))
            .help(help.to_string()),
        );
        None
    };
    let number_help = "numbers take = != < <= > >= and `between A and B`";
    let text_help = "text takes = != `in [..]` `not in [..]` `contains` and `matches`";
    let list_help = "lists take `has \"x\"`, `has any [..]` and `has all [..]`";
    let date_help = "dates take `within 180d`, `before`/`after YYYY-MM-DD`, comparisons with dates and `between`";

    let test = match (&p.test, kind) {
        (Test::Present, _) => Test::Present,
        (
            Test::Cmp(_, Literal::Number(_))
            | Test::Between(Literal::Number(_), Literal::Number(_)),
            Kind::Number,
        ) => p.test.clone(),
        (
            Test::Cmp(_, Literal::Date(_))
            | Test::Between(Literal::Date(_), Literal::Date(_))
            | Test::Within(_),
            Kind::Date,
        ) => p.test.clone(),
        (Test::Cmp(op @ (CmpOp::Eq | CmpOp::Ne), lit), Kind::Text) => {
            let s = match lit {
                Literal::Text(s) => s.clone(),
                Literal::Number(n) => n.to_string(),
                Literal::Date(_) => return mismatch(cx, text_help),
            };
            let t = Test::In(vec![s]);
            if *op == CmpOp::Ne {
                let inner = compile_predicate(
                    cx,
                    &Predicate {
                        test: t,
                        ..p.clone()
                    },
                    to_file,
                )?;
                return Some(Cond::Not(Box::new(inner)));
            }
            t
        }
        (Test::In(_) | Test::Contains(_) | Test::Matches(_), Kind::Text) => p.test.clone(),
        (Test::HasAny(_) | Test::HasAll(_), Kind::List) => p.test.clone(),
        // `technologies contains "hubspot"` reads naturally: it means `has`.
        (Test::Contains(items), Kind::List) => Test::HasAny(items.clone()),
        (_, Kind::Number) => return mismatch(cx, number_help),
        (_, Kind::Text) => return mismatch(cx, text_help),
        (_, Kind::List) => return mismatch(cx, list_help),
        (_, Kind::Date) => return mismatch(cx, date_help),
    };
    let slot = if matches!(test, Test::Present) && canonical(field).is_none() {
        cx.presence_slot(field, field_span)
    } else {
        cx.slot(field, kind, field_span)?
    };
    let fold_all = |items: &[String]| -> Box<[Box<str>]> {
        items
            .iter()
            .map(|s| fold_value(field, s).into_boxed_str())
            .collect()
    };
    Some(match test {
        Test::Present => Cond::Present { slot },
        Test::Cmp(op, lit) => Cond::Cmp {
            slot,
            op,
            rhs: lit_num(&lit),
        },
        Test::Between(lo, hi) => {
            let (lo, hi) = (lit_num(&lo), lit_num(&hi));
            Cond::Between { slot, lo, hi }
        }
        // The last N days up to and including `as_of`: a date after the
        // run's `as_of` is not "within the last N days" (a rerun with an old
        // `as_of` must not count later events, as intent decay does not).
        Test::Within(days) => Cond::Between {
            slot,
            lo: f64::from(cx.as_of.saturating_sub(days)),
            hi: f64::from(cx.as_of),
        },
        Test::In(items) => Cond::TextIn {
            slot,
            set: fold_all(&items),
        },
        Test::Contains(items) => Cond::TextContains {
            slot,
            needles: items
                .iter()
                .map(|s| memchr::memmem::Finder::new(fold_text(s).as_bytes()).into_owned())
                .collect(),
        },
        Test::Matches(re) => match RegexBuilder::new(&re)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
        {
            Ok(re) => Cond::TextMatches {
                slot,
                re: Box::new(re),
            },
            Err(e) => {
                cx.diags.push(
                    Diagnostic::error("invalid regular expression", Some(test_span)).label(
                        e.to_string()
                            .lines()
                            .last()
                            .unwrap_or("invalid")
                            .to_string(),
                    ),
                );
                return None;
            }
        },
        Test::HasAny(items) => Cond::HasAny {
            slot,
            items: items.iter().map(|s| fold_key(s).into()).collect(),
        },
        Test::HasAll(items) => Cond::HasAll {
            slot,
            items: items.iter().map(|s| fold_key(s).into()).collect(),
        },
    })
}

/// Fold a literal the way the field's values are folded, so
/// `country = "Germany"` matches a record holding `DE`.
fn fold_value(field: &str, s: &str) -> String {
    match parse_field(field, Kind::Text, s) {
        Value::Text(t) => t.into_string(),
        _ => fold_text(s),
    }
}

fn lit_num(l: &Literal) -> f64 {
    match l {
        Literal::Number(n) => *n,
        Literal::Date(d) => f64::from(*d),
        Literal::Text(_) => f64::NAN,
    }
}

/// Whether a condition can never be true whatever the record holds
/// (contradictory bounds, disjoint sets, empty lists, a field required both
/// present and missing).
pub fn never_true(c: &Cond) -> bool {
    match c {
        Cond::Between { lo, hi, .. } => lo > hi,
        Cond::TextIn { set, .. } => set.is_empty(),
        Cond::TextContains { needles, .. } => needles.is_empty(),
        Cond::HasAny { items, .. } => items.is_empty(),
        Cond::Or(items) => items.iter().all(never_true),
        Cond::And(items) => items.iter().any(never_true) || conjunction_conflicts(items),
        _ => false,
    }
}

fn conjunction_conflicts(items: &[Cond]) -> bool {
    use std::collections::HashMap;
    let mut bounds: HashMap<usize, (f64, f64)> = HashMap::new();
    let mut sets: HashMap<usize, Vec<&str>> = HashMap::new();
    let mut required = Vec::new();
    let mut absent = Vec::new();
    let mut flat = Vec::new();
    flatten(items, &mut flat);
    for c in flat {
        match c {
            Cond::Cmp { slot, op, rhs } => {
                let b = bounds
                    .entry(*slot)
                    .or_insert((f64::NEG_INFINITY, f64::INFINITY));
                let step = 1e-9 * rhs.abs().max(1.0);
                match op {
                    CmpOp::Ge => b.0 = b.0.max(*rhs),
                    CmpOp::Gt => b.0 = b.0.max(rhs + step),
                    CmpOp::Le => b.1 = b.1.min(*rhs),
                    CmpOp::Lt => b.1 = b.1.min(rhs - step),
                    CmpOp::Eq => *b = (b.0.max(*rhs), b.1.min(*rhs)),
                    CmpOp::Ne => {}
                }
                required.push(*slot);
            }
            Cond::Between { slot, lo, hi } => {
                let b = bounds
                    .entry(*slot)
                    .or_insert((f64::NEG_INFINITY, f64::INFINITY));
                *b = (b.0.max(*lo), b.1.min(*hi));
                required.push(*slot);
            }
            Cond::TextIn { slot, set } => {
                let cur = sets
                    .entry(*slot)
                    .or_insert_with(|| set.iter().map(|s| &**s).collect());
                cur.retain(|s| set.iter().any(|t| **t == **s));
                required.push(*slot);
            }
            Cond::Not(inner) => {
                if let Cond::Present { slot } = **inner {
                    absent.push(slot);
                }
            }
            other => {
                let mut s = Vec::new();
                other.slots(&mut s);
                if !matches!(other, Cond::Or(_)) {
                    required.extend(s);
                }
            }
        }
    }
    bounds.values().any(|(lo, hi)| lo > hi)
        || sets.values().any(Vec::is_empty)
        || absent.iter().any(|s| required.contains(s))
}

fn flatten<'a>(items: &'a [Cond], out: &mut Vec<&'a Cond>) {
    for c in items {
        match c {
            Cond::And(inner) => flatten(inner, out),
            other => out.push(other),
        }
    }
}
