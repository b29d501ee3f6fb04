#!/usr/bin/env python3
"""The pandas peer of `icp score --profile bench/profile-20.toml`.

    python3 bench/pandas_score.py IN.csv OUT.csv [--as-of 2026-01-15] [--chunksize N]

What a pandas user would write for the same job, vectorised throughout (no
per-row Python loops): read the export as text, parse the value styles, evaluate
the 3 filters and 20 traits of bench/profile-20.toml with numpy/pandas
operations, and write the input columns plus the eight icp_* columns.

It is written to give the same answers as icp on bench/gen_accounts.py's data
(bench/compare.py checks score, tier, exclusion, coverage and reasons row by
row):

- Missing values are unknown, not false: conditions are pandas nullable
  booleans, whose & | ~ follow the same three-valued (Kleene) logic as icp.
- Numbers: "$1,200,000", "$310M", "1.2k", "51-200", "$10M-$50M", "10,001+" are
  parsed to a [lo, hi] interval (a plain number is lo = hi; "N+" has hi = inf),
  and a comparison is true only if the whole interval satisfies it, false if
  none of it does, unknown otherwise (icp's rule). Simplification: commas are
  dropped without checking that they group thousands.
- Industry and country are normalised with lookup tables: the industry
  taxonomy is copied from crates/icp-core/src/fields.rs; the country table
  covers the names, codes and aliases the generator writes (icp knows every
  ISO country via the celes crate).
- Lists ("HubSpot; Stripe") are folded the way icp folds items (lower case,
  ASCII alphanumerics only) and tested by substring on a "|a|b|" form.
- Dates: ISO, ISO with a time, or US m/d/Y.

By default the whole file is read at once (what users do); --chunksize N reads
and writes N rows at a time to bound memory.
"""

import argparse
import datetime as dt
import sys
import time

import numpy as np
import pandas as pd

BLANKS = {"", "n/a", "na", "null", "none", "nil", "-", "--", "unknown", "nan", "#n/a", "(blank)"}

# crates/icp-core/src/fields.rs INDUSTRIES: canonical name -> aliases.
INDUSTRIES = [
    ("Software", ["computer software", "software", "software development", "saas", "enterprise software"]),
    ("Information Technology", ["information technology and services", "information technology & services", "it services and it consulting", "technology", "information technology", "computer & network security", "computer and network security", "computer networking"]),
    ("Internet", ["internet", "online media", "e-commerce", "ecommerce"]),
    ("Financial Services", ["financial services", "finance", "investment management", "investment banking", "capital markets", "venture capital & private equity", "venture capital and private equity", "fintech"]),
    ("Banking", ["banking"]),
    ("Insurance", ["insurance"]),
    ("Healthcare", ["hospital & health care", "hospital and health care", "hospitals and health care", "healthcare", "health care", "health, wellness & fitness", "health wellness and fitness", "medical practice", "mental health care"]),
    ("Biotechnology", ["biotechnology", "biotech"]),
    ("Pharmaceuticals", ["pharmaceuticals", "pharmaceutical manufacturing"]),
    ("Medical Devices", ["medical devices", "medical equipment manufacturing"]),
    ("Manufacturing", ["manufacturing", "industrial automation", "machinery", "mechanical or industrial engineering", "electrical/electronic manufacturing", "electrical and electronic manufacturing"]),
    ("Retail", ["retail", "consumer goods", "apparel & fashion", "apparel and fashion", "luxury goods & jewelry", "sporting goods"]),
    ("Marketing & Advertising", ["marketing and advertising", "marketing & advertising", "advertising services", "public relations and communications"]),
    ("Real Estate", ["real estate", "commercial real estate"]),
    ("Construction", ["construction", "building materials", "architecture & planning", "architecture and planning"]),
    ("Education", ["education", "education management", "higher education", "e-learning", "primary/secondary education", "education administration programs"]),
    ("Government", ["government administration", "government", "public sector", "government relations"]),
    ("Nonprofit", ["non-profit organization management", "nonprofit organization management", "non-profit organizations", "nonprofit", "non-profit", "philanthropy"]),
    ("Telecommunications", ["telecommunications", "wireless"]),
    ("Media & Entertainment", ["media", "entertainment", "media production", "broadcast media", "publishing", "newspapers", "music", "computer games", "online audio and video media"]),
    ("Hospitality", ["hospitality", "restaurants", "food & beverages", "food and beverage services", "leisure, travel & tourism", "leisure travel and tourism"]),
    ("Transportation & Logistics", ["logistics and supply chain", "transportation/trucking/railroad", "transportation", "logistics", "airlines/aviation", "truck transportation"]),
    ("Energy", ["oil & energy", "oil and energy", "renewables & environment", "renewables and environment", "utilities", "energy"]),
    ("Consulting", ["management consulting", "consulting", "business consulting and services"]),
    ("Legal", ["law practice", "legal services", "legal"]),
    ("Accounting", ["accounting"]),
    ("Staffing & Recruiting", ["staffing and recruiting", "staffing & recruiting", "human resources", "human resources services"]),
    ("Automotive", ["automotive", "motor vehicle manufacturing"]),
    ("Local Services", ["consumer services", "individual & family services", "individual and family services", "facilities services", "events services", "cosmetics", "personal care services", "home services", "veterinary", "wellness and fitness services"]),
]
INDUSTRY_MAP = {}
for canon, aliases in INDUSTRIES:
    INDUSTRY_MAP[canon.lower()] = canon.lower()
    for a in aliases:
        INDUSTRY_MAP.setdefault(a, canon.lower())

