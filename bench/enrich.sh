#!/usr/bin/env bash
# Reproducible benchmark of `icp enrich` (the orchestrator) against a local
# mock provider that enforces its rate limit strictly (429 past it) and adds
# latency. See BENCHMARKS.md, section "Enrichment (`icp enrich`)".
#
#   bash bench/enrich.sh
#
# Steps (STEPS, default all four):
#   rate        RATE_ACCOUNTS accounts, one source limited to RATE (50/1s) in
#               the config and at the mock: achieved / configured rate from the
#               mock's arrivals, and the 429s (must be 0)
#   throughput  TP_ACCOUNTS accounts x 3 sources (disjoint fields, one
#               waterfall), no limits, LATENCY_MS +- JITTER_MS at the mock,
#               cold cache, at each of CONCURRENCIES per source; plus one
#               source alone and a run at 0 ms latency (the engine's ceiling)
#   warm        the throughput run at the highest concurrency again, same
#               store: wall time and provider calls (must be 0)
#   rss         RSS_SIZES accounts, one source, 0 ms latency, no limit: peak
#               RSS (must not grow with rows)
#
# Environment:
#   WORK=/tmp/icp-bench-enrich   inputs, configs, stores, outputs, logs
#   STEPS="rate throughput warm rss"
#   RATE=50/1s RATE_ACCOUNTS=1000 RATE_CONCURRENCY=8 RATE_RUNS=3
#   TP_ACCOUNTS=10000 CONCURRENCIES="8 16 32 64" LATENCY_MS=50 JITTER_MS=10
#   ZERO_LATENCY=1               also run the throughput step at 0 ms latency
#   ONE_SOURCE=1                 also run it with one source alone (the top concurrency)
#   RSS_SIZES="1000 10000 100000" RSS_CONCURRENCY=64
#   BUILD=1                      cargo build --release first
#
# Every `icp enrich` runs under /usr/bin/time -v (python's os.wait4 when GNU
# time is missing) with a fresh store unless said otherwise; each run gets a
# fresh mock (stats start at zero). Results: $WORK/results.jsonl, tables at
# the end.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/icp-bench-enrich}
STEPS=${STEPS:-"rate throughput warm rss"}
RATE=${RATE:-50/1s}
RATE_ACCOUNTS=${RATE_ACCOUNTS:-1000}
RATE_CONCURRENCY=${RATE_CONCURRENCY:-8}
RATE_RUNS=${RATE_RUNS:-3}
TP_ACCOUNTS=${TP_ACCOUNTS:-10000}
CONCURRENCIES=${CONCURRENCIES:-"8 16 32 64"}
LATENCY_MS=${LATENCY_MS:-50}
JITTER_MS=${JITTER_MS:-10}
ZERO_LATENCY=${ZERO_LATENCY:-1}
ONE_SOURCE=${ONE_SOURCE:-1}
RSS_SIZES=${RSS_SIZES:-"1000 10000 100000"}
RSS_CONCURRENCY=${RSS_CONCURRENCY:-64}
BUILD=${BUILD:-1}
AS_OF=2026-11-20

ICP=$ROOT/target/release/icp
MOCK=$ROOT/target/release/examples/mock_provider
UTIL=$ROOT/bench/enrich/util.py
# The key the sources send (config: secrets = { api_key = "${ICP_BENCH_MOCK_KEY}" });
# the mock answers 401 without it.
export ICP_BENCH_MOCK_KEY=${ICP_BENCH_MOCK_KEY:-bench-key-0123456789}

mkdir -p "$WORK"
HEAD_AT_START=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
RESULTS=$WORK/results.jsonl
: >"$RESULTS"

echo "== machine"
{
    echo "cpu: $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1), $(grep -c ^processor /proc/cpuinfo) vCPU, $(sed -n 's/^cpu MHz\t*: //p' /proc/cpuinfo | head -1) MHz"
    echo "ram: $(awk '/^MemTotal/ {print $2 " kB"}' /proc/meminfo)"
    echo "kernel: $(uname -r)"
    echo "rustc: $(rustc --version 2>/dev/null || echo '?')"
    echo "git: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null) ($(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l) changed files)"
    git -C "$ROOT" status --porcelain 2>/dev/null | sed 's/^/  /'
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} | tee "$WORK/machine.txt"

if [ "$BUILD" = 1 ]; then
    echo "== build"
    (cd "$ROOT" && cargo build --release --quiet -p icp-cli && cargo build --release --quiet -p icp-tests --example mock_provider)
