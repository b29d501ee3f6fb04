#!/usr/bin/env python3
"""The Python peer of `icp segment`, for BENCHMARKS.md: the same job with
scikit-learn (KMeans on an encoding) or the `kmodes` package (k-prototypes).

    pip install pandas scikit-learn kmodes     # for the measurement only
    icp segment accounts.csv --json icp.json -o icp-out.csv
    OMP_NUM_THREADS=1 /usr/bin/time -v python3 bench/segment_sklearn.py accounts.csv \
        --icp-report icp.json --algo kmeans --out py-out.csv

On a shared machine pin OpenMP to one thread: scikit-learn's workers
otherwise oversubscribe the cores and KMeans gets several times slower.
It prints the columns used, gamma, k, the silhouette per k, the segment
sizes and the seconds per phase as JSON.

The job, step for step as icp does it:
1. read the CSV; take the columns icp chose (from its --json report, so
   both cluster on the same columns), or --numeric / --categorical /
   --items lists;
2. numbers parsed as CRM exports write them ("1,200", "$1.2M", "51-200");
   headcount and money log-scaled (ln(1 + x)), other numbers when their
   skewness is above 1; standardised; technologies' top items as yes/no;
3. gamma = mean numeric variance / mean categorical concentration
   (1 - sum p^2), as icp;
4. k in 2..8 by the highest mean silhouette on a seeded sample of 3,000 rows
   (each k fitted on the sample), then the final fit on every row with 4
   starts;
5. write every input column plus `segment`.

Differences that the libraries force: scikit-learn's KMeans and kmodes'
KPrototypes do not accept missing numbers, so they are imputed with the
mean (0 after standardising), where icp leaves them out of the distance;
categories are folded to lower case (icp also maps industries onto its
taxonomy). `--algo kmeans` one-hot encodes each category with a weight of
sqrt(gamma / 2), so a mismatch costs gamma in squared Euclidean distance,
the same cost as in k-prototypes.
"""

import argparse
import json
import re
import sys
import time

import numpy as np
import pandas as pd

LOG_FIELDS = {"number_of_employees", "employees", "annual_revenue", "revenue", "valuation",
              "funding_total", "employee_count", "headcount"}
BLANKS = {"", "n/a", "na", "null", "none", "nil", "-", "--", "unknown", "nan", "#n/a", "(blank)"}
SUFFIX = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9, "million": 1e6, "billion": 1e9,
          "thousand": 1e3}
NUM_RE = re.compile(r"^\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([a-z]*)")


def snake(h):
    return re.sub(r"[^0-9a-z]+", "_", h.strip().lower()).strip("_")


def scalar(s):
    m = NUM_RE.match(s.strip().lower().replace("usd", "").strip())
    if not m:
        return None
    v = float(m.group(1).replace(",", ""))
    return v * SUFFIX.get(m.group(2), 1.0) if m.group(2) in SUFFIX or not m.group(2) else None


def parse_number(s):
    """A number as CRM exports write it; a range's midpoint; NaN if none."""
    if not isinstance(s, str):
        return np.nan
    t = s.strip()
    if t.lower() in BLANKS:
        return np.nan
    if t.endswith("+"):
        v = scalar(t[:-1])
        return np.nan if v is None else v
    neg = t.startswith("-")
    body = t[1:] if neg else t
    if "-" in body:
        lo, _, hi = body.partition("-")
        a, b = scalar(lo), scalar(hi)
        if a is not None and b is not None:
            return (a + b) / 2
    v = scalar(body)
    if v is None:
        return np.nan
    return -v if neg else v


def numbers(col):
    """Vectorised for plain numbers ("1,200", "$310000"); the CRM parser
    above for the rest ("$310M", "51-200", "10,001+")."""
    t = col.str.strip()
    blank = t.str.lower().isin(BLANKS)
    fast = pd.to_numeric(t.str.replace(r"[$,]", "", regex=True), errors="coerce")
    slow = fast.isna() & ~blank
    if slow.any():
        fast[slow] = t[slow].map(parse_number)
    fast[blank] = np.nan
    return fast.astype(float).to_numpy()


def folded(col):
    """Categories folded to lower case; blanks as "(missing)"."""
    t = col.str.strip().str.lower()
    t = t.str.replace("_", " ", regex=False).str.replace(r"\s+", " ", regex=True)
    return t.where(~t.isin(BLANKS), "(missing)").to_numpy(dtype=object)


def encode(df, numeric, categorical, item_cols):
    num_cols = []
    for col in numeric:
        x = numbers(df[col])
        present = x[~np.isnan(x)]
        skew = 0.0
        if len(present) > 2 and present.std() > 0:
            z = present - present.mean()
            skew = (z ** 3).mean() / (z ** 2).mean() ** 1.5
        if (present >= 0).all() and (snake(col) in LOG_FIELDS or skew > 1):
            x = np.log1p(np.maximum(x, 0))
        mean, std = np.nanmean(x), np.nanstd(x)
        x = (x - mean) / (std if std > 0 else 1.0)
        num_cols.append(np.where(np.isnan(x), 0.0, x))  # imputed: the libraries need it
    cat_cols = [folded(df[col]) for col in categorical]
    for col, wanted in item_cols:
        keys = df[col].str.lower().str.replace(r"[^0-9a-z;|,]", "", regex=True)
        missing = df[col].str.strip().str.lower().isin(BLANKS).to_numpy()
        for item in wanted:
            has = keys.str.contains(rf"(?:^|[;|,]){re.escape(item)}(?:$|[;|,])", regex=True).to_numpy()
            cat_cols.append(np.where(missing, "(missing)", np.where(has, "1", "0")).astype(object))
    num = np.column_stack(num_cols) if num_cols else np.zeros((len(df), 0))
    cat = np.column_stack(cat_cols) if cat_cols else np.zeros((len(df), 0), dtype=object)
    return num, cat


