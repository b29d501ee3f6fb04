//! k-prototypes (Huang, 1998): k-means for mixed numeric and categorical
//! data. linfa has no such algorithm, so this is the one written by hand.
//!
//! The dissimilarity between a point `x` and a prototype `c` is
//!
//! ```text
//! d(x, c) = sum over numeric j   (x_j - c_j)^2
//!         + gamma * (number of categorical l with x_l != c_l)
//! ```
//!
//! where a missing value of `x` takes no part (it is neither imputed nor
//! counted as a mismatch). Prototypes hold the mean of each numeric feature
//! and the mode of each categorical one over the members that have a value.
//!
//! The fit is the batch (Lloyd) form: seeded k-means++ seeding (the next
//! prototype drawn with probability proportional to `d`), then assign every
//! point and recompute every prototype until no label changes or the
//! prototypes barely move (the same modes, and a squared numeric shift of at
//! most 1e-4 x the mean variance, as scikit-learn's KMeans), at most
//! `max_iter` rounds. A prototype
//! left without members takes the point farthest from its own prototype.
//! Several restarts run in parallel, each with its own seed derived from the
//! caller's, and the lowest total cost wins (ties: the first restart), so the
//! result does not depend on the number of threads.

/// A missing categorical value.
pub const MISSING: u32 = u32::MAX;

/// Encoded points, row-major: `p` numeric features (NaN = missing) and `q`
/// categorical codes (`MISSING` = missing) per point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Points {
    pub n: usize,
    pub p: usize,
    pub q: usize,
    pub num: Vec<f64>,
    pub cat: Vec<u32>,
}

impl Points {
    /// Points from rows of numbers and codes (tests and small callers).
    pub fn from_rows(num: &[Vec<f64>], cat: &[Vec<u32>]) -> Points {
        let n = num.len().max(cat.len());
        let p = num.first().map_or(0, Vec::len);
        let q = cat.first().map_or(0, Vec::len);
        let mut pts = Points {
            n,
            p,
            q,
            num: Vec::with_capacity(n * p),
            cat: Vec::with_capacity(n * q),
        };
        for i in 0..n {
            if p > 0 {
                pts.num.extend_from_slice(&num[i]);
            }
            if q > 0 {
                pts.cat.extend_from_slice(&cat[i]);
            }
        }
        pts
    }

    #[inline]
    pub fn num_row(&self, i: usize) -> &[f64] {
        &self.num[i * self.p..(i + 1) * self.p]
    }

    #[inline]
    pub fn cat_row(&self, i: usize) -> &[u32] {
        &self.cat[i * self.q..(i + 1) * self.q]
    }

    /// The points at `idx`, in that order.
    pub fn subset(&self, idx: &[usize]) -> Points {
        let mut out = Points {
            n: idx.len(),
            p: self.p,
            q: self.q,
            num: Vec::with_capacity(idx.len() * self.p),
            cat: Vec::with_capacity(idx.len() * self.q),
        };
        for &i in idx {
            out.num.extend_from_slice(self.num_row(i));
            out.cat.extend_from_slice(self.cat_row(i));
        }
        out
    }

    /// Whether two points are the same (missing equals missing).
    fn same(&self, a: usize, b: usize) -> bool {
        let (na, nb) = (self.num_row(a), self.num_row(b));
        na.iter()
            .zip(nb)
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
            && self.cat_row(a) == self.cat_row(b)
    }

    /// The number of distinct points, counted up to `cap` (then `cap`).
    pub fn distinct(&self, cap: usize) -> usize {
        let mut reps: Vec<usize> = Vec::new();
        for i in 0..self.n {
            if !reps.iter().any(|&r| self.same(r, i)) {
                reps.push(i);
                if reps.len() >= cap {
                    break;
                }
            }
        }
        reps.len()
    }
}

