//! Compiled conditions: slot-indexed, literals pre-folded, regexes built,
//! evaluated with three-valued (Kleene) logic so a missing field is unknown,
//! never false.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

use regex::{Regex, RegexBuilder};
use std::hash::BuildHasher;

use crate::diag::Diagnostic;
use crate::expr::{CmpOp, Expr, ExprKind, Literal, Predicate, Span, Test};
use crate::fields::{canonical, parse_field};
use crate::profile::Compiler;
use crate::value::{Kind, Str, Value, fold_key, fold_text};

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

/// A compiled condition. Each text and list test (`in`, `contains`,
/// `matches`, `has any`, `has all`) carries its `bit`: its place among the
/// tests on its slot, so a record can hold the answers of all of them as
/// one [`Value::Answers`] (see [`crate::RecordBuilder`]). Clones share
/// their text memo, which is right: they are the same test.
#[derive(Clone, Debug)]
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
        bit: u8,
        set: WordSet,
    },
    /// Needles with prebuilt searchers (none is built per row); results are
    /// remembered per distinct text (see [`TextMemo`]).
    TextContains {
        slot: usize,
        bit: u8,
        needles: Box<[memchr::memmem::Finder<'static>]>,
        memo: TextMemo,
    },
    TextMatches {
        slot: usize,
        bit: u8,
        re: Box<Regex>,
        memo: TextMemo,
    },
    HasAny {
        slot: usize,
        bit: u8,
        items: Box<[Word]>,
    },
    HasAll {
        slot: usize,
        bit: u8,
        items: Box<[Word]>,
    },
    Present {
        slot: usize,
    },
    And(Box<[Cond]>),
    Or(Box<[Cond]>),
    Not(Box<Cond>),
}

impl Cond {
    /// Evaluate against a record (values at their slots). Inlined where
    /// the profile loops over its conditions: the dispatch is a jump, and
    /// the costlier tests are calls, so a comparison or `present` costs no
    /// function frame.
    #[inline(always)]
    pub fn eval(&self, rec: &[Value]) -> Truth {
        self.eval_inline(rec)
    }

    /// [`Cond::eval`] for the condition inside `not` (out of line: the
    /// recursion stops here; `and` and `or` are out-of-line functions).
    #[inline(never)]
    fn eval_nested(&self, rec: &[Value]) -> Truth {
        self.eval_inline(rec)
    }