def default_gamma(num, cat):
    if num.shape[1] == 0 or cat.shape[1] == 0:
        return 1.0
    var = num.var(axis=0).mean()
    conc = []
    for j in range(cat.shape[1]):
        col = cat[:, j]
        col = col[col != "(missing)"]
        if len(col):
            _, counts = np.unique(col, return_counts=True)
            p = counts / counts.sum()
            conc.append(1 - (p ** 2).sum())
    return var / np.mean(conc) if conc and np.mean(conc) > 0 else 1.0


def one_hot(cat, gamma):
    from sklearn.preprocessing import OneHotEncoder
    if cat.shape[1] == 0:
        return np.zeros((cat.shape[0], 0))
    enc = OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float64)
    return enc.fit_transform(cat) * np.sqrt(gamma / 2)


def fit(algo, num, cat, gamma, k, seed, restarts):
    if algo == "kmeans":
        from sklearn.cluster import KMeans
        x = np.hstack([num, one_hot(cat, gamma)])
        return KMeans(n_clusters=k, n_init=restarts, random_state=seed).fit_predict(x)
    from kmodes.kprototypes import KPrototypes
    x = np.hstack([num, cat]).astype(object) if cat.shape[1] else num
    cat_idx = list(range(num.shape[1], num.shape[1] + cat.shape[1]))
    kp = KPrototypes(n_clusters=k, n_init=restarts, gamma=gamma, random_state=seed,
                     init="Cao", n_jobs=1)
    return kp.fit_predict(x, categorical=cat_idx)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("--out", required=True)
    ap.add_argument("--algo", choices=["kmeans", "kprototypes"], default="kmeans")
    ap.add_argument("--icp-report", help="icp segment --json output: cluster on the same columns")
    ap.add_argument("--numeric", default="")
    ap.add_argument("--categorical", default="")
    ap.add_argument("--items", default="", help="COLUMN:item1|item2,...")
    ap.add_argument("--k", type=int)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--restarts", type=int, default=4)
    ap.add_argument("--sample", type=int, default=3000)
    args = ap.parse_args()

    t0 = time.perf_counter()
    df = pd.read_csv(args.input, dtype=str, keep_default_na=False)
    numeric = [c for c in args.numeric.split(",") if c]
    categorical = [c for c in args.categorical.split(",") if c]
    item_cols = {}
    for spec in filter(None, args.items.split(",")):
        col, _, its = spec.partition(":")
        item_cols[col] = its.split("|")
    if args.icp_report:
        rep = json.load(open(args.icp_report))
        for f in rep["features"]:
            if f["kind"] == "numeric":
                numeric.append(f["column"])
            elif f["kind"] == "categorical":
                categorical.append(f["column"])
            else:
                item = f["detail"].split(" ")[1]
                item_cols.setdefault(f["column"], []).append(item)
    num, cat = encode(df, numeric, categorical, list(item_cols.items()))
    gamma = default_gamma(num, cat)
    t1 = time.perf_counter()

    rng = np.random.default_rng(args.seed)
    n = len(df)
    scores = {}
    if args.k:
        k = args.k
    else:
        from sklearn.metrics import silhouette_score
        idx = np.sort(rng.choice(n, size=min(n, args.sample), replace=False))
        sn, sc = num[idx], cat[idx]
        # Euclidean distance on the numbers and the one-hot columns weighted
        # sqrt(gamma / 2) is sqrt(squared distance + gamma x mismatches):
        # icp's silhouette distance.
        xs = np.hstack([sn, one_hot(sc, gamma)])
        for kk in range(2, min(8, len(idx) - 1) + 1):
            labels = fit(args.algo, sn, sc, gamma, kk, args.seed, args.restarts)
            if len(set(labels)) < 2:
                break
            scores[kk] = float(silhouette_score(xs, labels, metric="euclidean"))
        k = max(scores, key=lambda kk: (scores[kk], -kk))
    t2 = time.perf_counter()
    labels = fit(args.algo, num, cat, gamma, k, args.seed, args.restarts)
    t3 = time.perf_counter()
    # Segments numbered by size, 1 = the largest, as icp.
    sizes = pd.Series(labels).value_counts()
    rank = {lab: i + 1 for i, lab in enumerate(sorted(sizes.index, key=lambda l: (-sizes[l], l)))}
    df["segment"] = [rank[l] for l in labels]
    df.to_csv(args.out, index=False)
    t4 = time.perf_counter()
    print(json.dumps({
        "algo": args.algo, "rows": n, "numeric": numeric, "categorical": categorical,
        "items": item_cols, "gamma": round(float(gamma), 4), "k": int(k),
        "silhouette": {str(a): round(b, 4) for a, b in scores.items()},
        "sizes": [int(sizes[l]) for l in sorted(sizes.index, key=lambda l: rank[l])],
        "seconds": {"read_encode": round(t1 - t0, 2), "choose_k": round(t2 - t1, 2),
                    "final_fit": round(t3 - t2, 2), "write": round(t4 - t3, 2),
                    "total": round(t4 - t0, 2)},
    }, indent=1))


if __name__ == "__main__":
    sys.exit(main())