/// Settings of one fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Clusters wanted (at least 1).
    pub k: usize,
    /// Weight of one categorical mismatch against squared numeric distance.
    pub gamma: f64,
    /// Independent seeded starts; the lowest cost wins.
    pub restarts: usize,
    /// Assign-update rounds per start at most.
    pub max_iter: usize,
    pub seed: u64,
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Clusters found: `Params::k`, or fewer when the data has fewer
    /// distinct points.
    pub k: usize,
    pub p: usize,
    pub q: usize,
    /// Numeric prototypes, `k * p`.
    pub num: Vec<f64>,
    /// Categorical prototypes, `k * q`.
    pub cat: Vec<u32>,
    /// Each point's cluster, `0..k`.
    pub labels: Vec<u32>,
    /// Sum of each point's dissimilarity to its prototype.
    pub cost: f64,
    /// Rounds the winning start took.
    pub iterations: usize,
    /// Whether the winning start settled (no label changed, or the
    /// prototypes barely moved) rather than stopping at `max_iter`.
    pub converged: bool,
}

impl Model {
    pub fn num_proto(&self, c: usize) -> &[f64] {
        &self.num[c * self.p..(c + 1) * self.p]
    }
    pub fn cat_proto(&self, c: usize) -> &[u32] {
        &self.cat[c * self.q..(c + 1) * self.q]
    }
    /// Members per cluster.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![0; self.k];
        for &l in &self.labels {
            s[l as usize] += 1;
        }
        s
    }
}

/// The dissimilarity of a point to a prototype (missing values of the
/// point take no part).
#[inline]
pub fn dissimilarity(xn: &[f64], xc: &[u32], cn: &[f64], cc: &[u32], gamma: f64) -> f64 {
    let mut d = 0.0;
    for (x, c) in xn.iter().zip(cn) {
        let t = x - c;
        // NaN (a missing value) adds nothing.
        if !t.is_nan() {
            d += t * t;
        }
    }
    let mut mismatches = 0u32;
    for (&x, &c) in xc.iter().zip(cc) {
        mismatches += u32::from(x != MISSING && x != c);
    }
    d + gamma * f64::from(mismatches)
}

/// Global means and modes: the fallback of a prototype feature that none of
/// its members has.
struct Fallback {
    num: Vec<f64>,
    cat: Vec<u32>,
    /// Mean variance of the numeric features (the convergence scale).
    mean_var: f64,
    /// The points' numbers with 0 for a missing value, and 1 / 0 for
    /// present / missing: the assignment loop then needs no branch.
    dense: Vec<f64>,
    mask: Vec<f64>,
}

fn fallback(pts: &Points) -> Fallback {
    let mut sum = vec![0.0; pts.p];
    let mut sq = vec![0.0; pts.p];
    let mut cnt = vec![0usize; pts.p];
    let mut counts: Vec<Vec<usize>> = vec![Vec::new(); pts.q];
    for i in 0..pts.n {
        for (j, &x) in pts.num_row(i).iter().enumerate() {
            if !x.is_nan() {
                sum[j] += x;
                sq[j] += x * x;
                cnt[j] += 1;
            }
        }
        for (l, &x) in pts.cat_row(i).iter().enumerate() {
            if x != MISSING {
                bump(&mut counts[l], x);
            }
        }
    }
    let num: Vec<f64> = sum
        .iter()
        .zip(&cnt)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
        .collect();
    let vars: Vec<f64> = (0..pts.p)
        .filter(|&j| cnt[j] > 0)
        .map(|j| (sq[j] / cnt[j] as f64 - num[j] * num[j]).max(0.0))
        .collect();
    Fallback {
        num,
        cat: counts.iter().map(|c| mode(c).unwrap_or(MISSING)).collect(),
        dense: pts
            .num
            .iter()
            .map(|x| if x.is_nan() { 0.0 } else { *x })
            .collect(),
        mask: pts
            .num
            .iter()
            .map(|x| if x.is_nan() { 0.0 } else { 1.0 })
            .collect(),
        mean_var: if vars.is_empty() {
            0.0
        } else {
            vars.iter().sum::<f64>() / vars.len() as f64
        },
    }
}

fn bump(counts: &mut Vec<usize>, code: u32) {
    let code = code as usize;
    if counts.len() <= code {
        counts.resize(code + 1, 0);
    }
    counts[code] += 1;
}

/// The most frequent code (ties: the lowest code), if any was counted.
fn mode(counts: &[usize]) -> Option<u32> {
    let mut best: Option<(usize, usize)> = None;
    for (code, &c) in counts.iter().enumerate() {
        if c > 0 && best.is_none_or(|(_, bc)| c > bc) {
            best = Some((code, c));
        }
    }
    best.map(|(code, _)| code as u32)
}