    #[inline(always)]
    fn eval_inline(&self, rec: &[Value]) -> Truth {
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
            Cond::TextIn { slot, bit, .. }
            | Cond::TextContains { slot, bit, .. }
            | Cond::TextMatches { slot, bit, .. }
            | Cond::HasAny { slot, bit, .. }
            | Cond::HasAll { slot, bit, .. } => match &rec[*slot] {
                Value::Answers(a) => truth(a >> (bit & 63) & 1 == 1),
                Value::Missing => Truth::Unknown,
                v => truth_of(self.test(v)),
            },
            Cond::Present { slot } => truth(!rec[*slot].is_missing()),
            Cond::And(items) => all(items, rec),
            Cond::Or(items) => any(items, rec),
            Cond::Not(c) => c.eval_nested(rec).not(),
        }
    }

    /// A text or list test on a value that is not [`Value::Answers`]:
    /// `None` when the test does not apply (not a text or list test, or a
    /// value of another kind), which is unknown.
    #[inline(never)]
    pub fn test(&self, v: &Value) -> Option<bool> {
        Some(match (self, v) {
            (Cond::TextIn { set, .. }, Value::Text(t)) => set.contains(t),
            (Cond::TextContains { needles, memo, .. }, Value::Text(t)) => memo.get(t, |t| {
                needles.iter().any(|n| n.find(t.as_bytes()).is_some())
            }),
            (Cond::TextMatches { re, memo, .. }, Value::Text(t)) => memo.get(t, |t| re.is_match(t)),
            (Cond::HasAny { items, .. }, Value::List(l)) => has_any(l, items),
            (Cond::HasAll { items, .. }, Value::List(l)) => has_all(l, items),
            _ => return None,
        })
    }

    /// The slot and answer bit of a text or list test.
    pub fn answer_bit(&self) -> Option<(usize, u8)> {
        match self {
            Cond::TextIn { slot, bit, .. }
            | Cond::TextContains { slot, bit, .. }
            | Cond::TextMatches { slot, bit, .. }
            | Cond::HasAny { slot, bit, .. }
            | Cond::HasAll { slot, bit, .. } => Some((*slot, *bit)),
            _ => None,
        }
    }

    /// Every text and list test in the condition, in order.
    pub fn visit_tests<'a>(&'a self, f: &mut impl FnMut(&'a Cond)) {
        match self {
            Cond::And(items) | Cond::Or(items) => items.iter().for_each(|c| c.visit_tests(f)),
            Cond::Not(c) => c.visit_tests(f),
            c if c.answer_bit().is_some() => f(c),
            _ => {}
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

/// A folded literal with a fingerprint of its bytes (length, first and
/// last bytes) so that most comparisons are two integer compares and never
/// a call to `memcmp`.
#[derive(Clone, Debug)]
pub struct Word {
    len: usize,
    head: u64,
    tail: u64,
    text: Box<str>,
}

impl Word {
    pub fn new(s: &str) -> Word {
        let (head, tail) = fingerprint(s.as_bytes());
        Word {
            len: s.len(),
            head,
            tail,
            text: s.into(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `b` holds exactly this word's bytes.
    #[inline]
    pub fn eq_bytes(&self, b: &[u8]) -> bool {
        b.len() == self.len && self.eq_fingerprinted(b, fingerprint(b))
    }

    /// Like [`Word::eq_bytes`] with `b`'s length checked and its
    /// fingerprint computed by the caller.
    #[inline]
    fn eq_fingerprinted(&self, b: &[u8], (head, tail): (u64, u64)) -> bool {
        head == self.head
            && tail == self.tail
            // The fingerprint covers all bytes up to 16.
            && (self.len <= 16 || b[8..self.len - 8] == self.text.as_bytes()[8..self.len - 8])
    }
}

/// The first and last (up to) eight bytes of `b`, which together cover all
/// of it when it is at most 16 bytes long.
#[inline(always)]
fn fingerprint(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    let u64_at = |i: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[i..i + 8]);
        u64::from_le_bytes(a)
    };
    let u32_at = |i: usize| {
        let mut a = [0u8; 4];
        a.copy_from_slice(&b[i..i + 4]);
        u64::from(u32::from_le_bytes(a))
    };
    if n >= 8 {
        (u64_at(0), u64_at(n - 8))
    } else if n >= 4 {
        (u32_at(0), u32_at(n - 4))
    } else if n > 0 {
        let w = u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16;
        (w, 0)
    } else {
        (0, 0)
    }
}

/// The folded literals of an `in [..]` list: a linear scan of fingerprints
/// for short lists, a hash set for long ones.
#[derive(Clone, Debug)]
pub struct WordSet {
    words: Box<[Word]>,
    hashed: Option<rustc_hash::FxHashSet<Box<str>>>,
}

/// Lists longer than this are looked up by hash.
const LINEAR_MAX: usize = 16;

impl WordSet {
    pub fn new(items: impl IntoIterator<Item = String>) -> WordSet {
        let words: Box<[Word]> = items.into_iter().map(|s| Word::new(&s)).collect();
        let hashed =
            (words.len() > LINEAR_MAX).then(|| words.iter().map(|w| w.text.clone()).collect());
        WordSet { words, hashed }
    }

    #[inline]
    pub fn contains(&self, t: &str) -> bool {
        if let Some(h) = &self.hashed {
            return hashed_contains(h, t);
        }
        let b = t.as_bytes();
        let fp = fingerprint(b);
        self.words
            .iter()
            .any(|w| w.len == b.len() && w.eq_fingerprinted(b, fp))
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(Word::as_str)
    }
}

#[inline(never)]
fn hashed_contains(h: &rustc_hash::FxHashSet<Box<str>>, t: &str) -> bool {
    h.contains(t)
}

/// Results of a costly text test (`matches`, `contains`) by distinct text,
/// per thread: CRM columns such as titles and descriptions repeat a few
/// values, and a regex search costs hundreds of nanoseconds. A
/// direct-mapped cache of [`MEMO_SLOTS`] texts of at most [`MEMO_MAX_LEN`]
/// bytes per test (a text replaces the one in its slot, reusing its
/// buffer), for the tests of the [`MEMO_TESTS`] most recently used
/// conditions.
#[derive(Clone, Debug)]
pub struct TextMemo {
    id: u32,
}

const MEMO_SLOTS: usize = 512;
const MEMO_MAX_LEN: usize = 256;
const MEMO_TESTS: usize = 64;

static NEXT_MEMO: AtomicU32 = AtomicU32::new(0);

/// One remembered answer: the text's hash, the text, the answer.
#[derive(Clone, Default)]
struct Remembered {
    hash: u64,
    text: String,
    answer: Option<bool>,
}

type Memos = Vec<(u32, Box<[Remembered]>)>;

thread_local! {
    static MEMOS: RefCell<Memos> = const { RefCell::new(Vec::new()) };
}

impl TextMemo {
    fn new() -> TextMemo {
        TextMemo {
            id: NEXT_MEMO.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// `test(t)`, remembered. Out of line: inlined, its look-up would give
    /// every [`Cond::eval`] call a large stack frame to set up.
    #[inline(never)]
    fn get(&self, t: &str, test: impl FnOnce(&str) -> bool) -> bool {
        if t.len() > MEMO_MAX_LEN {
            return test(t);
        }
        MEMOS.with(|memos| {
            let Ok(mut memos) = memos.try_borrow_mut() else {
                return test(t);
            };
            let at = match memos.iter().rposition(|(id, _)| *id == self.id) {
                Some(at) => at,
                None => {
                    if memos.len() >= MEMO_TESTS {
                        memos.remove(0);
                    }
                    memos.push((self.id, vec![Remembered::default(); MEMO_SLOTS].into()));
                    memos.len() - 1
                }
            };
            let hash = rustc_hash::FxBuildHasher.hash_one(t);
            let slot = &mut memos[at].1[hash as usize % MEMO_SLOTS];
            if let Some(b) = slot.answer.filter(|_| slot.hash == hash && slot.text == t) {
                return b;
            }
            let b = test(t);
            slot.hash = hash;
            slot.text.clear();
            slot.text.push_str(t);
            slot.answer = Some(b);
            b
        })
    }
}

#[inline(never)]
fn has_any(list: &[Str], items: &[Word]) -> bool {
    list.iter()
        .any(|e| items.iter().any(|i| i.eq_bytes(e.as_bytes())))
}

#[inline(never)]
fn has_all(list: &[Str], items: &[Word]) -> bool {
    items
        .iter()
        .all(|i| list.iter().any(|e| i.eq_bytes(e.as_bytes())))
}

/// Kleene `and`: false wins, then unknown.
#[inline(never)]
fn all(items: &[Cond], rec: &[Value]) -> Truth {
    let mut out = Truth::True;
    for c in items {
        match c.eval(rec) {
            Truth::False => return Truth::False,
            Truth::Unknown => out = Truth::Unknown,
            Truth::True => {}
        }
    }
    out
}

/// Kleene `or`: true wins, then unknown.
#[inline(never)]
fn any(items: &[Cond], rec: &[Value]) -> Truth {
    let mut out = Truth::False;
    for c in items {
        match c.eval(rec) {
            Truth::True => return Truth::True,
            Truth::Unknown => out = Truth::Unknown,
            Truth::False => {}
        }
    }
    out
}

/// Answer bits per slot: at most this many tests on one slot get one (a
/// slot with more keeps its values and is tested on them).
pub const ANSWER_BITS: usize = 64;
/// The bit of a test whose slot has more than [`ANSWER_BITS`] tests.
pub const NO_BIT: u8 = u8::MAX;

#[inline]
fn truth_of(b: Option<bool>) -> Truth {
    match b {
        Some(b) => truth(b),
        None => Truth::Unknown,
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
    let bit = match test {
        Test::In(_) | Test::Contains(_) | Test::Matches(_) | Test::HasAny(_) | Test::HasAll(_) => {
            cx.answer_bit(slot)
        }
        _ => NO_BIT,
    };
    let fold_all =
        |items: &[String]| -> WordSet { WordSet::new(items.iter().map(|s| fold_value(field, s))) };
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
            bit,
            set: fold_all(&items),
        },
        Test::Contains(items) => Cond::TextContains {
            slot,
            bit,
            needles: items
                .iter()
                .map(|s| memchr::memmem::Finder::new(fold_text(s).as_bytes()).into_owned())
                .collect(),
            memo: TextMemo::new(),
        },
        Test::Matches(re) => match RegexBuilder::new(&re)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
        {
            Ok(re) => Cond::TextMatches {
                slot,
                bit,
                re: Box::new(re),
                memo: TextMemo::new(),
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
            bit,
            items: items.iter().map(|s| Word::new(&fold_key(s))).collect(),
        },
        Test::HasAll(items) => Cond::HasAll {
            slot,
            bit,
            items: items.iter().map(|s| Word::new(&fold_key(s))).collect(),
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
            Cond::TextIn { slot, set, .. } => {
                let cur = sets.entry(*slot).or_insert_with(|| set.iter().collect());
                cur.retain(|s| set.contains(s));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Fingerprint comparison agrees with plain equality at every length
    /// around the 4-, 8- and 16-byte edges, for a difference at any byte.
    #[test]
    fn words_compare_like_strings() {
        for len in 0..40 {
            let base: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let w = Word::new(&base);
            assert!(w.eq_bytes(base.as_bytes()), "{base}");
            let set = WordSet::new([base.clone()]);
            assert!(set.contains(&base));
            for at in 0..len {
                let mut other = base.clone().into_bytes();
                other[at] = b'#';
                let other = String::from_utf8(other).unwrap();
                assert!(!w.eq_bytes(other.as_bytes()), "{base} {other}");
                assert!(!set.contains(&other), "{base} {other}");
            }
            let longer = format!("{base}a");
            assert!(!w.eq_bytes(longer.as_bytes()));
            assert!(!set.contains(&base[..len.saturating_sub(1)]) || len == 0);
        }
        let many = WordSet::new((0..40).map(|i| format!("item {i}")));
        assert!(many.contains("item 39") && !many.contains("item 40"));
        assert_eq!(many.iter().count(), 40);
    }

    #[test]
    fn memoised_tests_answer_like_the_test() {
        let memo = TextMemo::new();
        let other = TextMemo::new();
        for _ in 0..3 {
            assert!(memo.get("chief technology officer", |t| t.contains("tech")));
            assert!(!memo.get("owner", |t| t.contains("tech")));
            // Another condition has its own answers for the same text.
            assert!(!other.get("chief technology officer", |_| false));
        }
        // More texts than slots: a text that lost its slot is tested again.
        for round in 0..2 {
            for i in 0..(3 * MEMO_SLOTS) {
                let t = format!("title {i}");
                let want = i % 7 == 0;
                assert_eq!(memo.get(&t, |_| want), want, "{t} in round {round}");
            }
        }
        let long = "x".repeat(MEMO_MAX_LEN + 1);
        assert!(memo.get(&long, |_| true));
        assert!(!memo.get(&long, |_| false), "long texts are not remembered");
    }
}
