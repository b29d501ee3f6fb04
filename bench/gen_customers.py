#!/usr/bin/env python3
"""Generate closed deals with an outcome and a planted structure, for
`icp learn` (stdlib only).

    python3 bench/gen_customers.py --rows 100000 --fields 30 --seed 42 --out /tmp/deals-100k.csv
    python3 bench/gen_customers.py --example --out examples/customers-won-lost.csv

The same arguments always give the same bytes. Each row is a HubSpot-style
closed deal with its company's fields and `Deal Stage` = Closed Won or
Closed Lost. The win probability is a logistic function of a few planted
traits (the log-odds effects are listed in PLANTED below); every other
column is noise, and `Closed Lost Reason` is filled in only for lost deals
(a leak `icp learn` must leave out).

Planted, on the log-odds scale:
    industry Software +0.9, Financial Services +0.5; Government Administration
        never wins (a filter)
    employees 51-200 +0.8, 201-1,000 +0.4, 1-10 -1.0
    technologies has Salesforce +0.7, Snowflake +0.5
    Business Model B2C -0.5
    Lead Source Referral +0.8
    Buyer Title CTO or CIO +0.5
    Partner filled in +0.4
Proxies (no effect of their own, but they follow headcount): revenue,
sales headcount, amount. Noise: country, city, region, founded year, funding
stage, current CRM, plan interest, deployment, pricing page visits,
sessions, tickets, reviews read, employee growth.

Value styles mimic real exports: headcounts as numbers, "1,200" or ranges
("51-200"); revenue as "$1,200,000", "$310M" or bands; industries as
HubSpot labels or internal values ("COMPUTER_SOFTWARE"); countries as
names or ISO codes; technologies as "Salesforce; Slack"; blanks and
placeholders ("n/a", "-").
"""

import argparse
import csv
import datetime as dt
import math
import random
import sys

PLANTED = {
    "industry=Software": 0.9,
    "industry=Financial Services": 0.5,
    "employees 51-200": 0.8,
    "employees 201-1000": 0.4,
    "employees 1-10": -1.0,
    "technologies has salesforce": 0.7,
    "technologies has snowflake": 0.5,
    "business_model=B2C": -0.5,
    "lead_source=Referral": 0.8,
    "buyer_title CTO/CIO": 0.5,
    "partner filled in": 0.4,
}
INTERCEPT = -2.0

HEADERS = [
    "Record ID",
    "Deal Name",
    "Company Domain Name",
    "Industry",
    "Number of Employees",
    "Annual Revenue",
    "Country/Region",
    "City",
    "Year Founded",
    "Technologies",
    "Business Model",
    "Funding Stage",
    "Lead Source",
    "Buyer Title",
    "Partner",
    "Create Date",
    "Close Date",
    "Amount",
    "Deployment",
    "Current CRM",
    "Plan Interest",
    "Pricing Page Visits 30d",
    "Website Sessions 30d",
    "Support Tickets",
    "Reviews Read",
    "Sales Headcount",
    "Region",
    "Employee Growth 12m",
    "Closed Lost Reason",
    "Deal Stage",
]

# (canonical, [spellings]), weight
INDUSTRIES = [
    ("Software", ["Computer Software", "COMPUTER_SOFTWARE", "Software Development", "SaaS"], 14),
    ("Information Technology", ["Information Technology and Services", "INFORMATION_TECHNOLOGY_AND_SERVICES"], 10),
    ("Financial Services", ["Financial Services", "FINANCIAL_SERVICES", "Fintech"], 9),
    ("Healthcare", ["Hospital & Health Care", "Healthcare"], 7),
    ("Manufacturing", ["Manufacturing", "Machinery"], 7),
    ("Retail", ["Retail", "Consumer Goods"], 7),
    ("Marketing", ["Marketing and Advertising"], 6),
    ("Education", ["Education Management"], 5),
    ("Real Estate", ["Real Estate"], 4),
    ("Construction", ["Construction"], 4),
    ("Logistics", ["Logistics and Supply Chain"], 4),
    ("Government", ["Government Administration"], 4),
    ("Consulting", ["Management Consulting"], 5),
    ("", ["", "n/a"], 4),
]
COUNTRIES = [
    (("United States", "US", "USA"), ["New York", "Austin", "Chicago", "Denver", "Seattle", "Boston"], "North America", 30),
    (("Canada", "CA"), ["Toronto", "Vancouver", "Montreal"], "North America", 5),
    (("United Kingdom", "UK", "GB"), ["London", "Manchester", "Leeds"], "EMEA", 10),
    (("Germany", "DE"), ["Berlin", "Munich", "Hamburg"], "EMEA", 9),
    (("France", "FR"), ["Paris", "Lyon"], "EMEA", 6),
    (("Netherlands", "NL"), ["Amsterdam", "Rotterdam"], "EMEA", 4),
    (("Spain", "ES"), ["Madrid", "Barcelona"], "EMEA", 3),
    (("India", "IN"), ["Bengaluru", "Mumbai", "Pune"], "APAC", 6),
    (("Australia", "AU"), ["Sydney", "Melbourne"], "APAC", 4),
    (("Japan", "JP"), ["Tokyo", "Osaka"], "APAC", 3),
    (("Brazil", "BR"), ["São Paulo", "Rio de Janeiro"], "LATAM", 3),
    (("", "unknown"), [""], "", 3),
]
TECH = [
    ("Salesforce", 0.30), ("HubSpot", 0.25), ("Slack", 0.45), ("Zoom", 0.40),
    ("Google Workspace", 0.45), ("Microsoft 365", 0.40), ("Snowflake", 0.12),
    ("Segment", 0.10), ("Stripe", 0.20), ("Shopify", 0.08), ("Zendesk", 0.15),
    ("Intercom", 0.10), ("Jira", 0.25), ("Mailchimp", 0.15), ("WordPress", 0.20),
    ("Tableau", 0.08), ("Workday", 0.06), ("SAP", 0.05),
]
LEAD_SOURCES = [("Referral", 10), ("Organic Search", 20), ("Paid Search", 15), ("Events", 8),
                ("Outbound", 20), ("Partner", 7), ("Social Media", 10), ("", 10)]
