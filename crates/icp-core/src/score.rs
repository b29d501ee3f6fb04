//! Building records from input columns and scoring them: filters, traits,
//! fit and intent, tier, coverage and reasons.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::condition::{Cond, NO_BIT, Truth};
use crate::fields::{column_for, parse_field};
use crate::profile::{Axis, OnMissing, Profile};
use crate::value::{Kind, Str, Value, fold_text_into, is_blank, parse_as, parse_list_into};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    One,
    Two,
    Three,
    Excluded,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::One, Tier::Two, Tier::Three, Tier::Excluded];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::One => "1",
            Tier::Two => "2",
            Tier::Three => "3",
            Tier::Excluded => "excluded",
        }
    }
}

/// One account's result. Reused across rows (`score_into`) so scoring
/// allocates nothing per row.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub score: i32,
    pub fit: i32,
    pub intent: i32,
    pub tier: Tier,
    /// Index of the filter that removed the account.
    pub excluded_by: Option<usize>,
    /// Filters that could not be evaluated (missing fields) and did not
    /// exclude.
    pub unknown_filters: Vec<usize>,
    /// Sum of |weight| over evaluable traits / sum over all traits.
    pub coverage: f64,
    /// Indices of fired traits, in profile order.
    pub fired: Vec<usize>,
}

impl Default for Scored {
    fn default() -> Self {
        Scored {
            score: 0,
            fit: 0,
            intent: 0,
            tier: Tier::Three,
            excluded_by: None,
            unknown_filters: Vec::new(),
            coverage: 1.0,
            fired: Vec::new(),
        }
    }
}

impl Profile {
    /// Score one record (values at the profile's slots).
    pub fn score_into(&self, rec: &[Value], out: &mut Scored) {
        out.excluded_by = None;
        out.unknown_filters.clear();
        out.fired.clear();
        for (i, f) in self.filters.iter().enumerate() {
            match f.cond.eval(rec) {
                Truth::True => {}
                Truth::False => {
                    out.excluded_by = Some(i);
                    break;
                }
                Truth::Unknown => match f.on_missing {
                    OnMissing::Keep => out.unknown_filters.push(i),
                    OnMissing::Exclude => {
                        out.excluded_by = Some(i);
                        break;
                    }
                },
            }
        }
        let (mut fit, mut intent, mut known, mut total) = (0i32, 0i32, 0u32, 0u32);
        for (i, t) in self.traits.iter().enumerate() {
            let w = u32::from(t.weight.unsigned_abs());
            total += w;
            match t.cond.eval(rec) {
                Truth::True => {
                    known += w;
                    out.fired.push(i);
                    match t.axis {
                        Axis::Fit => fit += i32::from(t.weight),
                        Axis::Intent => intent += i32::from(t.weight),
                    }
                }
                Truth::False => known += w,
                Truth::Unknown => {}
            }
        }
        out.fit = fit;
        out.intent = intent;
        out.score = fit + intent;
        out.coverage = if total == 0 {
            1.0
        } else {
            f64::from(known) / f64::from(total)
        };
        out.tier = if out.excluded_by.is_some() {
            Tier::Excluded
        } else {
            self.tier_for(out.score)
        };
    }

    pub fn score(&self, rec: &[Value]) -> Scored {
        let mut s = Scored::default();
        self.score_into(rec, &mut s);
        s
    }

    pub fn tier_for(&self, score: i32) -> Tier {
        let s = f64::from(score);
        if s >= self.tiers.tier1 {
            Tier::One
        } else if s >= self.tiers.tier2 {
            Tier::Two
        } else {
            Tier::Three
        }
    }

    /// `name (+3); name (-5)`: fired traits, those that raise the score
    /// first, then those that lower it, each group strongest first, ties in
    /// profile order (`a (+5); b (+1); c (-5); d (-1)`).
    pub fn write_reasons(&self, s: &Scored, out: &mut String) {
        out.clear();
        let key = |i: usize| {
            let w = self.traits[i].weight;
            (w < 0, std::cmp::Reverse(w.unsigned_abs()))
        };
        // A stable insertion sort on the stack (a handful of fired traits
        // per row): no allocation.
        let mut stack = [0usize; 32];
        let mut heap = Vec::new();
        let order: &mut [usize] = if s.fired.len() <= stack.len() {
            let order = &mut stack[..s.fired.len()];
            order.copy_from_slice(&s.fired);
            for j in 1..order.len() {
                let mut k = j;
                while k > 0 && key(order[k - 1]) > key(order[k]) {
                    order.swap(k - 1, k);
                    k -= 1;
                }
            }
            order
        } else {
            heap.extend_from_slice(&s.fired);
            heap.sort_by_key(|&i| key(i));
            &mut heap
        };
        for (n, &i) in order.iter().enumerate() {
            let t = &self.traits[i];
            if n > 0 {
                out.push_str("; ");
            }
            out.push_str(&t.name);
            out.push_str(" (");
            push_signed(out, t.weight);
            out.push(')');
        }
    }

