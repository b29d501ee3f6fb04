//! The statistics `icp learn` reports: Wilson intervals, lift, the weight
//! rule, the G statistic used to rank traits, AUC (Mann-Whitney, ties
//! counted half) with its Hanley-McNeil interval, and top-decile lift.

/// The standard normal quantile (Acklam's rational approximation: relative
/// error below 1.2e-9, plenty for interval widths).
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.024_25;
    if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// The Wilson score interval for `good` successes out of `n` at normal
/// quantile `z` (e.g. 1.96 for 95%). `(0, 1)` when `n` is 0.
pub fn wilson(good: usize, n: usize, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = good as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Lift (good rate with the trait / base rate) and its interval (the Wilson
/// interval of the good rate divided by the base rate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lift {
    pub lift: f64,
    pub lo: f64,
    pub hi: f64,
}

pub fn lift(good: usize, n: usize, base_rate: f64, z: f64) -> Lift {
    if n == 0 || base_rate <= 0.0 {
        return Lift {
            lift: 1.0,
            lo: 0.0,
            hi: f64::INFINITY,
        };
    }
    let (lo, hi) = wilson(good, n, z);
    Lift {
        lift: good as f64 / n as f64 / base_rate,
        lo: lo / base_rate,
        hi: hi / base_rate,
    }
}

impl Lift {
    /// Whether the interval leaves out 1 (no effect).
    pub fn excludes_one(&self) -> bool {
        self.lo > 1.0 || self.hi < 1.0
    }

    /// The end of the interval nearest 1: the weakest effect the data
    /// allows.
    pub fn conservative(&self) -> f64 {
        if self.lo > 1.0 {
            self.lo
        } else if self.hi < 1.0 {
            self.hi
        } else {
            1.0
        }
    }
}

/// The smallest lift (or largest below 1, as 1/x) worth a weight.
pub const MIN_EFFECT: f64 = 1.2;
/// Conservative lift at or beyond which a trait weighs 3 (or -3).
pub const BAND_3: f64 = 1.6;
/// Conservative lift at or beyond which a trait weighs 5 (or -5).
pub const BAND_5: f64 = 2.5;

/// The weight rule. A trait gets a weight only when its interval leaves out
/// 1 and its lift is at least [`MIN_EFFECT`] (or at most 1/MIN_EFFECT); the
/// size of the weight follows the end of the interval nearest 1, on the
/// clear steps 1, 3, 5: 5 at [`BAND_5`] or more (1/BAND_5 or less), 3 at
/// [`BAND_3`] or more (1/BAND_3 or less), else 1. 0 means "no weight".
pub fn weight_for(l: &Lift) -> i8 {
    if !l.excludes_one() || !l.lift.is_finite() {
        return 0;
    }
    let up = l.lift > 1.0;
    let point = if up { l.lift } else { 1.0 / l.lift.max(1e-12) };
    if point < MIN_EFFECT {
        return 0;
    }
    let c = l.conservative();
    let strength = if up { c } else { 1.0 / c.max(1e-12) };
    let w = if strength >= BAND_5 {
        5
    } else if strength >= BAND_3 {
        3
    } else {
        1
    };
    if up { w } else { -w }
}

/// The G statistic (likelihood ratio) of a 2x2 table: trait vs the rest
/// against good vs bad. Larger = stronger evidence of an association; used
/// to rank candidates.
pub fn g_statistic(good_with: usize, n_with: usize, good_all: usize, n_all: usize) -> f64 {
    let a = good_with as f64;
    let b = n_with.saturating_sub(good_with) as f64;
    let c = good_all.saturating_sub(good_with) as f64;
    let d =
        (n_all.saturating_sub(n_with)).saturating_sub(good_all.saturating_sub(good_with)) as f64;
    let n = a + b + c + d;
    if n == 0.0 {
        return 0.0;
    }
    let row1 = a + b;
    let row2 = c + d;
    let col1 = a + c;
    let col2 = b + d;
    let term = |o: f64, e: f64| {
        if o > 0.0 && e > 0.0 {
            o * (o / e).ln()
        } else {
            0.0
        }
    };
    2.0 * (term(a, row1 * col1 / n)
        + term(b, row1 * col2 / n)
        + term(c, row2 * col1 / n)
        + term(d, row2 * col2 / n))
}

/// Area under the ROC curve: the chance that a random good row scores above
/// a random bad one, ties counting half (the Mann-Whitney U statistic over
/// n_good * n_bad). `None` unless both classes are present.
pub fn auc(scores: &[f64], good: &[bool]) -> Option<f64> {
    let n1 = good.iter().filter(|g| **g).count();
    let n0 = good.len() - n1;
    if n1 == 0 || n0 == 0 || scores.len() != good.len() {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the (average) ranks of good rows.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        let goods = order[i..=j].iter().filter(|&&k| good[k]).count();
        rank_sum += avg * goods as f64;
        i = j + 1;
    }
    let (n1f, n0f) = (n1 as f64, n0 as f64);
    Some((rank_sum - n1f * (n1f + 1.0) / 2.0) / (n1f * n0f))
}

/// Hanley and McNeil's (1982) standard error of an AUC.
pub fn auc_se(a: f64, n_good: usize, n_bad: usize) -> f64 {
    if n_good == 0 || n_bad == 0 {
        return f64::NAN;
    }
    let (n1, n0) = (n_good as f64, n_bad as f64);
    let q1 = a / (2.0 - a);
    let q2 = 2.0 * a * a / (1.0 + a);
    ((a * (1.0 - a) + (n1 - 1.0) * (q1 - a * a) + (n0 - 1.0) * (q2 - a * a)) / (n1 * n0))
        .max(0.0)
        .sqrt()
}

/// The good rate among the top 10% by score (ties at the cut shared out in
/// proportion, as a random order among them would on average) divided by
/// the overall good rate. `None` without rows or without good rows.
pub fn top_decile_lift(scores: &[f64], good: &[bool]) -> Option<f64> {
    top_share_lift(scores, good, 0.1)
}

pub fn top_share_lift(scores: &[f64], good: &[bool], share: f64) -> Option<f64> {
    let n = scores.len();
    let total_good = good.iter().filter(|g| **g).count();
    if n == 0 || total_good == 0 || good.len() != n {
        return None;
    }
    let k = ((n as f64 * share).ceil() as usize).clamp(1, n);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut taken = 0usize;
    let mut goods = 0.0;
    let mut i = 0;
    while i < n && taken < k {
        let mut j = i;
        while j + 1 < n && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let size = j - i + 1;
        let group_good = order[i..=j].iter().filter(|&&r| good[r]).count() as f64;
        let take = size.min(k - taken);
        goods += group_good * take as f64 / size as f64;
        taken += take;
        i = j + 1;
    }
    let base = total_good as f64 / n as f64;
    Some(goods / k as f64 / base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn normal_quantiles() {
        assert!(close(normal_quantile(0.975), 1.959_963_984_540_054, 1e-8));
        assert!(close(normal_quantile(0.5), 0.0, 1e-12));
        assert!(close(normal_quantile(0.025), -1.959_963_984_540_054, 1e-8));
        assert!(close(normal_quantile(0.995), 2.575_829_303_548_901, 1e-8));
        // Far tail (Bonferroni over many candidates).
        assert!(close(
            normal_quantile(1.0 - 1e-6),
            4.753_424_308_822_899,
            1e-7
        ));
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert_eq!(normal_quantile(f64::NAN), f64::NEG_INFINITY);
    }

    #[test]
    fn wilson_interval_by_hand() {
        // 40 of 100 at 95%: centre 0.40370, half-width 0.09430.
        let (lo, hi) = wilson(40, 100, 1.96);
        assert!(close(lo, 0.3094, 1e-4), "{lo}");
        assert!(close(hi, 0.4980, 1e-4), "{hi}");
        // 0 of 10: the lower end is 0, the upper 0.2775.
        let (lo, hi) = wilson(0, 10, 1.96);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.2775, 1e-4), "{hi}");
        // 10 of 10 mirrors it.
        let (lo, hi) = wilson(10, 10, 1.96);
        assert!(close(lo, 0.7225, 1e-4), "{lo}");
        assert!(close(hi, 1.0, 1e-12));
        assert_eq!(wilson(0, 0, 1.96), (0.0, 1.0));
    }

    #[test]
    fn lift_and_its_interval() {
        // 40 of 100 good with the trait, 20% overall: lift 2, interval
        // 0.3094/0.2 .. 0.4980/0.2.
        let l = lift(40, 100, 0.2, 1.96);
        assert!(close(l.lift, 2.0, 1e-12));
        assert!(close(l.lo, 1.547, 1e-3), "{}", l.lo);
        assert!(close(l.hi, 2.490, 1e-3), "{}", l.hi);
        assert!(l.excludes_one());
        assert!(close(l.conservative(), l.lo, 0.0));
        // 22 of 100 at 20%: lift 1.1, interval straddles 1.
        let l = lift(22, 100, 0.2, 1.96);
        assert!(!l.excludes_one());
        assert_eq!(l.conservative(), 1.0);
        // No rows, no base: nothing to say.
        assert!(!lift(0, 0, 0.2, 1.96).excludes_one());
        assert!(!lift(3, 10, 0.0, 1.96).excludes_one());
    }

    #[test]
    fn weights_follow_the_conservative_lift_on_clear_steps() {
        let w = |lift: f64, lo: f64, hi: f64| weight_for(&Lift { lift, lo, hi });
        assert_eq!(w(2.0, 1.55, 2.5), 1);
        assert_eq!(w(2.0, 1.6, 2.5), 3);
        assert_eq!(w(4.0, 2.5, 6.0), 5);
        assert_eq!(w(4.0, 0.9, 6.0), 0, "interval includes 1");
        assert_eq!(w(1.1, 1.05, 1.15), 0, "too small to matter");
        assert_eq!(w(0.5, 0.4, 0.7), -1);
        assert_eq!(w(0.5, 0.3, 0.625), -3);
        assert_eq!(w(0.2, 0.1, 0.4), -5);
        assert_eq!(w(0.0, 0.0, 0.3), -5);
        assert_eq!(w(0.85, 0.8, 0.9), -0_i8.abs(), "1/0.85 < 1.2");
        assert_eq!(w(f64::NAN, 0.5, 2.0), 0);
        // Only clear weights come out.
        for lo in [1.01, 1.3, 1.7, 2.6, 9.0] {
            let x = w(lo * 1.2, lo, lo * 2.0);
            assert!([1, 3, 5].contains(&x), "{x}");
        }
    }

    #[test]
    fn g_statistic_by_hand() {
        // Table [[30, 70], [20, 180]]: G = 2 * sum O ln(O/E), E from the
        // margins (100/200 rows, 50/250 columns of 300).
        let g = g_statistic(30, 100, 50, 300);
        let e = |o: f64, e: f64| o * (o / e).ln();
        let expect = 2.0
            * (e(30.0, 100.0 * 50.0 / 300.0)
                + e(70.0, 100.0 * 250.0 / 300.0)
                + e(20.0, 200.0 * 50.0 / 300.0)
                + e(180.0, 200.0 * 250.0 / 300.0));
        assert!(close(g, expect, 1e-9));
        assert!(close(g, 18.13, 0.01), "{g}");
        // Independence: 0.
        assert!(close(g_statistic(10, 100, 30, 300), 0.0, 1e-9));
        assert_eq!(g_statistic(0, 0, 0, 0), 0.0);
    }

    #[test]
    fn auc_counts_ties_half() {
        // Perfect and reversed.
        assert_eq!(
            auc(&[1.0, 2.0, 3.0, 4.0], &[false, false, true, true]),
            Some(1.0)
        );
        assert_eq!(
            auc(&[4.0, 3.0, 2.0, 1.0], &[false, false, true, true]),
            Some(0.0)
        );
        // All tied: 0.5.
        assert_eq!(auc(&[1.0; 4], &[false, true, false, true]), Some(0.5));
        // By hand: good {3, 2}, bad {2, 1}: pairs (3>2) 1, (3>1) 1, (2=2) .5,
        // (2>1) 1 = 3.5 / 4.
        assert_eq!(
            auc(&[3.0, 2.0, 2.0, 1.0], &[true, true, false, false]),
            Some(0.875)
        );
        assert_eq!(auc(&[1.0, 2.0], &[true, true]), None);
        assert_eq!(auc(&[], &[]), None);
    }

    #[test]
    fn auc_standard_error() {
        // Hanley & McNeil: A = 0.8 with 50 and 50 rows -> 0.04450.
        assert!(
            close(auc_se(0.8, 50, 50), 0.0445, 1e-4),
            "{}",
            auc_se(0.8, 50, 50)
        );
        assert!(auc_se(0.8, 0, 5).is_nan());
    }

    #[test]
    fn top_decile_shares_ties() {
        // 20 rows, 4 good; the top 2 are good: rate 1.0 / 0.2 = 5.
        let mut scores: Vec<f64> = (0..20).map(f64::from).collect();
        let mut good = vec![false; 20];
        good[19] = true;
        good[18] = true;
        good[0] = true;
        good[1] = true;
        assert_eq!(top_decile_lift(&scores, &good), Some(5.0));
        // Everything tied: the top decile has the base rate, lift 1.
        scores.iter_mut().for_each(|s| *s = 0.0);
        assert_eq!(top_decile_lift(&scores, &good), Some(1.0));
        // A tie across the cut: top score 2 (good), then 3 tied at 1 (one
        // good); k = 2 takes the top row and a third of a good.
        let s = [
            2.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0,
        ];
        let mut g = [false; 20];
        g[0] = true;
        g[1] = true;
        let l = top_decile_lift(&s, &g).unwrap();
        assert!(close(l, (1.0 + 1.0 / 3.0) / 2.0 / 0.1, 1e-12), "{l}");
        assert_eq!(top_decile_lift(&[1.0], &[false]), None);
        assert_eq!(top_decile_lift(&[], &[]), None);
    }
}