TITLES = [("CTO", 8), ("CIO", 5), ("VP Engineering", 8), ("Head of IT", 6), ("CEO", 12),
          ("Founder", 8), ("Operations Director", 10), ("Marketing Manager", 12),
          ("Office Manager", 8), ("IT Manager", 8), ("", 5)]
FUNDING = [("Bootstrapped", 15), ("Seed", 12), ("Series A", 12), ("Series B", 9), ("Series C", 5),
           ("Series D", 2), ("Public", 4), ("Private Equity", 4), ("", 37)]
CRMS = [("salesforce", 25), ("hubspot", 20), ("pipedrive", 10), ("spreadsheets", 20), ("none", 15), ("", 10)]
PLANS = [("Starter", 35), ("Pro", 40), ("Enterprise", 15), ("", 10)]
DEPLOY = [("cloud", 70), ("hybrid", 15), ("on-prem only", 10), ("", 5)]
LOST_REASONS = ["Price", "Timing", "No budget", "Went with competitor", "No decision", "Missing feature"]
EMPLOYEE_BANDS = [(1, 10), (11, 50), (51, 200), (201, 500), (501, 1000), (1001, 5000), (5001, 10000)]


def weighted(rng, items):
    total = sum(w for *_, w in items)
    x = rng.random() * total
    for item in items:
        x -= item[-1]
        if x <= 0:
            return item
    return items[-1]


def employees_cell(rng, n):
    r = rng.random()
    if r < 0.03:
        return "n/a"
    if r < 0.18:
        for lo, hi in EMPLOYEE_BANDS:
            if lo <= n <= hi:
                return f"{lo}-{hi}"
        return "10,001+"
    if r < 0.38 and n >= 1000:
        return f"{n:,}"
    return str(n)


def revenue_cell(rng, usd):
    r = rng.random()
    if r < 0.08:
        return ""
    if r < 0.4:
        return f"${usd:,.0f}"
    if r < 0.7:
        if usd >= 1e9:
            return f"${usd / 1e9:.1f}B"
        if usd >= 1e6:
            return f"${usd / 1e6:.0f}M"
        return f"${usd / 1e3:.0f}K"
    return str(int(usd))


NAME_A = ["North", "Blue", "Bright", "Cedar", "Summit", "Harbor", "Iron", "Silver", "Quantum", "Maple",
          "Pine", "Atlas", "Orbit", "Vertex", "Nimbus", "Copper", "Granite", "Lumen", "Helix", "Clear"]
NAME_B = ["wind", "field", "stone", "line", "path", "bridge", "works", "point", "wave", "gate"]
NAME_C = ["Analytics", "Systems", "Health", "Capital", "Labs", "Logistics", "Retail", "Software",
          "Partners", "Group", "Solutions", "Foods", "Media", "Robotics", "Insurance"]


def company(rng, i):
    name = f"{rng.choice(NAME_A)}{rng.choice(NAME_B)} {rng.choice(NAME_C)}"
    domain = name.lower().replace(" ", "") + (f"{i}" if rng.random() < 0.5 else "") + rng.choice([".com", ".io", ".co", ".de", ".co.uk"])
    return name, domain


