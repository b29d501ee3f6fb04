#!/usr/bin/env python3
"""Generate a HubSpot-style company export for benchmarks (stdlib only).

    python3 bench/gen_accounts.py --rows 1000000 --out /tmp/accounts-1m.csv

The same --rows and --seed always give the same bytes. Dates are spread over
the two years before --as-of (default 2026-01-15, the date bench/run.sh scores
at), so `within` traits fire on a realistic share of rows.

Value styles mimic real exports: headcounts as numbers, "1,200" or ranges
("51-200", "10,001+"); revenue as "$1,200,000", "$310M", bare digits or bands
("$10M-$50M"); industries as HubSpot labels or internal values
("COMPUTER_SOFTWARE"); countries as names, ISO codes or aliases ("USA", "UK");
technologies and intent topics as "HubSpot; Stripe" lists; dates in ISO, ISO
with a time or US style; blanks and placeholders ("n/a", "-", "unknown").
"""

import argparse
import csv
import datetime as dt
import random
import sys

HEADERS = [
    "Record ID",
    "Company name",
    "Company Domain Name",
    "Industry",
    "Number of Employees",
    "Annual Revenue",
    "Country/Region",
    "Year Founded",
    "Description",
    "Technologies",
    "Business Model",
    "Lifecycle Stage",
    "Buyer Title",
    "Funding Stage",
    "Last Funding Date",
    "Create Date",
    "Pricing Page Visits 30d",
    "Intent Surge",
    "Intent Last Seen",
    "Intent Topics",
]

INDUSTRIES = [
    ("Computer Software", 10), ("COMPUTER_SOFTWARE", 6), ("Information Technology and Services", 8),
    ("INFORMATION_TECHNOLOGY_AND_SERVICES", 3), ("Internet", 4), ("Financial Services", 6),
    ("FINANCIAL_SERVICES", 2), ("Banking", 2), ("Insurance", 2), ("Hospital & Health Care", 5),
    ("Medical Practice", 2), ("Manufacturing", 4), ("Retail", 4), ("Marketing and Advertising", 4),
    ("Real Estate", 2), ("Construction", 2), ("Education Management", 2), ("Government Administration", 1),
    ("Management Consulting", 3), ("Logistics and Supply Chain", 2), ("Telecommunications", 1),
    ("Restaurants", 1), ("Legal Services", 1), ("Underwater Basket Weaving", 1), ("", 4), ("n/a", 1),
]
COUNTRIES = [
    ("United States", 20), ("US", 6), ("USA", 4), ("United Kingdom", 6), ("UK", 3), ("Germany", 6),
    ("DE", 2), ("France", 4), ("Canada", 4), ("Netherlands", 3), ("Sweden", 1), ("Denmark", 1),
    ("Ireland", 1), ("Australia", 2), ("India", 4), ("Brazil", 2), ("Japan", 2), ("Spain", 2),
    ("Singapore", 1), ("", 5), ("unknown", 1),
]
TECH = [
    "HubSpot", "Salesforce", "Pipedrive", "Stripe", "Snowflake", "dbt", "Looker", "Segment",
    "Google Workspace", "Microsoft 365", "Slack", "Zendesk", "Intercom", "Shopify", "WordPress",
    "Mailchimp", "Jira", "Confluence", "AWS", "Azure", "Datadog", "Okta", "Lotus Notes",
    "Oracle EBS", "SharePoint 2010", "Workday", "NetSuite", "OpenAI", "Databricks", "Tableau",
]
TOPICS = [
    "Workflow Automation", "Business Process Management", "No-Code", "CRM", "Data Warehouse",
    "Cloud Security", "HR Software", "Sales Enablement", "ERP", "Customer Support",
]
TITLES = [
    ("CTO", 4), ("Chief Technology Officer", 2), ("CIO", 3), ("Chief Information Officer", 1),
    ("VP Engineering", 3), ("VP, Operations", 2), ("VP of IT", 1), ("Head of IT", 2),
    ("Head of Operations", 2), ("Chief Operating Officer", 1), ("CEO", 6), ("Founder & CEO", 4),
    ("Marketing Manager", 6), ("Director of Sales", 5), ("Office Manager", 4), ("Owner", 4),
    ("Product Manager", 4), ("Procurement Lead", 2), ("", 8),
]
STAGES = [
    ("Subscriber", 4), ("Lead", 10), ("Marketing Qualified Lead", 6), ("Sales Qualified Lead", 4),
    ("Opportunity", 3), ("Customer", 3), ("Evangelist", 1), ("Other", 1), ("", 2),
]
FUNDING = [
    ("Seed", 4), ("Series A", 4), ("Series B", 3), ("Series C", 2), ("Series D", 1),
    ("Private Equity", 1), ("Public", 1), ("", 12),
]
MODELS = [("B2B", 10), ("B2C", 4), ("B2B2C", 2), ("", 5), ("n/a", 1)]
DESCRIPTIONS = [
    "Cloud platform for finance teams", "Back office automation for clinics",
    "We help operations teams run their workflows", "Family-run bakery and cafe",
    "Industrial sensors, made in Germany", "Payments infrastructure for marketplaces",
    "Digital agency: web design, SEO, ads", "Workflow software for logistics operations",
    "Regional insurer, home and auto", "Data platform for healthcare providers",
    "Recruiting and staffing, tech roles", "Construction management, residential and commercial",
    "", "",
]
SYLLABLES = ["nor", "th", "wind", "qua", "tive", "he", "lix", "bright", "side", "ver", "da", "lo",
             "mar", "ket", "zen", "fi", "sy", "pha", "ro", "cor", "tex", "nova", "pine", "orb"]
