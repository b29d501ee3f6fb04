#!/usr/bin/env python3
"""Check that two scored CSVs (icp's and the pandas peer's) agree row by row.

    python3 bench/compare.py ICP_OUT.csv PANDAS_OUT.csv

Compares every icp_* column (coverage as a number to 0.01) and prints the
number of rows that differ per column, with a few examples. Exit 1 on any
difference. Stdlib only.
"""
import csv
import sys

COLS = ["icp_score", "icp_fit", "icp_intent", "icp_tier", "icp_excluded_by", "icp_coverage", "icp_reasons", "icp_unknown_filters"]


def main():
    a_path, b_path = sys.argv[1], sys.argv[2]
    with open(a_path, newline="", encoding="utf-8-sig") as fa, open(b_path, newline="", encoding="utf-8-sig") as fb:
        ra, rb = csv.DictReader(fa), csv.DictReader(fb)
        diffs = {c: 0 for c in COLS}
        examples = []
        rows = 0
        for x, y in zip(ra, rb, strict=True):
            rows += 1
            for c in COLS:
                u, v = x[c], y[c]
                same = abs(float(u) - float(v)) < 0.0051 if c == "icp_coverage" else u == v
                if not same:
                    diffs[c] += 1
                    if len(examples) < 8:
                        examples.append((x["Record ID"], c, u, v))
    bad = sum(diffs.values())
    print(f"{rows} rows compared; " + ("all icp_* columns agree" if not bad else
          "differences: " + ", ".join(f"{c}={n}" for c, n in diffs.items() if n)))
    for e in examples:
        print("  record %s %s: %r vs %r" % e)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
