//! Market sizing: TAM (every account), SAM (those passing the profile's
//! filters) and SOM (tier 1), counted and, with an annual contract value,
//! valued.
//!
//! The value of an account is its tier's ACV (`1=50000,2=20000,3=5000`, from
//! `--acv` or the profile's `[acv]` table) or a formula over its fields
//! (`employees * 12 * 25` for a seat price). Accounts a formula cannot value
//! (a field missing) are counted as `unvalued`, never as zero.

use std::collections::{BTreeMap, HashMap};

use exmex::prelude::*;
use icp_core::Tier;
use icp_core::value::{Value, parse_number};
use serde::{Deserialize, Serialize};

/// Why an ACV could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SizeError {
    #[error(
        "`{0}` is not a tier ACV: write TIER=VALUE pairs such as 1=50000,2=20000,3=5000 (tiers 1, 2, 3, excluded)"
    )]
    BadPair(String),
    #[error("`{key}` is not a tier: ACV keys are 1, 2, 3 and excluded")]
    BadTier { key: String },
    #[error(
        "`{value}` is not an amount for tier {key}: use a number such as 50000, 50k or $50,000"
    )]
    BadAmount { key: String, value: String },
    #[error("tier {key}'s ACV {value} is negative")]
    Negative { key: String, value: f64 },
    #[error("the ACV formula `{formula}` cannot be read: {reason}")]
    BadFormula { formula: String, reason: String },
}

/// Annual contract value per tier.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct AcvTable {
    pub tier1: Option<f64>,
    pub tier2: Option<f64>,
    pub tier3: Option<f64>,
    /// Excluded accounts' value in the TAM; the tier-3 ACV when unset
    /// (they would buy the entry plan if they bought at all).
    pub excluded: Option<f64>,
}

impl AcvTable {
    /// Read `1=50000,2=20k,3=$5,000` (a comma inside an amount is part of
    /// it).
    pub fn parse(spec: &str) -> Result<AcvTable, SizeError> {
        let mut pairs: Vec<String> = Vec::new();
        for piece in spec.split(',') {
            match pairs.last_mut() {
                Some(last) if !piece.contains('=') => {
                    last.push(',');
                    last.push_str(piece);
                }
                _ if piece.contains('=') => pairs.push(piece.to_owned()),
                _ => return Err(SizeError::BadPair(piece.trim().to_owned())),
            }
        }
        let mut table = AcvTable::default();
        for pair in &pairs {
            let (key, value) = pair.split_once('=').expect("each pair has `=`");
            let amount = match parse_number(value) {
                Some(Value::Num(n)) => n,
                _ => {
                    return Err(SizeError::BadAmount {
                        key: key.trim().to_owned(),
                        value: value.trim().to_owned(),
                    });
                }
            };
            table.set(key, amount)?;
        }
        Ok(table)
    }

    /// The profile's `[acv]` table (`1 = 50000`, ...).
    pub fn from_profile(acv: &HashMap<String, f64>) -> Result<Option<AcvTable>, SizeError> {
        if acv.is_empty() {
            return Ok(None);
        }
        let mut table = AcvTable::default();
        for (key, value) in acv {
            table.set(key, *value)?;
        }
        Ok(Some(table))
    }

    fn set(&mut self, key: &str, value: f64) -> Result<(), SizeError> {
        let key = key.trim();
        if value < 0.0 || !value.is_finite() {
            return Err(SizeError::Negative {
                key: key.to_owned(),
                value,
            });
        }
        let slot = match key.to_ascii_lowercase().as_str() {
            "1" | "tier1" | "tier 1" => &mut self.tier1,
            "2" | "tier2" | "tier 2" => &mut self.tier2,
            "3" | "tier3" | "tier 3" => &mut self.tier3,
            "excluded" => &mut self.excluded,
            _ => {
                return Err(SizeError::BadTier {
                    key: key.to_owned(),
                });
            }
        };
        *slot = Some(value);
        Ok(())
    }

    /// The ACV of an account in `tier`.
    pub fn for_tier(&self, tier: Tier) -> Option<f64> {
        match tier {
            Tier::One => self.tier1,
            Tier::Two => self.tier2,
            Tier::Three => self.tier3,
            Tier::Excluded => self.excluded.or(self.tier3),
        }
    }

    /// The table as people read it: `1 = 50,000; 2 = 20,000; ...`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (name, v) in [("1", self.tier1), ("2", self.tier2), ("3", self.tier3)] {
            if let Some(v) = v {
                parts.push(format!("tier {name} = {}", money(v)));
            }
        }
        match (self.excluded, self.tier3) {
            (Some(v), _) => parts.push(format!("excluded = {}", money(v))),
            (None, Some(_)) => parts.push("excluded at the tier-3 ACV".to_owned()),
            (None, None) => {}
        }
        parts.join("; ")
    }
}

