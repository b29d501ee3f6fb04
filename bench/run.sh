#!/usr/bin/env bash
# Reproducible benchmark of `icp score` against the 20-trait profile, with the
# vectorised pandas peer. See BENCHMARKS.md.
#
#   bash bench/run.sh
#
# Environment:
#   WORK=/tmp/icp-bench   where generated inputs and outputs go (~3 GB at the default sizes)
#   SIZES="100000 1000000 3000000"   row counts (the RSS-vs-rows check)
# Besides bench/profile-20.toml, each size is also scored once with
# bench/profile-min.toml (one trait): the CSV read/write floor.
#   RUNS=3                timed runs of `icp score` per size (the median is reported)
#   PANDAS=1              run the pandas peer (needs `pip install pandas pyarrow`)
#   PANDAS_CHUNK=100000   also run pandas with --chunksize (0: skip)
#   CRITERION=1           run `cargo bench -p icp-core --bench scoring`
#   BENCH_FILTER=scoring/ which criterion benches ('' for all, incl. per-field and per-condition)
#   AS_OF=2026-01-15      the run date (the generator spreads dates before it)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/icp-bench}
SIZES=${SIZES:-"100000 1000000 3000000"}
RUNS=${RUNS:-3}
PANDAS=${PANDAS:-1}
PANDAS_CHUNK=${PANDAS_CHUNK:-100000}
CRITERION=${CRITERION:-1}
BENCH_FILTER=${BENCH_FILTER-scoring/}
AS_OF=${AS_OF:-2026-01-15}
PROFILE=$ROOT/bench/profile-20.toml
ICP=$ROOT/target/release/icp
TIME=/usr/bin/time
mkdir -p "$WORK"
RESULTS=$WORK/results.tsv
: >"$RESULTS"
STAMP=$WORK/.started
touch "$STAMP"

if [ ! -x $TIME ]; then
    echo "GNU time is needed for peak RSS: apt-get install -y time" >&2
    exit 1
fi

echo "== machine"
{
    echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "cores: $(nproc)"
    echo "ram: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
    echo "kernel: $(uname -r)"
    echo "rustc: $(rustc --version)"
    echo "python: $(python3 --version 2>&1)"
    python3 -c 'import pandas, numpy; print("pandas:", pandas.__version__, "numpy:", numpy.__version__)' 2>/dev/null || echo "pandas: not installed"
    python3 -c 'import pyarrow; print("pyarrow:", pyarrow.__version__)' 2>/dev/null || echo "pyarrow: not installed"
    echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) ($(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l) changed files)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$WORK/machine.txt"

echo "== build"
(cd "$ROOT" && cargo build --release -p icp-cli --quiet)
"$ICP" profile check "$PROFILE"

echo "== inputs"
for n in $SIZES; do
    f=$WORK/accounts-$n.csv
    if [ ! -s "$f" ]; then
        python3 "$ROOT/bench/gen_accounts.py" --rows "$n" --out "$f" --as-of "$AS_OF"
    fi
    echo "$f: $(du -m "$f" | cut -f1) MB"
done

# timed LABEL ROWS CMD...: run CMD under GNU time; append label, rows, wall
# seconds, user+sys seconds and peak RSS (MB) to $RESULTS.
timed() {
    local label=$1 rows=$2
    shift 2
    local log=$WORK/time.log
    $TIME -f '%e %U %S %M' -o "$log" "$@" >/dev/null
    read -r wall user sys rss_kb <"$log"
    local cpu rss_mb rate
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
    rss_mb=$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')
    rate=$(awk -v r="$rows" -v w="$wall" 'BEGIN {printf "%.0f", r / w}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$rows" "$wall" "$cpu" "$rss_mb" "$rate" | tee -a "$RESULTS"
}

echo "== icp score (label rows wall_s cpu_s peak_rss_mb rows_per_s)"
for n in $SIZES; do
    in=$WORK/accounts-$n.csv
    for r in $(seq "$RUNS"); do
        timed "icp#$r" "$n" "$ICP" score "$in" -p "$PROFILE" -o "$WORK/icp-$n.csv" --as-of "$AS_OF" -q
    done
    # The floor: the same file through a 1-trait profile (CSV read + write,
    # almost no field parsing or scoring).
    timed "icp-1-trait" "$n" "$ICP" score "$in" -p "$ROOT/bench/profile-min.toml" -o "$WORK/icp-min-$n.csv" --as-of "$AS_OF" -q
done

if [ "$PANDAS" = 1 ]; then
    echo "== pandas peer (label rows wall_s cpu_s peak_rss_mb rows_per_s)"
    for n in $SIZES; do
        in=$WORK/accounts-$n.csv
        timed "pandas" "$n" python3 "$ROOT/bench/pandas_score.py" "$in" "$WORK/pandas-$n.csv" --as-of "$AS_OF" --timings
        if [ "$PANDAS_CHUNK" != 0 ] && [ "$n" -gt "$PANDAS_CHUNK" ]; then
            timed "pandas-chunked" "$n" python3 "$ROOT/bench/pandas_score.py" "$in" "$WORK/pandas-chunked-$n.csv" \
                --as-of "$AS_OF" --chunksize "$PANDAS_CHUNK"
        fi
    done
    echo "== same answers?"
    for n in $SIZES; do
        python3 "$ROOT/bench/compare.py" "$WORK/icp-$n.csv" "$WORK/pandas-$n.csv"
    done
fi

if [ "$CRITERION" = 1 ]; then
    echo "== criterion (cargo bench -p icp-core --bench scoring -- '$BENCH_FILTER')"
    (cd "$ROOT" && cargo bench -p icp-core --bench scoring -- "$BENCH_FILTER" 2>&1 | grep -E '^[a-z_]+/|time:|thrpt:' || true)
fi

echo
echo "== summary"
python3 - "$RESULTS" "$ROOT/target/criterion" "$STAMP" <<'EOF'
import json, os, statistics, sys
from collections import defaultdict

rows = defaultdict(list)
for line in open(sys.argv[1]):
    label, n, wall, cpu, rss, rate = line.rstrip("\n").split("\t")
    rows[(label.split("#")[0], int(n))].append((float(wall), float(cpu), float(rss)))
print(f"{'run':<16}{'rows':>10}{'wall s':>9}{'cpu s':>9}{'rows/s':>11}{'peak RSS MB':>13}")
for (label, n), runs in sorted(rows.items(), key=lambda kv: (not kv[0][0].startswith("icp"), kv[0][0], kv[0][1])):
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    rss = max(r[2] for r in runs)
    print(f"{label:<16}{n:>10,}{wall:>9.2f}{cpu:>9.2f}{n / wall:>11,.0f}{rss:>13.1f}")

crit, started = sys.argv[2], os.path.getmtime(sys.argv[3])
if os.path.isdir(crit):
    print()
    print(f"{'criterion bench (100,000 records)':<42}{'median':>12}{'accounts/s':>14}")
    for group in sorted(os.listdir(crit)):
        gdir = os.path.join(crit, group)
        if not os.path.isdir(gdir) or group == "report":
            continue
        for bench in sorted(os.listdir(gdir)):
            est = os.path.join(gdir, bench, "new", "estimates.json")
            if os.path.exists(est) and os.path.getmtime(est) >= started:
                ns = json.load(open(est))["median"]["point_estimate"]
                print(f"{group + '/' + bench:<42}{ns / 1e6:>10.1f}ms{100_000 / (ns / 1e9):>14,.0f}")
EOF