COUNTRY_MAP = {
    "united states": "us", "us": "us", "usa": "us", "u.s.": "us", "united states of america": "us",
    "united kingdom": "gb", "uk": "gb", "gb": "gb", "great britain": "gb", "england": "gb",
    "germany": "de", "de": "de", "france": "fr", "fr": "fr", "canada": "ca", "ca": "ca",
    "netherlands": "nl", "nl": "nl", "the netherlands": "nl", "sweden": "se", "se": "se",
    "denmark": "dk", "dk": "dk", "ireland": "ie", "ie": "ie", "australia": "au", "au": "au",
    "india": "in", "in": "in", "brazil": "br", "br": "br", "japan": "jp", "jp": "jp",
    "spain": "es", "es": "es", "singapore": "sg", "sg": "sg",
}

TRAIT_NAMES = [
    ("Mid-market headcount (200-2,000)", 3, "fit"),
    ("Enterprise (5,000+ people)", -1, "fit"),
    ("Revenue $10M-$500M", 3, "fit"),
    ("Revenue under $2M", -3, "fit"),
    ("Target industry", 3, "fit"),
    ("Large regulated buyer", -3, "fit"),
    ("Core market (US, UK, Canada)", 1, "fit"),
    ("Describes workflow or automation needs", 1, "fit"),
    ("Technical buyer (CTO, CIO, VP Eng, Head of IT/Ops)", 5, "fit"),
    ("Runs a CRM we integrate with", 3, "fit"),
    ("Modern data stack (Snowflake and dbt)", 3, "fit"),
    ("Legacy on-prem stack", -3, "fit"),
    ("Known web domain", 1, "fit"),
    ("Sells to businesses", 1, "fit"),
    ("Young company (10 years or less)", 1, "fit"),
    ("Growth-stage funding", 1, "fit"),
    ("Raised a round in the last 180 days", 3, "intent"),
    ("Pricing page visited 3+ times in 30 days", 3, "intent"),
    ("Intent surge seen in the last 30 days", 3, "intent"),
    ("Researching workflow automation", 1, "intent"),
]
FILTER_NAMES = ["Serviceable country", "Not already a customer", "20+ employees"]
TIER1, TIER2 = 14, 7
# Non-capturing groups and no `case=False` (the text is already folded to
# lower case) keep this on pyarrow's RE2 instead of Python's re.
TITLE_RE = r"\b(?:cto|cio|chief (?:technology|information|operating) officer|vp,? (?:of )?(?:engineering|it|operations)|head of (?:it|ops|operations))\b"

SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}
NUM_RE = r"^\$?(?P<a>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<sa>[kmb]?)\s*(?:-\s*\$?(?P<b>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<sb>[kmb]?))?\s*(?P<plus>\+)?$"


def kleene(true, false):
    """A nullable boolean array: True where `true`, False where `false`, NA elsewhere."""
    true = np.asarray(true, dtype=bool)
    false = np.asarray(false, dtype=bool) & ~true
    return pd.arrays.BooleanArray(true, ~(true | false))


def blank_mask(s):
    return s.str.strip().str.lower().isin(BLANKS).to_numpy()


