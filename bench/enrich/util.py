#!/usr/bin/env python3
"""Helpers of bench/enrich.sh (stdlib only).

    util.py gen N OUT                     accounts CSV with a Website URL column
    util.py get URL                       GET a URL, print the body
    util.py post URL                      POST to a URL (empty body), print the body
    util.py timev OUT -- CMD...           run CMD, write GNU time -v style wall
                                          clock and peak RSS to OUT (when
                                          /usr/bin/time is missing)
    util.py record RESULTS key=value ...  append one run to RESULTS (JSON lines);
                                          time=FILE summary=FILE stats=FILE
                                          out=FILE are read and folded in
    util.py report RESULTS                print the tables
    util.py timeline STATS                answered calls per second per source,
                                          from the mock's /stats?arrivals=1
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request


def gen(n, out):
    """Deterministic accounts: one company per row, websites in the styles
    CRM exports hold (full URLs, bare domains, www., paths, other TLDs)."""
    tlds = ["com", "io", "co.uk", "de", "ai", "com.au"]
    with open(out, "w", newline="") as f:
        f.write("Record ID,Company name,Website URL\n")
        for i in range(n):
            d = f"bench{i}.{tlds[i % len(tlds)]}"
            style = i % 4
            site = (
                f"https://www.{d}/about"
                if style == 0
                else d
                if style == 1
                else f"http://{d}"
                if style == 2
                else f"https://{d}/"
            )
            f.write(f"{100000 + i},Bench Company {i},{site}\n")


def http(url, method="GET"):
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read().decode()


def timev(out, cmd):
    """The two lines of `/usr/bin/time -v` the bench reads, from wait4."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    m, s = divmod(wall, 60)
    with open(out, "w") as f:
        f.write(f"\tElapsed (wall clock) time (h:mm:ss or m:ss): {int(m)}:{s:05.2f}\n")
        f.write(f"\tUser time (seconds): {ru.ru_utime:.2f}\n")
        f.write(f"\tSystem time (seconds): {ru.ru_stime:.2f}\n")
        f.write(f"\tMaximum resident set size (kbytes): {ru.ru_maxrss}\n")
        f.write(f"\tExit status: {code}\n")
    return code


def parse_time(path):
    text = open(path).read()
    r = {}
    m = re.search(r"Elapsed \(wall clock\) time.*?: (?:(\d+):)?(\d+):([\d.]+)", text)
    if m:
        h, mi, s = m.groups()
        r["wall_s"] = int(h or 0) * 3600 + int(mi) * 60 + float(s)
    for key, label in [("user_s", "User time"), ("sys_s", "System time")]:
        m = re.search(label + r" \(seconds\): ([\d.]+)", text)
        if m:
            r[key] = float(m.group(1))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        r["rss_kb"] = int(m.group(1))
    m = re.search(r"Exit status: (\d+)", text)
    if m:
        r["exit"] = int(m.group(1))
    return r


def record(results, pairs):
    r = {}
    for p in pairs:
        k, _, v = p.partition("=")
        if k in ("time", "summary", "stats", "out") and not os.path.exists(v):
            r.setdefault("missing", []).append(v)  # a crashed run: keep going
            continue
        if k == "time":
            r.update(parse_time(v))
        elif k == "summary":
            s = json.load(open(v))
            r["icp_seconds"] = s.get("seconds")
            r["accounts"] = s.get("accounts")
            r["sources"] = {
                name: {
                    key: src.get(key)
                    for key in ["calls", "cache_hits", "found", "no_data", "failed", "throttled", "retries", "errors"]
                }
                for name, src in s.get("sources", {}).items()
            }
            r["stopped"] = s.get("stopped")
        elif k == "stats":
            st = json.load(open(v))
            r["mock"] = {
                key: st.get(key)
                for key in [
                    "requests",
                    "ok",
                    "throttled",
                    "unauthorized",
                    "achieved_rate",
                    "configured_rate",
                    "achieved_over_configured",
                    "max_in_window",
                    "window_seconds",
                    "max_gap_ms",
                    "peak_in_flight",
                    "ok_seconds",
                ]
            }
            r["mock_sources"] = {
                name: {key: s.get(key) for key in ["requests", "ok", "throttled", "peak_in_flight", "achieved_rate"]}
                for name, s in st.get("sources", {}).items()
            }
        elif k == "out":
            with open(v) as f:
                r["out_rows"] = sum(1 for _ in f) - 1
        else:
            try:
                r[k] = json.loads(v)
            except ValueError:
                r[k] = v
    with open(results, "a") as f:
        f.write(json.dumps(r) + "\n")
    line = {k: v for k, v in r.items() if k not in ("sources", "mock_sources")}
    print("  " + json.dumps(line), flush=True)


def fmt(x, spec=",.0f"):
    return "-" if x is None else format(x, spec)