/// A stream of seeds from one seed (splitmix64).
pub fn derive_seed(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fit k-prototypes: the best of `params.restarts` seeded starts.
pub fn fit(pts: &Points, params: &Params) -> Model {
    let restarts = params.restarts.max(1);
    let fb = fallback(pts);
    let models = parallel_map(restarts, |r| {
        let mut rng = fastrand::Rng::with_seed(derive_seed(params.seed, r as u64));
        fit_once(pts, params, &fb, &mut rng)
    });
    let mut best: Option<Model> = None;
    for m in models {
        if best.as_ref().is_none_or(|b| m.cost < b.cost) {
            best = Some(m);
        }
    }
    best.unwrap_or_else(|| empty_model(pts))
}

fn empty_model(pts: &Points) -> Model {
    Model {
        k: 0,
        p: pts.p,
        q: pts.q,
        num: Vec::new(),
        cat: Vec::new(),
        labels: Vec::new(),
        cost: 0.0,
        iterations: 0,
        converged: true,
    }
}

/// Copy point `i` into a prototype, filling its missing values from `fb`.
fn proto_from_point(pts: &Points, i: usize, fb: &Fallback, num: &mut Vec<f64>, cat: &mut Vec<u32>) {
    num.extend(
        pts.num_row(i)
            .iter()
            .zip(&fb.num)
            .map(|(&x, &f)| if x.is_nan() { f } else { x }),
    );
    cat.extend(
        pts.cat_row(i)
            .iter()
            .zip(&fb.cat)
            .map(|(&x, &f)| if x == MISSING { f } else { x }),
    );
}

/// k-means++ seeding with the mixed dissimilarity. Stops early when every
/// point coincides with a chosen prototype (fewer distinct points than k).
fn seed_prototypes(
    pts: &Points,
    k: usize,
    gamma: f64,
    fb: &Fallback,
    rng: &mut fastrand::Rng,
) -> (Vec<f64>, Vec<u32>, usize) {
    let (mut num, mut cat) = (Vec::with_capacity(k * pts.p), Vec::with_capacity(k * pts.q));
    let first = rng.usize(0..pts.n);
    proto_from_point(pts, first, fb, &mut num, &mut cat);
    let mut chosen = 1;
    let mut nearest: Vec<f64> = (0..pts.n)
        .map(|i| dissimilarity(pts.num_row(i), pts.cat_row(i), &num, &cat, gamma))
        .collect();
    while chosen < k {
        let total: f64 = nearest.iter().sum();
        if total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            break;
        }
        let target = rng.f64() * total;
        let mut acc = 0.0;
        let mut pick = None;
        for (i, &d) in nearest.iter().enumerate() {
            if d > 0.0 {
                acc += d;
                pick = Some(i);
                if acc > target {
                    break;
                }
            }
        }
        let Some(pick) = pick else { break };
        proto_from_point(pts, pick, fb, &mut num, &mut cat);
        let (cn, cc) = (&num[chosen * pts.p..], &cat[chosen * pts.q..]);
        for (i, best) in nearest.iter_mut().enumerate() {
            let d = dissimilarity(pts.num_row(i), pts.cat_row(i), cn, cc, gamma);
            if d < *best {
                *best = d;
            }
        }
        chosen += 1;
    }
    (num, cat, chosen)
}

/// Assign every point to its nearest prototype (ties: the lowest index);
/// returns the number of changed labels and the total cost, and fills each
/// point's distance.
fn assign(
    pts: &Points,
    fb: &Fallback,
    (k, num, cat): (usize, &[f64], &[u32]),
    gamma: f64,
    labels: &mut [u32],
    dist: &mut [f64],
) -> (usize, f64) {
    let (p, q) = (pts.p, pts.q);
    let mut changed = 0;
    let mut cost = 0.0;
    for i in 0..pts.n {
        let (xv, xm) = (&fb.dense[i * p..(i + 1) * p], &fb.mask[i * p..(i + 1) * p]);
        let xc = pts.cat_row(i);
        let mut best = (0u32, f64::INFINITY);
        for c in 0..k {
            // The numeric part first (a missing value has mask 0): a
            // prototype already farther than the best one needs no
            // categorical comparison.
            let mut d = 0.0;
            for ((x, m), y) in xv.iter().zip(xm).zip(&num[c * p..(c + 1) * p]) {
                let t = x - y;
                d += m * t * t;
            }
            if d >= best.1 {
                continue;
            }
            let mut mismatches = 0u32;
            for (&x, &y) in xc.iter().zip(&cat[c * q..(c + 1) * q]) {
                mismatches += u32::from(x != MISSING && x != y);
            }
            d += gamma * f64::from(mismatches);
            if d < best.1 {
                best = (c as u32, d);
            }
        }
        if labels[i] != best.0 {
            labels[i] = best.0;
            changed += 1;
        }
        dist[i] = best.1;
        cost += best.1;
    }
    (changed, cost)
}