    pub fn reasons(&self, s: &Scored) -> String {
        let mut out = String::new();
        self.write_reasons(s, &mut out);
        out
    }

    /// Names of the filters in `unknown_filters`, joined with `; `.
    pub fn unknown_filter_names(&self, s: &Scored) -> String {
        let names: Vec<&str> = s
            .unknown_filters
            .iter()
            .map(|&i| self.filters[i].name.as_str())
            .collect();
        names.join("; ")
    }

    pub fn excluded_by_name(&self, s: &Scored) -> Option<&str> {
        s.excluded_by.map(|i| self.filters[i].name.as_str())
    }

    /// The highest and lowest score any record can reach.
    pub fn score_bounds(&self) -> (i32, i32) {
        let max = self.traits.iter().map(|t| i32::from(t.weight.max(0))).sum();
        let min = self.traits.iter().map(|t| i32::from(t.weight.min(0))).sum();
        (min, max)
    }
}

/// `{:+}` of an i8 without the formatting machinery.
fn push_signed(out: &mut String, w: i8) {
    out.push(if w < 0 { '-' } else { '+' });
    let a = w.unsigned_abs();
    if a >= 100 {
        out.push(char::from(b'0' + a / 100));
    }
    if a >= 10 {
        out.push(char::from(b'0' + a / 10 % 10));
    }
    out.push(char::from(b'0' + a % 10));
}

/// Where a slot's value comes from in the input.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    Column(usize),
    /// `<field>_raw`: the mapped column's text without normalisation.
    RawText(usize),
    /// A column whose values map onto a vocabulary (industry, country).
    Normalised(usize),
    /// `company_age` from a founded-year column.
    YearsSince(usize),
    Absent,
}

/// How one slot of the profile is filled.
struct SlotPlan {
    name: String,
    kind: Kind,
    src: Source,
    /// The input column's header, for reports.
    column: String,
    /// For a text or list slot: the slot's tests in bit order. The slot
    /// then holds their answers ([`Value::Answers`]) instead of the text,
    /// so each test is answered once per distinct cell, not once per row.
    answers: Option<Box<[Cond]>>,
}

/// Maps input columns onto a profile's slots and parses each row once.
pub struct RecordBuilder {
    plan: Vec<SlotPlan>,
    as_of_year: i32,
    /// Parsed values of costly cells (industry and country lookups, lists,
    /// answered tests) by raw text, per slot: CRM columns repeat the same
    /// few values.
    memo: RefCell<BuildState>,
}

/// What `build` keeps between rows.
struct BuildState {
    /// Per slot.
    memo: Vec<Option<Memo>>,
    /// Per slot: a list allocation kept while the slot is missing.
    spare: Vec<Vec<Str>>,
    /// Per slot: the parsed value whose tests are answered (its text or
    /// list allocation is reused from row to row).
    parsed: Vec<Value>,
    /// Per slot: cells that were not blank but could not be read as the
    /// slot's number or date, and the first of them.
    unread: Vec<(u64, Option<String>)>,
    scratch: String,
}

/// Cells of one input column that could not be read as the number or date
/// a profile field needs (so the field was missing for them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unread {
    pub field: String,
    pub column: String,
    /// What the cells should have been: a number or a date (a founded
    /// year for `company_age`).
    pub kind: Kind,
    pub count: u64,
    /// The first such cell, as written.
    pub example: String,
}

/// Parsed values by raw cell text.
#[derive(Default)]
struct Memo {
    values: HashMap<Box<str>, Value, rustc_hash::FxBuildHasher>,
    /// Look-ups answered, and missed once `values` was full.
    hits: u64,
    misses_when_full: u64,
    /// Off once the column proves to hold mostly distinct values.
    on: bool,
}

/// Distinct raw values remembered per slot.
const MEMO_CAP: usize = 4096;