/// An ACV computed from an account's numeric fields.
#[derive(Debug, Clone)]
pub struct AcvFormula {
    text: String,
    expr: FlatEx<f64>,
    fields: Vec<String>,
}

impl AcvFormula {
    /// Compile `employees * 12 * 25` once; its variables are field names.
    pub fn parse(formula: &str) -> Result<AcvFormula, SizeError> {
        let expr = FlatEx::<f64>::parse(formula).map_err(|e| SizeError::BadFormula {
            formula: formula.to_owned(),
            reason: e.to_string(),
        })?;
        let fields = expr.var_names().to_vec();
        Ok(AcvFormula {
            text: formula.trim().to_owned(),
            expr,
            fields,
        })
    }

    /// The fields the formula reads, in the order [`AcvFormula::eval`]
    /// wants their values.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value for one account; `None` when a field is missing or the
    /// result is not a finite amount >= 0.
    pub fn eval(&self, values: &[Option<f64>]) -> Option<f64> {
        let values: Vec<f64> = values.iter().copied().collect::<Option<_>>()?;
        let v = self.expr.eval(&values).ok()?;
        (v.is_finite() && v >= 0.0).then_some(v)
    }
}

/// How accounts are valued.
#[derive(Debug, Clone)]
pub enum Acv {
    PerTier(AcvTable),
    /// Boxed: a compiled formula is large.
    Formula(Box<AcvFormula>),
}

impl Acv {
    pub fn describe(&self) -> String {
        match self {
            Acv::PerTier(t) => t.describe(),
            Acv::Formula(f) => format!("ACV = {}", f.text()),
        }
    }
}

/// A number used as a field value in a formula: a range counts at its
/// midpoint, an open range ("10,001+") at its floor.
pub fn formula_number(v: &Value) -> Option<f64> {
    match v {
        Value::Num(n) => Some(*n),
        Value::Range(lo, hi) if hi.is_finite() => Some((lo + hi) / 2.0),
        Value::Range(lo, _) => Some(*lo),
        _ => None,
    }
}

/// One market layer's count and value.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Market {
    pub accounts: u64,
    /// Sum of the valued accounts' ACV; `None` without an ACV.
    pub value: Option<f64>,
    /// Accounts with no value (a formula field missing).
    pub unvalued: u64,
}

impl Market {
    fn add(&mut self, value: Option<f64>, valued: bool) {
        self.accounts += 1;
        if valued {
            match value {
                Some(v) => *self.value.get_or_insert(0.0) += v,
                None => {
                    self.value.get_or_insert(0.0);
                    self.unvalued += 1;
                }
            }
        }
    }
}

/// TAM, SAM and SOM with the tiers they are made of.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MarketSize {
    /// Every account.
    pub tam: Market,
    /// Accounts passing the profile's filters (tiers 1-3).
    pub sam: Market,
    /// Tier 1.
    pub som: Market,
    /// Per tier, keyed `1`, `2`, `3`, `excluded`.
    pub tiers: BTreeMap<String, Market>,
    /// How accounts were valued, for people; `None` without an ACV.
    pub acv: Option<String>,
}

/// Adds accounts up into a [`MarketSize`].
#[derive(Debug, Clone)]
pub struct Sizer {
    size: MarketSize,
    valued: bool,
}

impl Sizer {
    pub fn new(acv: Option<&Acv>) -> Sizer {
        let mut size = MarketSize {
            acv: acv.map(Acv::describe),
            ..MarketSize::default()
        };
        for t in Tier::ALL {
            size.tiers.insert(t.as_str().to_owned(), Market::default());
        }
        Sizer {
            size,
            valued: acv.is_some(),
        }
    }

    /// Count one account of `tier` worth `value` (ignored without an ACV).
    pub fn add(&mut self, tier: Tier, value: Option<f64>) {
        let s = &mut self.size;
        s.tam.add(value, self.valued);
        if tier != Tier::Excluded {
            s.sam.add(value, self.valued);
        }
        if tier == Tier::One {
            s.som.add(value, self.valued);
        }
        if let Some(m) = s.tiers.get_mut(tier.as_str()) {
            m.add(value, self.valued);
        }
    }

    pub fn finish(self) -> MarketSize {
        self.size
    }
}