/// Recompute prototypes from members; returns the clusters left empty.
fn update(
    pts: &Points,
    k: usize,
    labels: &[u32],
    fb: &Fallback,
    num: &mut [f64],
    cat: &mut [u32],
) -> Vec<usize> {
    let (p, q) = (pts.p, pts.q);
    let mut sum = vec![0.0; k * p];
    let mut cnt = vec![0usize; k * p];
    let mut counts: Vec<Vec<usize>> = vec![Vec::new(); k * q];
    let mut members = vec![0usize; k];
    for (i, &label) in labels.iter().enumerate() {
        let c = label as usize;
        members[c] += 1;
        for (j, &x) in pts.num_row(i).iter().enumerate() {
            if !x.is_nan() {
                sum[c * p + j] += x;
                cnt[c * p + j] += 1;
            }
        }
        for (l, &x) in pts.cat_row(i).iter().enumerate() {
            if x != MISSING {
                bump(&mut counts[c * q + l], x);
            }
        }
    }
    let mut empty = Vec::new();
    for (c, &m) in members.iter().enumerate() {
        if m == 0 {
            empty.push(c);
            continue;
        }
        for j in 0..p {
            let at = c * p + j;
            num[at] = if cnt[at] > 0 {
                sum[at] / cnt[at] as f64
            } else {
                fb.num[j]
            };
        }
        for l in 0..q {
            let at = c * q + l;
            cat[at] = mode(&counts[at]).unwrap_or(fb.cat[l]);
        }
    }
    empty
}

fn fit_once(pts: &Points, params: &Params, fb: &Fallback, rng: &mut fastrand::Rng) -> Model {
    if pts.n == 0 || params.k == 0 {
        return empty_model(pts);
    }
    let gamma = params.gamma;
    let (mut num, mut cat, mut k) = seed_prototypes(pts, params.k.min(pts.n), gamma, fb, rng);
    let mut labels = vec![u32::MAX; pts.n];
    let mut dist = vec![0.0; pts.n];
    let mut iterations = 0;
    let mut converged = false;
    let mut cost;
    // Prototypes that barely move end the fit (scikit-learn's KMeans rule):
    // the same modes and a squared numeric shift of at most 1e-4 x the mean
    // variance of the numeric features.
    let tolerance = 1e-4 * fb.mean_var;
    let mut settled = false;
    loop {
        let (changed, c) = assign(pts, fb, (k, &num, &cat), gamma, &mut labels, &mut dist);
        cost = c;
        if changed == 0 || settled {
            converged = true;
            break;
        }
        if iterations >= params.max_iter {
            break;
        }
        iterations += 1;
        let (old_num, old_cat) = (num.clone(), cat.clone());
        let empty = update(pts, k, &labels, fb, &mut num, &mut cat);
        let shift: f64 = num
            .iter()
            .zip(&old_num)
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        settled = empty.is_empty() && cat == old_cat && shift <= tolerance;
        // An empty cluster takes the point farthest from its prototype
        // (among clusters with more than one member).
        if !empty.is_empty() {
            let mut sizes = vec![0usize; k];
            for &l in &labels {
                sizes[l as usize] += 1;
            }
            for c in empty {
                let far = (0..pts.n)
                    .filter(|&i| sizes[labels[i] as usize] > 1 && dist[i] > 0.0)
                    .max_by(|&a, &b| dist[a].total_cmp(&dist[b]).then(b.cmp(&a)));
                let Some(i) = far else { continue };
                sizes[labels[i] as usize] -= 1;
                sizes[c] += 1;
                labels[i] = c as u32;
                dist[i] = 0.0;
                let mut pn = Vec::with_capacity(pts.p);
                let mut pc = Vec::with_capacity(pts.q);
                proto_from_point(pts, i, fb, &mut pn, &mut pc);
                num[c * pts.p..(c + 1) * pts.p].copy_from_slice(&pn);
                cat[c * pts.q..(c + 1) * pts.q].copy_from_slice(&pc);
            }
        }
    }
    // Drop clusters that ended empty (identical points) and renumber.
    let mut sizes = vec![0usize; k];
    for &l in &labels {
        sizes[l as usize] += 1;
    }
    if sizes.contains(&0) {
        let mut map = vec![u32::MAX; k];
        let (mut kn, mut kc) = (Vec::new(), Vec::new());
        let mut next = 0u32;
        for c in 0..k {
            if sizes[c] > 0 {
                map[c] = next;
                next += 1;
                kn.extend_from_slice(&num[c * pts.p..(c + 1) * pts.p]);
                kc.extend_from_slice(&cat[c * pts.q..(c + 1) * pts.q]);
            }
        }
        for l in &mut labels {
            *l = map[*l as usize];
        }
        num = kn;
        cat = kc;
        k = next as usize;
    }
    Model {
        k,
        p: pts.p,
        q: pts.q,
        num,
        cat,
        labels,
        cost,
        iterations,
        converged,
    }
}