def row(rng, i, start, strength=1.0):
    ind, spellings, _ = weighted(rng, INDUSTRIES)
    industry = rng.choice(spellings)
    # Headcount: log-uniform 1..20,000, tilted by industry.
    n = int(round(math.exp(rng.uniform(0, math.log(20000)))))
    n = max(1, n)
    (country_names, cities, region, _) = weighted(rng, COUNTRIES)
    country = rng.choice(country_names)
    city = rng.choice(cities) if rng.random() < 0.9 else ""
    founded = rng.randint(1950, 2024) if rng.random() < 0.85 else ""
    techs = [t for t, p in TECH if rng.random() < p]
    if rng.random() < 0.15:
        techs = []
    tech_cell = "; ".join(techs)
    b2c = ind in ("Retail", "Real Estate", "Construction") and rng.random() < 0.6 or rng.random() < 0.15
    model = "B2C" if b2c else ("B2B" if rng.random() < 0.92 else "")
    funding = weighted(rng, FUNDING)[0]
    lead = weighted(rng, LEAD_SOURCES)[0]
    title = weighted(rng, TITLES)[0]
    partner = rng.choice(["Yes", "Gold", "Silver"]) if rng.random() < 0.25 else ""
    created = start + dt.timedelta(days=rng.randint(0, 700))
    closed = created + dt.timedelta(days=rng.randint(7, 200))
    revenue = n * rng.lognormvariate(math.log(150_000), 0.6)

    effects = 0.0
    if ind == "Software":
        effects += PLANTED["industry=Software"]
    if ind == "Financial Services":
        effects += PLANTED["industry=Financial Services"]
    if 51 <= n <= 200:
        effects += PLANTED["employees 51-200"]
    elif 201 <= n <= 1000:
        effects += PLANTED["employees 201-1000"]
    elif n <= 10:
        effects += PLANTED["employees 1-10"]
    if "Salesforce" in techs:
        effects += PLANTED["technologies has salesforce"]
    if "Snowflake" in techs:
        effects += PLANTED["technologies has snowflake"]
    if model == "B2C":
        effects += PLANTED["business_model=B2C"]
    if lead == "Referral":
        effects += PLANTED["lead_source=Referral"]
    if title in ("CTO", "CIO"):
        effects += PLANTED["buyer_title CTO/CIO"]
    if partner:
        effects += PLANTED["partner filled in"]
    logit = INTERCEPT + strength * effects
    won = ind != "Government" and rng.random() < 1 / (1 + math.exp(-logit))
    name, domain = company(rng, i)
    plan = weighted(rng, PLANS)[0]

    amount = round(rng.lognormvariate(math.log(12_000 + 20 * min(n, 5000)), 0.5), -2)
    visits = min(int(rng.expovariate(0.4)), 40)
    return {
        "Record ID": str(100000 + i),
        "Deal Name": f"{name} - {plan or 'Pro'} annual",
        "Company Domain Name": domain,
        "Industry": industry,
        "Number of Employees": employees_cell(rng, n),
        "Annual Revenue": revenue_cell(rng, revenue),
        "Country/Region": country,
        "City": city,
        "Year Founded": str(founded),
        "Technologies": tech_cell,
        "Business Model": model,
        "Funding Stage": funding,
        "Lead Source": lead,
        "Buyer Title": title,
        "Partner": partner,
        "Create Date": created.isoformat(),
        "Close Date": closed.isoformat(),
        "Amount": f"{amount:.0f}",
        "Deployment": weighted(rng, DEPLOY)[0],
        "Current CRM": weighted(rng, CRMS)[0],
        "Plan Interest": plan,
        "Pricing Page Visits 30d": str(visits),
        "Website Sessions 30d": str(int(rng.expovariate(0.05))),
        "Support Tickets": str(int(rng.expovariate(0.5))) if rng.random() < 0.7 else "",
        "Reviews Read": str(rng.randint(0, 12)),
        "Sales Headcount": str(max(0, int(n * rng.uniform(0.02, 0.15)))),
        "Region": region,
        "Employee Growth 12m": f"{rng.gauss(0.08, 0.15):.2f}" if rng.random() < 0.8 else "",
        "Closed Lost Reason": "" if won else rng.choice(LOST_REASONS),
        "Deal Stage": "Closed Won" if won else "Closed Lost",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--fields", type=int, default=len(HEADERS),
                    help=f"columns written, the outcome included (at most {len(HEADERS)})")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="-")
    ap.add_argument("--example", action="store_true",
                    help="the small export in examples/customers-won-lost.csv (800 deals, 17 columns, effects doubled so a small file shows them)")
    args = ap.parse_args()
    if args.example:
        args.rows, args.seed, strength = 800, 7, 2.0
        headers = ["Record ID", "Deal Name", "Company Domain Name", "Industry", "Number of Employees",
                   "Annual Revenue", "Country/Region", "Technologies", "Business Model", "Lead Source",
                   "Buyer Title", "Partner", "Create Date", "Close Date", "Amount", "Closed Lost Reason",
                   "Deal Stage"]
    else:
        if not 2 <= args.fields <= len(HEADERS):
            ap.error(f"--fields must be 2..{len(HEADERS)}")
        headers = HEADERS[: args.fields - 1] + ["Deal Stage"]
        strength = 1.0
    rng = random.Random(args.seed)
    start = dt.date(2023, 1, 2)
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(headers)
    for i in range(args.rows):
        r = row(rng, i, start, strength)
        w.writerow([r[h] for h in headers])
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