def fold_text(s):
    """Trim, lower-case, collapse whitespace; NaN for blanks."""
    f = s.str.strip().str.lower().str.replace(r"[ \t\r\n\f\v]+", " ", regex=True)
    return f.where(~f.isin(BLANKS))


def parse_interval(s):
    """Numbers, ranges and "N+" as (lo, hi) float arrays; NaN when missing."""
    t = s.str.strip().str.lower()
    t = t.where(~t.isin(BLANKS))
    plain = pd.to_numeric(t.str.replace(r"[$,]", "", regex=True), errors="coerce").to_numpy(dtype=float)
    lo, hi = plain.copy(), plain.copy()
    rest = np.isnan(plain) & t.notna().to_numpy()
    if rest.any():
        m = t[rest].str.extract(NUM_RE)
        a = pd.to_numeric(m["a"].str.replace(",", "", regex=False), errors="coerce").to_numpy(dtype=float)
        b = pd.to_numeric(m["b"].str.replace(",", "", regex=False), errors="coerce").to_numpy(dtype=float)
        sa = m["sa"].fillna("").map(SCALE).to_numpy(dtype=float)
        sb = m["sb"].fillna("").map(SCALE).to_numpy(dtype=float)
        plus = m["plus"].notna().to_numpy()
        rlo = a * sa
        rhi = np.where(plus, np.inf, np.where(np.isnan(b), rlo, b * sb))
        bad = ~(rlo <= rhi)
        rlo[bad] = np.nan
        rhi[bad] = np.nan
        lo[rest], hi[rest] = rlo, rhi
    return lo, hi


def cmp(iv, op, x):
    lo, hi = iv
    known = ~np.isnan(lo)
    with np.errstate(invalid="ignore"):
        if op == ">=":
            t, f = lo >= x, hi < x
        elif op == ">":
            t, f = lo > x, hi <= x
        elif op == "<=":
            t, f = hi <= x, lo > x
        elif op == "<":
            t, f = hi < x, lo >= x
    return kleene(t & known, f & known)


def between(iv, a, b):
    lo, hi = iv
    known = ~np.isnan(lo)
    with np.errstate(invalid="ignore"):
        return kleene(known & (lo >= a) & (hi <= b), known & ((hi < a) | (lo > b)))


def text_in(folded, values):
    known = folded.notna().to_numpy()
    hit = folded.isin(values).to_numpy()
    return kleene(known & hit, known & ~hit)


def text_contains(folded, needles):
    known = folded.notna().to_numpy()
    hit = np.zeros(len(folded), dtype=bool)
    for n in needles:
        hit |= folded.str.contains(n, regex=False).fillna(False).to_numpy(dtype=bool)
    return kleene(known & hit, known & ~hit)


def text_matches(folded, pattern):
    known = folded.notna().to_numpy()
    hit = folded.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
    return kleene(known & hit, known & ~hit)


def fold_list(s):
    """'HubSpot; Stripe | Google Workspace' -> '|hubspot|stripe|googleworkspace|'; NaN if empty."""
    t = s.str.lower().str.replace(r"[^0-9a-z;|,\n]", "", regex=True).str.replace(r"[;,\n|]+", "|", regex=True)
    t = "|" + t.str.strip("|") + "|"
    return t.where(t != "||")


def has_any(lst, items):
    known = lst.notna().to_numpy()
    hit = np.zeros(len(lst), dtype=bool)
    for i in items:
        hit |= lst.str.contains(f"|{i}|", regex=False).fillna(False).to_numpy(dtype=bool)
    return kleene(known & hit, known & ~hit)


def has_all(lst, items):
    known = lst.notna().to_numpy()
    hit = np.ones(len(lst), dtype=bool)
    for i in items:
        hit &= lst.str.contains(f"|{i}|", regex=False).fillna(False).to_numpy(dtype=bool)
    return kleene(known & hit, known & ~hit)


def parse_days(s, as_of):
    """Dates as days relative to as_of (negative = past); NaN when missing."""
    part = s.str.strip().str.slice(0, 10)  # "2024-03-01", "2024-03-01 10:32", "03/01/2024"
    d = pd.to_datetime(part, format="%Y-%m-%d", errors="coerce")
    us = d.isna() & part.str.contains("/", regex=False).fillna(False)
    if us.any():
        d[us] = pd.to_datetime(part[us], format="%m/%d/%Y", errors="coerce")
    return ((d - pd.Timestamp(as_of)) / pd.Timedelta(days=1)).to_numpy(dtype=float)


