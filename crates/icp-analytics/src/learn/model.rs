//! The yardstick: an L2-regularised logistic regression (linfa) over the
//! same candidates, one 0/1 column per candidate trait plus each number
//! column as a standardised number, so a user sees how much ranking power
//! the few additive traits of the profile leave on the table. Features are
//! f32 in a column-major matrix: linfa's gradient multiplies by the
//! transpose, and both halve or better the time of a fit.

use linfa::traits::Fit;
use ndarray::{Array1, Array2, ShapeBuilder};

use super::candidates::{Candidate, NumericFeature};
use crate::dataset::Dataset;

/// The regularisation strength: the same objective as scikit-learn's
/// default `LogisticRegression(C=1.0)` (sum of log losses + ||w||^2 / 2).
pub const ALPHA: f64 = 1.0;
pub const MAX_ITERATIONS: u64 = 200;
/// The model is fitted on at most this many training rows by default
/// (evenly spread): more add little to a model of a few hundred features
/// and cost time.
pub const MAX_ROWS: usize = 30_000;
/// Converged when the gradient's norm is under this per training row (the
/// objective sums over rows, so a fixed tolerance would never be met on
/// large files).
pub const GRADIENT_TOLERANCE: f64 = 1e-5;

pub struct Fitted {
    /// P(good) for each training row, then each held-out row.
    pub train: Vec<f64>,
    pub holdout: Vec<f64>,
    pub features: usize,
    /// Training rows the model was fitted on.
    pub rows: usize,
    /// Features by the size of their (standardised) coefficient.
    pub strongest: Vec<(String, f64)>,
}

enum Feature<'a> {
    Trait(&'a Candidate),
    Number(&'a NumericFeature),
}

impl Feature<'_> {
    fn value(&self, data: &Dataset, row: usize) -> Option<f64> {
        match self {
            Feature::Trait(c) => Some(if c.truth.get(row) { 1.0 } else { 0.0 }),
            Feature::Number(n) => data.columns[n.col]
                .number(row)
                .filter(|x| x.is_finite())
                .map(|x| if n.log { x.max(0.0).ln_1p() } else { x }),
        }
    }

    fn name(&self) -> String {
        match self {
            Feature::Trait(c) => c.name.clone(),
            Feature::Number(n) if n.log => format!("log {}", n.label),
            Feature::Number(n) => format!("{} as a number", n.label),
        }
    }
}

/// Fit on the training rows and score training and held-out rows.
pub fn fit(
    data: &Dataset,
    candidates: &[Candidate],
    numerics: &[NumericFeature],
    train: &[usize],
    train_good: &[bool],
    holdout: &[usize],
    max_rows: usize,
) -> Result<Fitted, String> {
    let all: Vec<Feature> = candidates
        .iter()
        .map(Feature::Trait)
        .chain(numerics.iter().map(Feature::Number))
        .collect();
    // Standardise with the training rows' mean and spread; a missing number
    // is the mean (0 after standardising). Constant features are dropped.
    let mut features = Vec::new();
    let mut scale = Vec::new();
    for f in all {
        let (mut n, mut sum, mut sq) = (0.0, 0.0, 0.0);
        for &r in train {
            if let Some(x) = f.value(data, r) {
                n += 1.0;
                sum += x;
                sq += x * x;
            }
        }
        if n < 2.0 {
            continue;
        }
        let mean = sum / n;
        let sd = (sq / n - mean * mean).max(0.0).sqrt();
        if sd > 1e-12 {
            features.push(f);
            scale.push((mean, sd));
        }
    }
    // Column-major: linfa's gradient multiplies by the transpose, which is
    // then row-major (about 15 times faster than the default layout here).
    let matrix = |rows: &[usize]| {
        let mut x = Array2::<f32>::zeros((rows.len(), features.len()).f());
        for (j, (f, (mean, sd))) in features.iter().zip(&scale).enumerate() {
            for (i, &r) in rows.iter().enumerate() {
                if let Some(v) = f.value(data, r) {
                    x[[i, j]] = ((v - mean) / sd) as f32;
                }
            }
        }
        x
    };
    // Fit on at most `max_rows` training rows, evenly spread over the file.
    let max_rows = max_rows.max(1);
    let (fit_rows, fit_good): (Vec<usize>, Vec<bool>) = if train.len() > max_rows {
        (0..max_rows)
            .map(|k| k * train.len() / max_rows)
            .map(|i| (train[i], train_good[i]))
            .unzip()
    } else {
        (train.to_vec(), train_good.to_vec())
    };
    let set = linfa::Dataset::new(matrix(&fit_rows), Array1::from_vec(fit_good));
    let model = linfa_logistic::LogisticRegression::default()
        .alpha(ALPHA as f32)
        .max_iterations(MAX_ITERATIONS)
        .gradient_tolerance((GRADIENT_TOLERANCE * fit_rows.len() as f64) as f32)
        .fit(&set)
        .map_err(|e| e.to_string())?;
    // linfa's "positive" class is the more frequent one: turn its
    // probabilities and coefficients into those of a good outcome.
    let good_is_pos = model.labels().pos.class;
    let p_good = |p: f64| if good_is_pos { p } else { 1.0 - p };
    let sign = if good_is_pos { 1.0 } else { -1.0 };
    drop(set);
    // Predict in slices, so no second full matrix is held.
    let predict = |rows: &[usize]| -> Vec<f64> {
        rows.chunks(8192)
            .flat_map(|c| {
                model
                    .predict_probabilities(&matrix(c))
                    .iter()
                    .map(|p| p_good(f64::from(*p)))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let train_p = predict(train);
    let hold_p = predict(holdout);
    let mut strongest: Vec<(String, f64)> = features
        .iter()
        .zip(model.params().iter())
        .map(|(f, w)| (f.name(), sign * f64::from(*w)))
        .collect();
    strongest.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    strongest.truncate(15);
    Ok(Fitted {
        train: train_p,
        holdout: hold_p,
        features: features.len(),
        rows: fit_rows.len(),
        strongest,
    })
}