SUFFIXES = ["Labs", "Inc", "Capital", "Health", "Systems", "Group", "Analytics", "GmbH", "Ltd",
            "Partners", "Software", "Logistics", "AI", ""]
EMP_RANGES = ["1-10", "11-50", "51-200", "201-500", "501-1,000", "1,001-5,000", "5,001-10,000", "10,001+"]
REV_BANDS = ["$0-$1M", "$1M-$10M", "$10M-$50M", "$50M-$100M", "$100M-$500M", "$500M-$1B", "$1B+"]
PLACEHOLDERS = ["", "", "", "n/a", "-", "unknown"]


def weighted(rng, pairs):
    """A picker drawing from (value, weight) pairs."""
    values = [v for v, _ in pairs]
    cum, total = [], 0
    for _, w in pairs:
        total += w
        cum.append(total)
    import bisect

    def pick():
        return values[bisect.bisect_right(cum, rng.random() * total)]

    return pick


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--as-of", default="2026-01-15")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    r = rng.random
    ri = rng.randint
    as_of = dt.date.fromisoformat(args.as_of)
    industry = weighted(rng, INDUSTRIES)
    country = weighted(rng, COUNTRIES)
    title = weighted(rng, TITLES)
    stage = weighted(rng, STAGES)
    funding = weighted(rng, FUNDING)
    model = weighted(rng, MODELS)

    def date_cell(max_age_days):
        d = as_of - dt.timedelta(days=ri(0, max_age_days))
        x = r()
        if x < 0.6:
            return d.isoformat()
        if x < 0.85:
            return f"{d.isoformat()} {ri(0, 23):02d}:{ri(0, 59):02d}"
        return f"{d.month:02d}/{d.day:02d}/{d.year}"

    def employees():
        x = r()
        n = int(10 ** (r() * 4.5)) + 1  # 1 .. ~31,600, log-uniform
        if x < 0.45:
            return str(n)
        if x < 0.65:
            return f"{n:,}"
        if x < 0.9:
            return rng.choice(EMP_RANGES)
        return rng.choice(PLACEHOLDERS)

    def revenue():
        x = r()
        v = int(10 ** (5 + r() * 4.5))  # $100k .. ~$3B
        if x < 0.35:
            return f"${v:,}"
        if x < 0.5:
            return f"${v / 1e6:.0f}M" if v >= 1e6 else f"${v / 1e3:.0f}k"
        if x < 0.65:
            return str(v)
        if x < 0.8:
            return rng.choice(REV_BANDS)
        return rng.choice(PLACEHOLDERS)

    def listing(pool, lo, hi, sep):
        return sep.join(rng.sample(pool, ri(lo, hi)))

    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADERS)
        batch = []
        for i in range(args.rows):
            name = "".join(rng.choice(SYLLABLES) for _ in range(ri(2, 3))).capitalize()
            suffix = rng.choice(SUFFIXES)
            full = f"{name} {suffix}".strip()
            domain = "" if r() < 0.1 else f"{name.lower()}{ri(1, 999)}.{rng.choice(('com', 'io', 'co.uk', 'de'))}"
            year = "" if r() < 0.15 else str(ri(1950, 2025))
            tech = "" if r() < 0.2 else listing(TECH, 1, 6, rng.choice(("; ", "; ", ", ", " | ")))
            topics = "" if r() < 0.5 else listing(TOPICS, 1, 3, "; ")
            surge = "" if r() < 0.4 else f"{r() * 3:.2f}"
            visits = rng.choice(PLACEHOLDERS) if r() < 0.3 else str(min(int(rng.expovariate(0.5)), 40))
            batch.append([
                str(1_000_000 + i),
                full,
                domain,
                industry(),
                employees(),
                revenue(),
                country(),
                year,
                rng.choice(DESCRIPTIONS),
                tech,
                model(),
                stage(),
                title(),
                funding(),
                "" if r() < 0.55 else date_cell(730),
                date_cell(1500),
                visits,
                surge,
                "" if r() < 0.4 else date_cell(120),
                topics,
            ])
            if len(batch) == 10_000:
                w.writerows(batch)
                batch.clear()
        w.writerows(batch)
    print(f"wrote {args.rows} rows to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