def within(days, n):
    known = ~np.isnan(days)
    with np.errstate(invalid="ignore"):
        t = known & (days >= -n) & (days <= 0)
    return kleene(t, known & ~t)


def parse(df, as_of):
    """The columns the profile reads, parsed once (icp's RecordBuilder::build)."""
    p = {}
    p["emp"] = parse_interval(df["Number of Employees"])
    p["rev"] = parse_interval(df["Annual Revenue"])
    ind = fold_text(df["Industry"])
    p["ind"] = ind.str.replace("_", " ", regex=False).map(INDUSTRY_MAP).fillna(ind)
    country = fold_text(df["Country/Region"])
    p["country"] = country.map(COUNTRY_MAP).fillna(country)
    p["desc"] = fold_text(df["Description"])
    p["title"] = fold_text(df["Buyer Title"])
    p["model"] = fold_text(df["Business Model"])
    p["stage"] = fold_text(df["Lifecycle Stage"])
    p["funding"] = fold_text(df["Funding Stage"])
    p["tech"] = fold_list(df["Technologies"])
    p["topics"] = fold_list(df["Intent Topics"])
    year = parse_interval(df["Year Founded"])[0]
    with np.errstate(invalid="ignore"):
        p["age"] = np.where((year >= 1000) & (year <= as_of.year), as_of.year - np.trunc(year), np.nan)
    p["visits"] = parse_interval(df["Pricing Page Visits 30d"])
    p["surge"] = parse_interval(df["Intent Surge"])
    p["funded"] = parse_days(df["Last Funding Date"], as_of)
    p["seen"] = parse_days(df["Intent Last Seen"], as_of)
    p["domain_present"] = ~blank_mask(df["Company Domain Name"])
    return p


