#!/usr/bin/env python3
"""The scikit-learn peer of `icp learn`'s model check, for BENCHMARKS.md.

    pip install scikit-learn          # numpy and scipy come with it
    python3 bench/gen_customers.py --rows 100000 --fields 30 --out /tmp/deals-100k.csv
    /usr/bin/time -v python3 bench/learn_sklearn.py /tmp/deals-100k.csv --outcome "Deal Stage"

What it does, as a data scientist would for the same question: read the CSV,
leave out the columns icp learn leaves out (identifiers, names, domains,
dates, the outcome and the leaking `Closed Lost Reason`), encode the rest
(numbers parsed from CRM styles such as "$1.2M", "1,200" and "51-200",
log(1 + x) for skewed positive ones, median-imputed with a missing flag and
standardised; text one-hot with values under 20 rows pooled; `;` lists
multi-hot for items on 20 rows or more), fit LogisticRegression (L2, C=1,
lbfgs) on the training rows and report AUC and top-decile lift on the
held-out rows.

The split is icp learn's: a row is held out when splitmix64(seed *
0x9E3779B97F4A7C15 + row) / 2^64 < share (row = 0-based data row), so both
tools are scored on the very same held-out fifth. scikit-learn is a
measurement-only dependency, not a CI one.
"""

import argparse
import csv
import json
import math
import re
import sys
import time

M64 = (1 << 64) - 1
GOOD = {"yes", "y", "true", "t", "1", "won", "closed won", "win", "retained", "renewed", "active",
        "customer", "good", "success", "converted", "expanded"}
BAD = {"no", "n", "false", "f", "0", "lost", "closed lost", "loss", "churned", "churn", "cancelled",
       "canceled", "inactive", "bad", "failed", "not converted"}
BLANKS = {"", "n/a", "na", "null", "none", "nil", "-", "--", "unknown", "nan", "#n/a", "(blank)"}
ALWAYS_SKIP = re.compile(r"(^|_)id($|_)|date|reason", re.I)
TEXT_SKIP = re.compile(r"(^|_)name($|_)|email|domain|website|url|phone", re.I)
SCALE = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9}
NUM = re.compile(r"^\s*[$€£]?\s*(-?[\d,]*\.?\d+)\s*([a-z]*)\s*$", re.I)