def report(results):
    runs = [json.loads(line) for line in open(results) if line.strip()]
    broken = [r for r in runs if not all(k in r for k in ("sources", "mock", "wall_s", "rss_kb"))]
    runs = [r for r in runs if r not in broken]
    by = lambda step: [r for r in runs if r.get("step") == step]

    rate = by("rate")
    if rate:
        print("(a) rate: one source, limit enforced by the mock (sliding window, 429 past it)")
        print(
            f"{'accounts':>9} {'limit':>7} {'conc':>5} {'wall s':>8} {'calls':>6} "
            f"{'achieved/s':>11} {'configured/s':>13} {'ratio':>7} {'max in window':>14} {'max gap ms':>11} {'429s mock':>10} {'429s icp':>9}"
        )
        for r in rate:
            m = r["mock"]
            icp429 = sum(s["throttled"] or 0 for s in r["sources"].values())
            print(
                f"{r['accounts']:>9,} {r['limit']:>7} {r['concurrency']:>5} {r['wall_s']:>8.2f} {m['ok']:>6,} "
                f"{fmt(m['achieved_rate'], '.2f'):>11} {fmt(m['configured_rate'], '.2f'):>13} "
                f"{fmt(m['achieved_over_configured'], '.4f'):>7} {m['max_in_window']:>14} {fmt(m['max_gap_ms'], '.1f'):>11} {m['throttled']:>10} {icp429:>9}"
            )
        print()

    tp = by("throughput")
    if tp:
        print("(b) throughput: no limits, cold cache, every account asked of every source")
        print(
            f"{'accounts':>9} {'sources':>8} {'latency':>10} {'conc/src':>9} {'wall s':>8} {'calls':>7} "
            f"{'calls/s':>8} {'ideal s':>8} {'ideal/wall':>11} {'peak in flight':>15} {'429s':>5} {'found':>7} {'cpu s':>6} {'RSS MB':>7}"
        )
        for r in tp:
            m = r["mock"]
            nsrc = len(r["sources"])
            found = sum(s["found"] or 0 for s in r["sources"].values())
            # Perfect overlap: every source busy at its concurrency all the time.
            ideal = r["accounts"] * r["latency_ms"] / 1000 / r["concurrency"]
            print(
                f"{r['accounts']:>9,} {nsrc:>8} {str(r['latency_ms']) + '+-' + str(r['jitter_ms']) + 'ms':>10} "
                f"{r['concurrency']:>9} {r['wall_s']:>8.2f} {m['ok']:>7,} {m['ok'] / r['wall_s']:>8,.0f} "
                f"{ideal:>8.2f} {ideal / r['wall_s']:>11.2f} {m['peak_in_flight']:>15} {m['throttled']:>5} {found:>7,} "
                f"{r.get('user_s', 0) + r.get('sys_s', 0):>6.1f} {r['rss_kb'] / 1024:>7.1f}"
            )
        print()

    warm = by("warm")
    if warm:
        print("(c) warm-cache rerun of (b) (same store, same input)")
        print(f"{'accounts':>9} {'sources':>8} {'wall s':>8} {'provider calls (mock)':>22} {'icp calls':>10} {'cache hits':>11} {'RSS MB':>7}")
        for r in warm:
            calls = sum(s["calls"] or 0 for s in r["sources"].values())
            hits = sum(s["cache_hits"] or 0 for s in r["sources"].values())
            print(
                f"{r['accounts']:>9,} {len(r['sources']):>8} {r['wall_s']:>8.2f} {r['mock']['requests']:>22} "
                f"{calls:>10} {hits:>11,} {r['rss_kb'] / 1024:>7.1f}"
            )
        print()

    rss = by("rss")
    if rss:
        print("(d) peak RSS vs rows: one source, no latency, no limit")
        print(f"{'accounts':>9} {'conc':>5} {'wall s':>8} {'accounts/s':>11} {'cpu s':>6} {'peak RSS MB':>12} {'calls':>8} {'out rows':>9}")
        for r in rss:
            print(
                f"{r['accounts']:>9,} {r['concurrency']:>5} {r['wall_s']:>8.2f} {r['accounts'] / r['wall_s']:>11,.0f} "
                f"{r.get('user_s', 0) + r.get('sys_s', 0):>6.1f} {r['rss_kb'] / 1024:>12.1f} {r['mock']['ok']:>8,} {r.get('out_rows', 0):>9,}"
            )
        print()

    bad = [r for r in runs if r.get("exit") not in (0, None)]
    for r in bad:
        print(f"WARNING: {r.get('step')} run {r.get('tag')} exited {r.get('exit')}")
    for r in broken:
        print(f"WARNING: {r.get('step')} run {r.get('tag')} left no summary or stats ({r.get('missing')}); see its log")


def timeline(path):
    st = json.load(open(path))
    sources = {n: s.get("arrivals_ms") or [] for n, s in st.get("sources", {}).items()}
    sources = {n: a for n, a in sources.items() if a}
    if not sources:
        return
    t0 = min(min(a) for a in sources.values())
    end = max(max(a) for a in sources.values())
    names = list(sources)
    print("  s " + "".join(f"{n:>9}" for n in names) + f"{'total':>9}")
    counts = {n: [0] * (int((end - t0) // 1000) + 1) for n in names}
    for n, a in sources.items():
        for t in a:
            counts[n][int((t - t0) // 1000)] += 1
    for sec in range(len(counts[names[0]])):
        row = [counts[n][sec] for n in names]
        print(f"{sec:>3} " + "".join(f"{c:>9,}" for c in row) + f"{sum(row):>9,}")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "gen":
        gen(int(argv[2]), argv[3])
    elif cmd == "get":
        print(http(argv[2]))
    elif cmd == "post":
        print(http(argv[2], "POST"))
    elif cmd == "timev":
        rest = argv[3:]
        if rest and rest[0] == "--":
            rest = rest[1:]
        return timev(argv[2], rest)
    elif cmd == "record":
        record(argv[2], argv[3:])
    elif cmd == "timeline":
        timeline(argv[2])
    elif cmd == "report":
        report(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