fi

if [ -x /usr/bin/time ]; then
    TIMEV=(/usr/bin/time -v -o)
else
    echo "(no /usr/bin/time: peak RSS from python's os.wait4)"
    TIMEV=(python3 "$UTIL" timev)
fi

echo "== inputs"
input() {
    local f=$WORK/accounts-$1.csv
    [ -s "$f" ] || python3 "$UTIL" gen "$1" "$f"
    echo "$f"
}

MOCK_PID=
MOCK_URL=
# start_mock ARGS...: a fresh mock on a free port; sets MOCK_PID, MOCK_URL.
start_mock() {
    local out=$WORK/mock.url
    : >"$out"
    "$MOCK" --port 0 --key "$ICP_BENCH_MOCK_KEY" "$@" >"$out" 2>>"$WORK/mock.log" &
    MOCK_PID=$!
    for _ in $(seq 100); do
        MOCK_URL=$(head -1 "$out")
        [ -n "$MOCK_URL" ] && return 0
        sleep 0.05
    done
    echo "the mock provider did not start (see $WORK/mock.log)" >&2
    exit 1
}
stop_mock() {
    if [ -n "$MOCK_PID" ]; then
        kill "$MOCK_PID" 2>/dev/null || true
        wait "$MOCK_PID" 2>/dev/null || true
        MOCK_PID=
    fi
}
trap stop_mock EXIT

# source_block NAME CONCURRENCY LIMITS FIELD=POINTER...: one [[sources]]
# entry, a declarative provider (no preset) at $MOCK_URL/NAME.
source_block() {
    local name=$1 conc=$2 limits=$3
    shift 3
    cat <<EOF

[[sources]]
name = "$name"
plugin = "firmographic-http"
secrets = { api_key = "\${ICP_BENCH_MOCK_KEY}" }
limits = $limits
concurrency = $conc

[sources.settings]
base_url = "$MOCK_URL/$name"
url = "{base_url}/v1/company?domain={domain}"
auth = { kind = "header", name = "X-Api-Key", secret = "api_key" }

[sources.settings.fields]
EOF
    local f
    for f in "$@"; do
        echo "${f%%=*} = \"${f#*=}\""
    done
}

# The three sources of the throughput step provide disjoint fields, so with
# no profile (every field needed) each account is asked of each source.
three_sources() {
    local conc=$1
    echo 'store = "store.db"'
    source_block firmo "$conc" "[]" employees=/employees industry=/industry country=/country name=/name
    source_block techno "$conc" "[]" technologies=/technologies
    source_block finance "$conc" "[]" revenue=/revenue founded_year=/founded_year funding_stage=/funding_stage
    printf '\n[waterfall]\nfirmographic = ["firmo", "techno", "finance"]\n'
}

# enrich DIR INPUT TAG: run icp enrich in DIR (config DIR/icp.toml) under
# time -v; outputs DIR/TAG.{csv,json,time,log}.
enrich() {
    local dir=$1 in=$2 tag=$3
    local code=0
    (cd "$dir" && "${TIMEV[@]}" "$tag.time" "$ICP" enrich "$in" --config icp.toml --as-of "$AS_OF" \
        --out "$tag.csv" --summary-json "$tag.json" -q >"$tag.out" 2>"$tag.log") || code=$?
    if [ "$code" != 0 ]; then
        echo "icp enrich exited $code in $dir ($tag); see $dir/$tag.log" >&2
        tail -5 "$dir/$tag.log" >&2
    fi
}

# record DIR TAG STEP KEY=VALUE...: stats from the mock, folded with time -v
# and the summary into $RESULTS.
record() {
    local dir=$1 tag=$2 step=$3
    shift 3
    python3 "$UTIL" get "$MOCK_URL/stats?arrivals=1" >"$dir/$tag.stats.json"
    python3 "$UTIL" record "$RESULTS" step="$step" tag="$tag" "$@" \
        time="$dir/$tag.time" summary="$dir/$tag.json" stats="$dir/$tag.stats.json" out="$dir/$tag.csv"
}

fresh_dir() {
    rm -rf "$1"
    mkdir -p "$1"
}

has_step() { [[ " $STEPS " == *" $1 "* ]]; }