def held_out(seed, row, share):
    z = (seed * 0x9E3779B97F4A7C15 + row) & M64
    z = (z + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    z ^= z >> 31
    return (z >> 11) / float(1 << 53) < share


def scalar(s):
    m = NUM.match(s)
    if not m:
        return None
    digits, suffix = m.group(1).replace(",", ""), m.group(2).lower()
    if suffix and suffix not in SCALE:
        return None
    return float(digits) * SCALE.get(suffix, 1.0)


def number(cell):
    """CRM number styles: 1,200 / $1.2M / 51-200 (midpoint) / 10,001+."""
    t = cell.strip()
    if t.lower() in BLANKS:
        return None
    if t.endswith("+"):
        return scalar(t[:-1])
    v = scalar(t)
    if v is not None:
        return v
    if "-" in t[1:]:
        i = t.index("-", 1)
        lo, hi = scalar(t[:i]), scalar(t[i + 1:])
        if lo is not None and hi is not None:
            return (lo + hi) / 2
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("--outcome", required=True)
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--min-support", type=int, default=20)
    args = ap.parse_args()

    t0 = time.perf_counter()
    import numpy as np
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    with open(args.input, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        headers = next(reader)
        rows = list(reader)
    t_read = time.perf_counter()

    oc = headers.index(args.outcome)
    y_all = []
    for r in rows:
        v = r[oc].strip().lower() if oc < len(r) else ""
        y_all.append(True if v in GOOD else False if v in BAD else None)
    known = [i for i, v in enumerate(y_all) if v is not None]
    test = [held_out(args.seed, i, args.holdout) for i in known]
    tr_idx = np.array([i for i, h in zip(known, test) if not h])
    te_idx = np.array([i for i, h in zip(known, test) if h])
    y = np.array([bool(v) if v is not None else False for v in y_all])

    blocks, names = [], []
    for c, h in enumerate(headers):
        if c == oc or ALWAYS_SKIP.search(h.replace(" ", "_")):
            continue
        cells = [r[c] if c < len(r) else "" for r in rows]
        filled = [x for x in cells if x.strip().lower() not in BLANKS]
        if not filled:
            continue
        nums = [number(x) for x in cells]
        numeric = sum(v is not None for v in nums) >= 0.9 * len(filled)
        if not numeric and TEXT_SKIP.search(h.replace(" ", "_")):
            continue
        if numeric:
            a = np.array([np.nan if v is None else v for v in nums], dtype=float)
            tr = a[tr_idx]
            med = np.nanmedian(tr)
            if np.nanmin(tr) >= 0 and np.nanpercentile(tr, 95) > 5 * max(med, 1e-9):
                a = np.log1p(np.maximum(a, 0))
            miss = np.isnan(a)
            a = np.where(miss, np.nanmedian(a[tr_idx]), a)
            sd = a[tr_idx].std()
            cols = [(a - a[tr_idx].mean()) / sd] if sd > 0 else []
            if miss[tr_idx].any() and not miss[tr_idx].all():
                cols.append(miss.astype(float))
            blocks.append(sparse.csr_matrix(np.column_stack(cols)) if cols else None)
            names.append(h)
        elif any(";" in x for x in filled[:1000]):
            items = [[t.strip().lower() for t in x.split(";") if t.strip()] for x in cells]
            counts = {}
            for i in tr_idx:
                for t in items[i]:
                    counts[t] = counts.get(t, 0) + 1
            keep = sorted(t for t, n in counts.items() if n >= args.min_support)
            pos = {t: j for j, t in enumerate(keep)}
            r_, c_ = [], []
            for i, its in enumerate(items):
                for t in its:
                    if t in pos:
                        r_.append(i)
                        c_.append(pos[t])
            blocks.append(sparse.csr_matrix((np.ones(len(r_)), (r_, c_)), shape=(len(rows), len(keep))))
            names.append(h)
        else:
            vals = [x.strip().lower() if x.strip().lower() not in BLANKS else "" for x in cells]
            counts = {}
            for i in tr_idx:
                counts[vals[i]] = counts.get(vals[i], 0) + 1
            if len(counts) > 0.9 * len(tr_idx):
                continue  # free text
            keep = sorted(v for v, n in counts.items() if n >= args.min_support)
            pos = {v: j for j, v in enumerate(keep)}
            other = len(keep)
            col = np.array([pos.get(v, other) for v in vals])
            blocks.append(sparse.csr_matrix((np.ones(len(rows)), (np.arange(len(rows)), col)),
                                            shape=(len(rows), len(keep) + 1)))
            names.append(h)
    X = sparse.hstack([b for b in blocks if b is not None]).tocsr()
    t_encode = time.perf_counter()

    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(X[tr_idx], y[tr_idx])
    t_fit = time.perf_counter()

    p = model.predict_proba(X[te_idx])[:, 1]
    yt = y[te_idx]
    auc = roc_auc_score(yt, p)
    k = math.ceil(len(p) * 0.1)
    top = np.argsort(-p, kind="stable")[:k]
    lift = yt[top].mean() / yt.mean()
    t_end = time.perf_counter()
    json.dump({
        "rows": len(rows),
        "train_rows": int(len(tr_idx)),
        "holdout_rows": int(len(te_idx)),
        "columns_used": names,
        "features": int(X.shape[1]),
        "auc_holdout": round(float(auc), 4),
        "top_decile_lift_holdout": round(float(lift), 3),
        "seconds": {
            "import_and_read": round(t_read - t0, 2),
            "encode": round(t_encode - t_read, 2),
            "fit": round(t_fit - t_encode, 2),
            "score": round(t_end - t_fit, 2),
            "total": round(t_end - t0, 2),
        },
    }, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