impl RecordBuilder {
    /// Match headers to the profile's fields: an exact snake_case name first,
    /// then a known CRM header for a canonical field. Text and list slots
    /// hold the answers of the profile's tests on them.
    pub fn new(profile: &Profile, headers: &[String]) -> Self {
        let find = |name: &str| column_for(headers, name);
        let mut tests: Vec<Vec<&Cond>> = vec![Vec::new(); profile.fields.len()];
        for c in profile
            .filters
            .iter()
            .map(|f| &f.cond)
            .chain(profile.traits.iter().map(|t| &t.cond))
        {
            c.visit_tests(&mut |t| {
                if let Some((slot, _)) = t.answer_bit() {
                    tests[slot].push(t);
                }
            });
        }
        let plan: Vec<SlotPlan> = profile
            .fields
            .iter()
            .zip(tests)
            .map(|(f, mut tests)| {
                let src = if let Some(i) = find(&f.name) {
                    if is_normalised(&f.name) {
                        Source::Normalised(i)
                    } else {
                        Source::Column(i)
                    }
                } else if let Some(i) = f.name.strip_suffix("_raw").and_then(find) {
                    Source::RawText(i)
                } else if let (true, Some(i)) = (f.name == "company_age", find("founded_year")) {
                    Source::YearsSince(i)
                } else {
                    Source::Absent
                };
                let column = match src {
                    Source::Column(i)
                    | Source::Normalised(i)
                    | Source::RawText(i)
                    | Source::YearsSince(i) => headers[i].clone(),
                    Source::Absent => String::new(),
                };
                tests.sort_by_key(|t| t.answer_bit().map(|(_, bit)| bit));
                let numbered = tests
                    .iter()
                    .all(|t| t.answer_bit().is_some_and(|(_, b)| b != NO_BIT));
                let answers = (matches!(f.kind, Kind::Text | Kind::List) && numbered)
                    .then(|| tests.into_iter().cloned().collect());
                SlotPlan {
                    name: f.name.clone(),
                    kind: f.kind,
                    src,
                    column,
                    answers,
                }
            })
            .collect();
        let as_of_year = crate::value::date_from_days(profile.as_of).map_or(2000, |d| {
            use chrono::Datelike;
            d.year()
        });
        let memo = plan
            .iter()
            .map(|p| {
                let costly = match p.src {
                    Source::Normalised(_) => true,
                    Source::Column(_) | Source::RawText(_) => {
                        p.kind == Kind::List || p.answers.as_ref().is_some_and(|a| !a.is_empty())
                    }
                    _ => false,
                };
                costly.then(|| Memo {
                    on: true,
                    ..Memo::default()
                })
            })
            .collect();
        let n = plan.len();
        RecordBuilder {
            plan,
            as_of_year,
            memo: RefCell::new(BuildState {
                memo,
                spare: vec![Vec::new(); n],
                parsed: vec![Value::Missing; n],
                unread: vec![(0, None); n],
                scratch: String::new(),
            }),
        }
    }

    /// Records keep the parsed texts and lists of every slot instead of
    /// the answers of the profile's tests (for reading the values; scoring
    /// gives the same results either way).
    pub fn keep_values(mut self) -> Self {
        for p in &mut self.plan {
            p.answers = None;
        }
        self
    }

    /// The columns with cells that could not be read as the number or
    /// date their field needs, over every row built so far.
    pub fn unread(&self) -> Vec<Unread> {
        let state = self.memo.borrow();
        self.plan
            .iter()
            .zip(&state.unread)
            .filter_map(|(p, (count, example))| {
                Some(Unread {
                    field: p.name.clone(),
                    column: p.column.clone(),
                    kind: p.kind,
                    count: *count,
                    example: example.clone()?,
                })
            })
            .collect()
    }

    /// Fields of the profile that no input column provides.
    pub fn absent_fields(&self) -> Vec<&str> {
        self.plan
            .iter()
            .filter(|p| p.src == Source::Absent)
            .map(|p| p.name.as_str())
            .collect()
    }

    /// Parse one row into `rec` (resized to the profile's slot count).
    ///
    /// Values already in `rec` are overwritten in place: a text or list
    /// equal to the slot's previous one keeps its allocation.
    pub fn build<S: AsRef<str>>(&self, row: &[S], rec: &mut Vec<Value>) {
        self.build_with(|i| row.get(i).map_or("", AsRef::as_ref), rec);
    }