if has_step rate; then
    in=$(input "$RATE_ACCOUNTS")
    count=${RATE%%/*}
    per=${RATE#*/}
    for r in $(seq "$RATE_RUNS"); do
        echo "== (a) rate #$r: $RATE_ACCOUNTS accounts, one source, limit $RATE, concurrency $RATE_CONCURRENCY"
        dir=$WORK/rate-$r
        fresh_dir "$dir"
        start_mock --limit "$RATE" --latency-ms "$LATENCY_MS" --jitter-ms "$JITTER_MS"
        {
            echo 'store = "store.db"'
            source_block limited "$RATE_CONCURRENCY" "[{ count = $count, per = \"$per\" }]" \
                employees=/employees industry=/industry technologies=/technologies
        } >"$dir/icp.toml"
        enrich "$dir" "$in" run
        record "$dir" run rate limit="$RATE" concurrency="$RATE_CONCURRENCY" latency_ms="$LATENCY_MS" jitter_ms="$JITTER_MS"
        stop_mock
    done
fi

if has_step throughput || has_step warm; then
    in=$(input "$TP_ACCOUNTS")
    top=$(echo $CONCURRENCIES | tr ' ' '\n' | sort -n | tail -1)
    # c:latency:jitter:sources
    runs=()
    for c in $CONCURRENCIES; do runs+=("$c:$LATENCY_MS:$JITTER_MS:3"); done
    if has_step throughput; then
        # One source alone: what a single stage reaches (the reference for overlap).
        [ "$ONE_SOURCE" = 1 ] && runs+=("$top:$LATENCY_MS:$JITTER_MS:1")
        [ "$ZERO_LATENCY" = 1 ] && runs+=("$top:0:0:3")
    else
        runs=("$top:$LATENCY_MS:$JITTER_MS:3")
    fi
    for run in "${runs[@]}"; do
        IFS=: read -r c lat jit nsrc <<<"$run"
        echo "== (b) throughput: $TP_ACCOUNTS accounts x $nsrc sources, no limits, ${lat} +- ${jit} ms, concurrency $c per source"
        dir=$WORK/throughput-c$c-l$lat-s$nsrc
        fresh_dir "$dir"
        start_mock --latency-ms "$lat" --jitter-ms "$jit"
        if [ "$nsrc" = 3 ]; then
            three_sources "$c" >"$dir/icp.toml"
        else
            {
                echo 'store = "store.db"'
                source_block firmo "$c" "[]" employees=/employees industry=/industry country=/country name=/name
            } >"$dir/icp.toml"
        fi
        enrich "$dir" "$in" cold
        record "$dir" cold throughput concurrency="$c" latency_ms="$lat" jitter_ms="$jit"
        if [ "$nsrc" != 3 ]; then
            stop_mock
            continue
        fi
        if [ "$c" = "$top" ] && [ "$lat" = "$LATENCY_MS" ]; then
            echo "   answered calls per second per source (the mock's arrivals):"
            python3 "$UTIL" timeline "$dir/cold.stats.json" | tee "$WORK/timeline-c$c.txt" | sed 's/^/   /'
        fi
        if has_step warm && [ "$c" = "$top" ] && [ "$lat" = "$LATENCY_MS" ]; then
            echo "== (c) warm-cache rerun of the concurrency-$c run (same store, same mock)"
            python3 "$UTIL" post "$MOCK_URL/reset" >/dev/null
            enrich "$dir" "$in" warm
            record "$dir" warm warm concurrency="$c" latency_ms="$lat" jitter_ms="$jit"
        fi
        stop_mock
    done
fi

if has_step rss; then
    for n in $RSS_SIZES; do
        echo "== (d) peak RSS: $n accounts, one source, 0 ms latency, no limit, concurrency $RSS_CONCURRENCY"
        in=$(input "$n")
        dir=$WORK/rss-$n
        fresh_dir "$dir"
        start_mock --latency-ms 0
        {
            echo 'store = "store.db"'
            source_block fast "$RSS_CONCURRENCY" "[]" employees=/employees industry=/industry technologies=/technologies
        } >"$dir/icp.toml"
        enrich "$dir" "$in" run
        record "$dir" run rss concurrency="$RSS_CONCURRENCY" latency_ms=0 jitter_ms=0
        stop_mock
    done
fi

HEAD_AT_END=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
echo
if [ "$HEAD_AT_START" != "$HEAD_AT_END" ]; then
    echo "WARNING: HEAD moved from $HEAD_AT_START to $HEAD_AT_END during the run; the binaries are from the start"
fi
echo "== summary (built at $HEAD_AT_START, finished $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg))"
python3 "$UTIL" report "$RESULTS" | tee "$WORK/report.txt"