/// `$1,234,567` (whole dollars).
pub fn money(v: f64) -> String {
    let whole = v.round() as i64;
    let sign = if whole < 0 { "-" } else { "" };
    format!("{sign}${}", crate::fmt::group(whole.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acv_specs() {
        let t = AcvTable::parse("1=50000,2=20k,3=$5,000").unwrap();
        assert_eq!(
            (t.tier1, t.tier2, t.tier3, t.excluded),
            (Some(50000.0), Some(20000.0), Some(5000.0), None)
        );
        assert_eq!(t.for_tier(Tier::Excluded), Some(5000.0));
        let t = AcvTable::parse("tier1=$1.2M, excluded=0").unwrap();
        assert_eq!((t.tier1, t.excluded), (Some(1_200_000.0), Some(0.0)));
        assert_eq!(t.for_tier(Tier::Excluded), Some(0.0));
        assert_eq!(t.for_tier(Tier::Two), None);
        assert!(matches!(
            AcvTable::parse("50000"),
            Err(SizeError::BadPair(_))
        ));
        assert!(matches!(
            AcvTable::parse("4=10"),
            Err(SizeError::BadTier { .. })
        ));
        assert!(matches!(
            AcvTable::parse("1=lots"),
            Err(SizeError::BadAmount { .. })
        ));
        assert!(matches!(
            AcvTable::parse("1=-5"),
            Err(SizeError::Negative { .. })
        ));
        let msg = AcvTable::parse("gold=1").unwrap_err().to_string();
        assert!(msg.contains("1, 2, 3 and excluded"), "{msg}");
    }

    #[test]
    fn profile_table() {
        let mut m = HashMap::new();
        assert_eq!(AcvTable::from_profile(&m).unwrap(), None);
        m.insert("1".to_owned(), 50000.0);
        m.insert("3".to_owned(), 5000.0);
        let t = AcvTable::from_profile(&m).unwrap().unwrap();
        assert_eq!(
            t.describe(),
            "tier 1 = $50,000; tier 3 = $5,000; excluded at the tier-3 ACV"
        );
        m.insert("platinum".to_owned(), 1.0);
        assert!(AcvTable::from_profile(&m).is_err());
    }

    #[test]
    fn formula_values() {
        let f = AcvFormula::parse("employees * 12 * 25").unwrap();
        assert_eq!(f.fields(), ["employees"]);
        assert_eq!(f.eval(&[Some(10.0)]), Some(3000.0));
        assert_eq!(f.eval(&[None]), None);
        let f = AcvFormula::parse("1000 + revenue / 1000").unwrap();
        assert_eq!(f.eval(&[Some(2_000_000.0)]), Some(3000.0));
        let f = AcvFormula::parse("100 - employees").unwrap();
        assert_eq!(
            f.eval(&[Some(500.0)]),
            None,
            "negative value is not an amount"
        );
        let err = AcvFormula::parse("employees * (12").unwrap_err();
        assert!(matches!(err, SizeError::BadFormula { .. }), "{err}");
        assert_eq!(formula_number(&Value::Range(51.0, 200.0)), Some(125.5));
        assert_eq!(
            formula_number(&Value::Range(10001.0, f64::INFINITY)),
            Some(10001.0)
        );
        assert_eq!(formula_number(&Value::Missing), None);
    }

    #[test]
    fn layers_add_up() {
        let acv = Acv::PerTier(AcvTable::parse("1=100,2=10,3=1").unwrap());
        let mut s = Sizer::new(Some(&acv));
        for t in [Tier::One, Tier::One, Tier::Two, Tier::Three, Tier::Excluded] {
            s.add(
                t,
                match &acv {
                    Acv::PerTier(table) => table.for_tier(t),
                    Acv::Formula(_) => unreachable!(),
                },
            );
        }
        let m = s.finish();
        assert_eq!((m.tam.accounts, m.sam.accounts, m.som.accounts), (5, 4, 2));
        assert_eq!(
            (m.tam.value, m.sam.value, m.som.value),
            (Some(212.0), Some(211.0), Some(200.0))
        );
        assert_eq!(m.tiers["excluded"].accounts, 1);
        assert_eq!(m.tiers["2"].value, Some(10.0));

        let mut s = Sizer::new(None);
        s.add(Tier::One, Some(5.0));
        let m = s.finish();
        assert_eq!((m.tam.accounts, m.tam.value, m.acv), (1, None, None));

        let f = Acv::Formula(Box::new(AcvFormula::parse("employees").unwrap()));
        let mut s = Sizer::new(Some(&f));
        s.add(Tier::One, Some(7.0));
        s.add(Tier::Two, None);
        let m = s.finish();
        assert_eq!(
            (m.tam.value, m.tam.unvalued, m.sam.unvalued, m.som.unvalued),
            (Some(7.0), 1, 1, 0)
        );
    }

    #[test]
    fn money_format() {
        assert_eq!(money(0.0), "$0");
        assert_eq!(money(999.4), "$999");
        assert_eq!(money(1234567.0), "$1,234,567");
        assert_eq!(money(-1000.0), "-$1,000");
    }
}