    /// [`RecordBuilder::build`] with the cell of column `i` given by
    /// `cell(i)` ("" past the row's end).
    pub fn build_with<'a>(&self, cell: impl Fn(usize) -> &'a str, rec: &mut Vec<Value>) {
        let n = self.plan.len();
        rec.truncate(n);
        rec.resize(n, Value::Missing);
        let mut state = self.memo.borrow_mut();
        let BuildState {
            memo,
            spare,
            parsed,
            unread,
            scratch,
        } = &mut *state;
        let slots = self
            .plan
            .iter()
            .zip(memo)
            .zip(spare)
            .zip(parsed)
            .zip(unread);
        for (((((p, memo), spare), parsed), unread), slot) in slots.zip(rec) {
            let raw = match p.src {
                Source::Column(i) | Source::Normalised(i) | Source::RawText(i) => cell(i),
                Source::YearsSince(i) => {
                    let raw = cell(i);
                    *slot = match parse_as(Kind::Number, raw) {
                        Value::Num(y) if (1000.0..=f64::from(self.as_of_year)).contains(&y) => {
                            Value::Num(f64::from(self.as_of_year) - y.trunc())
                        }
                        _ => Value::Missing,
                    };
                    note_unread(slot, raw, unread);
                    continue;
                }
                Source::Absent => {
                    *slot = Value::Missing;
                    continue;
                }
            };
            let mut memo = memo.as_mut().filter(|m| m.on);
            if let Some(m) = memo.as_deref_mut()
                && let Some(v) = m.values.get(raw)
            {
                m.hits += 1;
                if slot != v {
                    assign(slot, v);
                }
                continue;
            }
            match &p.answers {
                // Present or not is all the profile asks of this text.
                Some(tests) if tests.is_empty() && p.kind == Kind::Text => {
                    *slot = if is_blank(raw) {
                        Value::Missing
                    } else {
                        Value::Answers(0)
                    }
                }
                Some(tests) => {
                    parse_cell(p, raw, parsed, scratch, spare);
                    *slot = if parsed.is_missing() {
                        Value::Missing
                    } else {
                        Value::Answers(answer_bits(tests, parsed))
                    };
                }
                None => {
                    parse_cell(p, raw, slot, scratch, spare);
                    if matches!(p.kind, Kind::Number | Kind::Date) {
                        note_unread(slot, raw, unread);
                    }
                }
            }
            if let Some(m) = memo {
                if m.values.len() < MEMO_CAP {
                    m.values.insert(raw.into(), slot.clone());
                } else {
                    m.misses_when_full += 1;
                    // A column of mostly distinct values (lists of
                    // technologies, descriptions): stop looking up.
                    if m.misses_when_full > MEMO_CAP as u64 && m.hits < m.misses_when_full {
                        m.on = false;
                        m.values = Default::default();
                    }
                }
            }
        }
    }
}

/// The value of one cell for the slot `p` into `slot`: vocabularies
/// (industry, country) through the field's own parser, the rest by
/// [`parse_into`].
fn parse_cell(
    p: &SlotPlan,
    raw: &str,
    slot: &mut Value,
    scratch: &mut String,
    spare: &mut Vec<Str>,
) {
    if matches!(p.src, Source::Normalised(_)) {
        *slot = parse_field(&p.name, p.kind, raw);
    } else {
        parse_into(&p.name, p.kind, raw, slot, scratch, spare);
    }
}

/// Counts `raw` as unread when it gave no value but is not blank.
#[inline]
fn note_unread(v: &Value, raw: &str, unread: &mut (u64, Option<String>)) {
    if v.is_missing() && !is_blank(raw) {
        unread.0 += 1;
        unread.1.get_or_insert_with(|| raw.trim().to_string());
    }
}

/// The answers of `tests` (in bit order) on a parsed value.
fn answer_bits(tests: &[Cond], v: &Value) -> u64 {
    tests.iter().enumerate().fold(0, |bits, (k, t)| {
        bits | u64::from(t.test(v) == Some(true)) << k
    })
}

/// `*slot = v.clone()`, reusing the slot's text or list allocation.
fn assign(slot: &mut Value, v: &Value) {
    match (slot, v) {
        (Value::Text(a), Value::Text(b)) => a.clone_from(b),
        (Value::List(a), Value::List(b)) => a.clone_from(b),
        (slot, v) => *slot = v.clone(),
    }
}

/// Fields whose values `parse_field` maps onto a vocabulary.
fn is_normalised(name: &str) -> bool {
    matches!(name, "industry" | "country")
}

/// `parse_field(field, kind, raw)` into `slot`, reusing the slot's text or list when
/// the new value is the same.
fn parse_into(
    field: &str,
    kind: Kind,
    raw: &str,
    slot: &mut Value,
    scratch: &mut String,
    spare: &mut Vec<Str>,
) {
    if is_blank(raw) {
        // A list's allocation is kept for the slot's next list.
        if let Value::List(items) = std::mem::take(slot) {
            *spare = items;
        }
        return;
    }
    match kind {
        Kind::Text => {
            fold_text_into(raw, scratch);
            match slot {
                // In place: a long text keeps its allocation.
                Value::Text(t) => {
                    if t != scratch.as_str() {
                        t.clear();
                        t.push_str(scratch);
                    }
                }
                _ => *slot = Value::Text(scratch.as_str().into()),
            }
        }
        Kind::List => {
            let mut items = match std::mem::take(slot) {
                Value::List(items) => items,
                _ => std::mem::take(spare),
            };
            parse_list_into(raw, &mut items, scratch);
            if items.is_empty() {
                *spare = items;
            } else {
                *slot = Value::List(items);
            }
        }
        // Through the field's own parser ("1.200" employees).
        Kind::Number | Kind::Date => *slot = parse_field(field, kind, raw),
    }
}