/// Pairwise dissimilarities of a (small) set of points, for the silhouette:
/// the square root of the mixed dissimilarity over the features both points
/// have, scaled up by (all features / features compared) so that pairs with
/// missing values are not made to look close. NaN where two points share no
/// feature.
pub struct Distances {
    n: usize,
    /// Condensed upper triangle, row by row.
    d: Vec<f32>,
}

impl Distances {
    pub fn new(pts: &Points, gamma: f64) -> Distances {
        let n = pts.n;
        let total = (pts.p + pts.q) as f64;
        let rows: Vec<Vec<f32>> = parallel_map(n, |i| {
            let (an, ac) = (pts.num_row(i), pts.cat_row(i));
            ((i + 1)..n)
                .map(|j| {
                    let (bn, bc) = (pts.num_row(j), pts.cat_row(j));
                    let mut d = 0.0;
                    let mut used = 0usize;
                    for (x, y) in an.iter().zip(bn) {
                        let t = x - y;
                        if !t.is_nan() {
                            d += t * t;
                            used += 1;
                        }
                    }
                    for (&x, &y) in ac.iter().zip(bc) {
                        if x != MISSING && y != MISSING {
                            used += 1;
                            if x != y {
                                d += gamma;
                            }
                        }
                    }
                    if used == 0 {
                        f32::NAN
                    } else {
                        (d * total / used as f64).sqrt() as f32
                    }
                })
                .collect()
        });
        Distances {
            n,
            d: rows.concat(),
        }
    }

    #[inline]
    fn get(&self, i: usize, j: usize) -> f32 {
        let (a, b) = if i < j { (i, j) } else { (j, i) };
        // Row a starts after the rows 0..a, each of length n - 1 - r.
        let start = a * (2 * self.n - a - 1) / 2;
        self.d[start + (b - a - 1)]
    }
}