def evaluate(p):
    """Filters, 20 traits, fit/intent/score, tier, coverage (icp's score_into)."""
    emp, rev, ind, country, model = p["emp"], p["rev"], p["ind"], p["country"], p["model"]
    tech, age, domain_present = p["tech"], p["age"], p["domain_present"]
    n = len(ind)
    software_it = ["software", "information technology"]
    filters = [
        text_in(country, ["us", "ca", "gb", "ie", "de", "fr", "nl", "se", "dk", "au"]),
        ~text_in(p["stage"], ["customer", "evangelist"]),
        cmp(emp, ">=", 20),
    ]
    traits = [
        between(emp, 200, 2000),
        cmp(emp, ">", 5000),
        between(rev, 10e6, 500e6),
        cmp(rev, "<", 2e6),
        text_in(ind, ["software", "information technology", "internet", "financial services", "healthcare"]),
        text_in(ind, ["banking", "insurance", "government"]) & cmp(emp, ">=", 1000),
        text_in(country, ["us", "gb", "ca"]),
        text_contains(p["desc"], ["workflow", "automation", "back office", "operations"]),
        text_matches(p["title"], TITLE_RE),
        has_any(tech, ["hubspot", "salesforce", "pipedrive"]),
        has_all(tech, ["snowflake", "dbt"]),
        has_any(tech, ["lotusnotes", "oracleebs", "sharepoint2010"]) & ~has_any(tech, ["microsoft365"]),
        kleene(domain_present, ~domain_present),
        text_in(model, ["b2b", "b2b2c"]) | (kleene(model.isna().to_numpy(), model.notna().to_numpy()) & text_in(ind, software_it)),
        cmp((age, age), "<=", 10),
        text_in(p["funding"], ["series b", "series c", "series d"]),
        within(p["funded"], 180),
        cmp(p["visits"], ">=", 3),
        cmp(p["surge"], ">=", 1.5) & within(p["seen"], 30),
        has_any(p["topics"], ["workflowautomation", "businessprocessmanagement", "nocode"]),
    ]
    assert len(traits) == len(TRAIT_NAMES) == 20

    # Filters: the first false one excludes; unknown ones before it are kept and listed.
    excluded_by = np.full(n, -1)
    unknown_bits = np.zeros(n, dtype=np.int64)
    for i, f in enumerate(filters):
        alive = excluded_by < 0
        is_false = (f == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
        unknown = f.isna()
        unknown_bits |= np.where(alive & unknown, 1 << i, 0)
        excluded_by[alive & is_false] = i

    fit = np.zeros(n, dtype=np.int64)
    intent = np.zeros(n, dtype=np.int64)
    known_w = np.zeros(n, dtype=np.int64)
    fired_bits = np.zeros(n, dtype=np.int64)
    total_w = sum(abs(w) for _, w, _ in TRAIT_NAMES)
    for i, (t, (_, w, axis)) in enumerate(zip(traits, TRAIT_NAMES)):
        fired = t.fillna(False).to_numpy(dtype=bool)
        known_w += np.where(~t.isna(), abs(w), 0)
        if axis == "fit":
            fit += np.where(fired, w, 0)
        else:
            intent += np.where(fired, w, 0)
        fired_bits |= np.where(fired, 1 << i, 0)
    total = fit + intent
    tier = np.where(excluded_by >= 0, "excluded", np.where(total >= TIER1, "1", np.where(total >= TIER2, "2", "3")))

    return {"excluded_by": excluded_by, "unknown_bits": unknown_bits, "fired_bits": fired_bits,
            "fit": fit, "intent": intent, "score": total, "tier": tier, "coverage": known_w / total_w}


def output(df, r):
    """The input columns plus the eight icp_* columns (reasons as icp writes them)."""
    excluded_by, unknown_bits, fired_bits = r["excluded_by"], r["unknown_bits"], r["fired_bits"]
    # Reasons: strongest positive first, then negatives; one string per
    # distinct set of fired traits, mapped onto the rows.
    order = sorted(range(20), key=lambda i: (TRAIT_NAMES[i][1] < 0, -abs(TRAIT_NAMES[i][1]), i))

    def reasons(bits):
        return "; ".join(f"{TRAIT_NAMES[i][0]} ({TRAIT_NAMES[i][1]:+d})" for i in order if bits >> i & 1)

    def unknown_names(bits):
        return "; ".join(FILTER_NAMES[i] for i in range(3) if bits >> i & 1)

    fb = pd.Series(fired_bits)
    ub = pd.Series(unknown_bits)
    out = df.copy()
    out["icp_score"] = r["score"]
    out["icp_fit"] = r["fit"]
    out["icp_intent"] = r["intent"]
    out["icp_tier"] = r["tier"]
    out["icp_excluded_by"] = np.array([""] + FILTER_NAMES, dtype=object)[excluded_by + 1]
    out["icp_coverage"] = r["coverage"]
    out["icp_reasons"] = fb.map({b: reasons(b) for b in fb.unique()}).to_numpy()
    out["icp_unknown_filters"] = ub.map({b: unknown_names(b) for b in ub.unique()}).to_numpy()
    return out


def main():
    ap = argparse.ArgumentParser(description="pandas peer of `icp score` for bench/profile-20.toml")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--as-of", default="2026-01-15")
    ap.add_argument("--chunksize", type=int, default=0, help="rows per chunk (0: read the whole file)")
    ap.add_argument("--timings", action="store_true", help="print stage times to stderr")
    args = ap.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    read = dict(dtype=str, keep_default_na=False, na_filter=False)
    times = {"read": 0.0, "parse": 0.0, "evaluate": 0.0, "reasons+write": 0.0}
    clock = time.perf_counter

    def run(df, first):
        t0 = clock()
        p = parse(df, as_of)
        t1 = clock()
        r = evaluate(p)
        t2 = clock()
        output(df, r).to_csv(args.output, index=False, mode="w" if first else "a", header=first, float_format="%.2f")
        t3 = clock()
        times["parse"] += t1 - t0
        times["evaluate"] += t2 - t1
        times["reasons+write"] += t3 - t2
        return len(df)

    rows, t = 0, clock()
    if args.chunksize:
        for k, chunk in enumerate(pd.read_csv(args.input, chunksize=args.chunksize, **read)):
            times["read"] += clock() - t
            rows += run(chunk.reset_index(drop=True), k == 0)
            t = clock()
    else:
        df = pd.read_csv(args.input, **read)
        times["read"] += clock() - t
        rows += run(df, True)
    if args.timings:
        # Stage times, and the in-memory evaluation rate (the peer of icp's
        # `scoring/score_into` bench: parsed columns in, scores out).
        line = " ".join(f"{k}={v:.3f}s" for k, v in times.items())
        rate = rows / times["evaluate"] if times["evaluate"] else float("nan")
        print(f"pandas stages: rows={rows} {line} evaluate_rate={rate:,.0f}/s", file=sys.stderr)


if __name__ == "__main__":
    main()