/// The mean silhouette of a labelling (Rousseeuw, 1987): for each point,
/// `(b - a) / max(a, b)` with `a` its mean distance to its own cluster and
/// `b` the lowest mean distance to another cluster; 0 for a point alone in
/// its cluster. `None` with fewer than two clusters.
pub fn silhouette(dist: &Distances, labels: &[u32], k: usize) -> Option<f64> {
    if k < 2 || labels.len() != dist.n {
        return None;
    }
    let n = dist.n;
    let scores: Vec<f64> = parallel_map(n, |i| {
        let mut sum = vec![0.0f64; k];
        let mut cnt = vec![0usize; k];
        for (j, &label) in labels.iter().enumerate() {
            if j == i {
                continue;
            }
            let d = dist.get(i, j);
            if d.is_nan() {
                continue;
            }
            let c = label as usize;
            sum[c] += f64::from(d);
            cnt[c] += 1;
        }
        let own = labels[i] as usize;
        if cnt[own] == 0 {
            return 0.0;
        }
        let a = sum[own] / cnt[own] as f64;
        let b = (0..k)
            .filter(|&c| c != own && cnt[c] > 0)
            .map(|c| sum[c] / cnt[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if !b.is_finite() {
            return 0.0;
        }
        let m = a.max(b);
        if m > 0.0 { (b - a) / m } else { 0.0 }
    });
    Some(scores.iter().sum::<f64>() / n as f64)
}

/// `f(0..n)` on all cores, results in index order.
pub fn parallel_map<T: Send, F: Fn(usize) -> T + Sync>(n: usize, f: F) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(n);
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parts: Vec<Vec<(usize, T)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        out.push((i, f(i)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut all: Vec<(usize, T)> = parts.iter_mut().flat_map(std::mem::take).collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAN: f64 = f64::NAN;

    fn params(k: usize, seed: u64) -> Params {
        Params {
            k,
            gamma: 0.5,
            restarts: 4,
            max_iter: 100,
            seed,
        }
    }

    /// Two obvious groups: small numbers and category 0, large numbers and
    /// category 1.
    fn two_groups() -> Points {
        let mut num = Vec::new();
        let mut cat = Vec::new();
        for i in 0..10 {
            let j = i as f64 * 0.01;
            num.push(vec![-2.0 + j, -1.5 - j]);
            cat.push(vec![0]);
            num.push(vec![2.0 - j, 1.5 + j]);
            cat.push(vec![1]);
        }
        Points::from_rows(&num, &cat)
    }

    #[test]
    fn dissimilarity_ignores_missing_values() {
        let d = dissimilarity(&[1.0, NAN], &[0, MISSING], &[0.0, 5.0], &[1, 2], 0.5);
        assert_eq!(d, 1.0 + 0.5);
        assert_eq!(dissimilarity(&[NAN], &[MISSING], &[3.0], &[0], 0.5), 0.0);
    }

    #[test]
    fn finds_two_obvious_clusters() {
        let pts = two_groups();
        let m = fit(&pts, &params(2, 7));
        assert_eq!(m.k, 2);
        assert!(m.converged);
        for i in (0..pts.n).step_by(2) {
            assert_eq!(m.labels[i], m.labels[0], "point {i}");
            assert_ne!(m.labels[i + 1], m.labels[0], "point {}", i + 1);
        }
        let c = m.labels[0] as usize;
        assert!(m.num_proto(c)[0] < -1.9 && m.cat_proto(c)[0] == 0);
        assert_eq!(m.sizes(), vec![10, 10]);
    }

    #[test]
    fn missing_values_are_not_zeros() {
        // The middle points miss their number: as zeros they would sit
        // between the groups; their category decides instead.
        let pts = Points::from_rows(
            &[
                vec![-3.0],
                vec![-3.1],
                vec![-2.9],
                vec![3.0],
                vec![3.1],
                vec![2.9],
                vec![NAN],
                vec![NAN],
            ],
            &[
                vec![0],
                vec![0],
                vec![0],
                vec![1],
                vec![1],
                vec![1],
                vec![1],
                vec![0],
            ],
        );
        let m = fit(&pts, &params(2, 1));
        assert_eq!(m.k, 2);
        assert_eq!(m.labels[6], m.labels[3]);
        assert_eq!(m.labels[7], m.labels[0]);
        assert_ne!(m.labels[0], m.labels[3]);
        // The prototypes are means of the members that have a value.
        let c = m.labels[3] as usize;
        assert!((m.num_proto(c)[0] - 3.0).abs() < 1e-9);
    }

    #[test]
    fn one_cluster_is_the_means_and_modes() {
        let pts = Points::from_rows(
            &[vec![1.0], vec![2.0], vec![NAN], vec![6.0]],
            &[vec![2], vec![2], vec![1], vec![MISSING]],
        );
        let m = fit(&pts, &params(1, 3));
        assert_eq!(m.k, 1);
        assert_eq!(m.labels, vec![0, 0, 0, 0]);
        assert_eq!(m.num_proto(0), &[3.0]);
        assert_eq!(m.cat_proto(0), &[2]);
        // cost: (1-3)^2 + (2-3)^2 + 0.5 (category 1 != 2) + (6-3)^2
        assert!((m.cost - (4.0 + 1.0 + 0.5 + 9.0)).abs() < 1e-9);
    }

    #[test]
    fn more_clusters_than_distinct_points() {
        let pts = Points::from_rows(
            &[vec![1.0], vec![1.0], vec![5.0], vec![5.0], vec![1.0]],
            &[vec![0], vec![0], vec![1], vec![1], vec![0]],
        );
        assert_eq!(pts.distinct(10), 2);
        let m = fit(&pts, &params(4, 9));
        assert_eq!(m.k, 2);
        assert_eq!(m.labels[0], m.labels[1]);
        assert_eq!(m.labels[0], m.labels[4]);
        assert_ne!(m.labels[0], m.labels[2]);
        assert_eq!(m.cost, 0.0);
        // k larger than the number of points.
        let one = Points::from_rows(&[vec![2.0]], &[vec![0]]);
        let m = fit(&one, &params(3, 9));
        assert_eq!((m.k, m.labels.clone()), (1, vec![0]));
        // No points at all.
        let m = fit(&Points::default(), &params(3, 9));
        assert_eq!(m.k, 0);
    }

    #[test]
    fn same_seed_same_model_and_seeds_differ() {
        let mut num = Vec::new();
        let mut cat = Vec::new();
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..300 {
            num.push(vec![rng.f64() * 4.0, rng.f64()]);
            cat.push(vec![rng.u32(0..4), rng.u32(0..3)]);
        }
        let pts = Points::from_rows(&num, &cat);
        let a = fit(&pts, &params(5, 42));
        let b = fit(&pts, &params(5, 42));
        assert_eq!(a, b);
        let starts: Vec<u64> = (0..8).map(|s| derive_seed(42, s)).collect();
        let mut dedup = starts.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), starts.len());
    }

    #[test]
    fn silhouette_prefers_the_true_number_of_clusters() {
        // Three tight groups on a line.
        let mut num = Vec::new();
        for g in 0..3 {
            for i in 0..8 {
                num.push(vec![g as f64 * 10.0 + i as f64 * 0.1]);
            }
        }
        let pts = Points::from_rows(&num, &[]);
        let dist = Distances::new(&pts, 0.5);
        let scores: Vec<f64> = (2..=5)
            .map(|k| {
                let m = fit(&pts, &params(k, 5));
                silhouette(&dist, &m.labels, m.k).unwrap()
            })
            .collect();
        let best = scores
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i + 2)
            .unwrap();
        assert_eq!(best, 3, "{scores:?}");
        assert!(scores[1] > 0.9, "{scores:?}");
    }

    #[test]
    fn silhouette_by_hand() {
        // Points 0, 1 | 10: a = 1, b = 9.5 (0 to 10), 9 (1 to 10).
        let pts = Points::from_rows(&[vec![0.0], vec![1.0], vec![10.0]], &[]);
        let dist = Distances::new(&pts, 0.5);
        assert_eq!(dist.get(0, 2), 10.0);
        assert_eq!(dist.get(2, 1), 9.0);
        let s = silhouette(&dist, &[0, 0, 1], 2).unwrap();
        let expect = ((10.0 - 1.0) / 10.0 + (9.0 - 1.0) / 9.0 + 0.0) / 3.0;
        assert!((s - expect).abs() < 1e-6, "{s} vs {expect}");
        assert_eq!(silhouette(&dist, &[0, 0, 0], 1), None);
    }

    #[test]
    fn pairwise_distance_scales_for_missing_values() {
        // Two features; the pair compares on one only: 2^2 * 2/1 = 8.
        let pts = Points::from_rows(&[vec![0.0, NAN], vec![2.0, 5.0], vec![NAN, NAN]], &[]);
        let dist = Distances::new(&pts, 0.5);
        assert!((f64::from(dist.get(0, 1)) - 8f64.sqrt()).abs() < 1e-6);
        assert!(dist.get(0, 2).is_nan());
    }

    #[test]
    fn parallel_map_keeps_order() {
        let v = parallel_map(1000, |i| i * 2);
        assert_eq!(v, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        assert!(parallel_map(0, |i| i).is_empty());
    }
}
