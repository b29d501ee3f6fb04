//! Scoring throughput with the 20-trait benchmark profile (bench/profile-20.toml).
//!
//!     cargo bench -p icp-core --bench scoring
//!
//! 100,000 rows in the shape of bench/gen_accounts.py's HubSpot export are
//! generated here with a fixed-seed LCG (no I/O, no extra dependencies). Each
//! benchmark walks all of them, so criterion's Throughput::Elements reports
//! accounts per second:
//!
//! - `scoring/score_into`: the in-memory scoring of already-parsed records
//!   (filters, 20 traits, fit/intent, tier, coverage), one core, as
//!   RecordBuilder makes them: text and list slots hold the answers of the
//!   profile's tests on them, found once per distinct cell while parsing.
//! - `scoring/score_into_values`: the same records holding the parsed
//!   texts and lists instead (`RecordBuilder::keep_values`), so every test
//!   compares text: the path for records built by other means.
//! - `scoring/build`: RecordBuilder::build, parsing the 17 columns the
//!   profile reads from text into typed values.
//! - `scoring/build_score_reasons`: build + score_into + write_reasons, the
//!   per-row work of `icp score` without CSV reading and writing.
//! - `parse_field/<field>`: the parse of one column alone, to show where the
//!   build time goes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use icp_core::fields::{canonical_for_header, parse_field, snake_case};
use icp_core::{Profile, RecordBuilder, Scored, Value};

const ROWS: usize = 100_000;
const AS_OF: (i32, u32, u32) = (2026, 1, 15);

const HEADERS: [&str; 20] = [
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
];

const INDUSTRIES: &[(&str, u32)] = &[
    ("Computer Software", 10),
    ("COMPUTER_SOFTWARE", 6),
    ("Information Technology and Services", 8),
    ("INFORMATION_TECHNOLOGY_AND_SERVICES", 3),
    ("Internet", 4),
    ("Financial Services", 6),
    ("FINANCIAL_SERVICES", 2),
    ("Banking", 2),
    ("Insurance", 2),
    ("Hospital & Health Care", 5),
    ("Medical Practice", 2),
    ("Manufacturing", 4),
    ("Retail", 4),
    ("Marketing and Advertising", 4),
    ("Real Estate", 2),
    ("Construction", 2),
    ("Education Management", 2),
    ("Government Administration", 1),
    ("Management Consulting", 3),
    ("Logistics and Supply Chain", 2),
    ("Telecommunications", 1),
    ("Restaurants", 1),
    ("Legal Services", 1),
    ("Underwater Basket Weaving", 1),
    ("", 4),
    ("n/a", 1),
];
const COUNTRIES: &[(&str, u32)] = &[
    ("United States", 20),
    ("US", 6),
    ("USA", 4),
    ("United Kingdom", 6),
    ("UK", 3),
    ("Germany", 6),
    ("DE", 2),
    ("France", 4),
    ("Canada", 4),
    ("Netherlands", 3),
    ("Sweden", 1),
    ("Denmark", 1),
    ("Ireland", 1),
    ("Australia", 2),
    ("India", 4),
    ("Brazil", 2),
    ("Japan", 2),
    ("Spain", 2),
    ("Singapore", 1),
    ("", 5),
    ("unknown", 1),
];
const TECH: &[&str] = &[
    "HubSpot",
    "Salesforce",
    "Pipedrive",
    "Stripe",
    "Snowflake",
    "dbt",
    "Looker",
    "Segment",
    "Google Workspace",
    "Microsoft 365",
    "Slack",
    "Zendesk",
    "Intercom",
    "Shopify",
    "WordPress",
    "Mailchimp",
    "Jira",
    "Confluence",
    "AWS",
    "Azure",
    "Datadog",
    "Okta",
    "Lotus Notes",
    "Oracle EBS",
    "SharePoint 2010",
    "Workday",
    "NetSuite",
    "OpenAI",
    "Databricks",
    "Tableau",
];
const TOPICS: &[&str] = &[
    "Workflow Automation",
    "Business Process Management",
    "No-Code",
    "CRM",
    "Data Warehouse",
    "Cloud Security",
    "HR Software",
    "Sales Enablement",
    "ERP",
    "Customer Support",
];
const TITLES: &[(&str, u32)] = &[
    ("CTO", 4),
    ("Chief Technology Officer", 2),
    ("CIO", 3),
    ("Chief Information Officer", 1),
    ("VP Engineering", 3),
    ("VP, Operations", 2),
    ("VP of IT", 1),
    ("Head of IT", 2),
    ("Head of Operations", 2),
    ("Chief Operating Officer", 1),
    ("CEO", 6),
    ("Founder & CEO", 4),
    ("Marketing Manager", 6),
    ("Director of Sales", 5),
    ("Office Manager", 4),
    ("Owner", 4),
    ("Product Manager", 4),
    ("Procurement Lead", 2),
    ("", 8),
];
const STAGES: &[(&str, u32)] = &[
    ("Subscriber", 4),
    ("Lead", 10),
    ("Marketing Qualified Lead", 6),
    ("Sales Qualified Lead", 4),
    ("Opportunity", 3),
    ("Customer", 3),
    ("Evangelist", 1),
    ("Other", 1),
    ("", 2),
];
const FUNDING: &[(&str, u32)] = &[
    ("Seed", 4),
    ("Series A", 4),
    ("Series B", 3),
    ("Series C", 2),
    ("Series D", 1),
    ("Private Equity", 1),
    ("Public", 1),
    ("", 12),
];
const MODELS: &[(&str, u32)] = &[("B2B", 10), ("B2C", 4), ("B2B2C", 2), ("", 5), ("n/a", 1)];
const DESCRIPTIONS: &[&str] = &[
    "Cloud platform for finance teams",
    "Back office automation for clinics",
    "We help operations teams run their workflows",
    "Family-run bakery and cafe",
    "Industrial sensors, made in Germany",
    "Payments infrastructure for marketplaces",
    "Digital agency: web design, SEO, ads",
    "Workflow software for logistics operations",
    "Regional insurer, home and auto",
    "Data platform for healthcare providers",
    "Recruiting and staffing, tech roles",
    "Construction management, residential and commercial",
    "",
    "",
];
const SYLLABLES: &[&str] = &[
    "nor", "th", "wind", "qua", "tive", "he", "lix", "bright", "side", "ver", "da", "lo", "mar",
    "ket", "zen", "fi", "sy", "pha", "ro", "cor", "tex", "nova", "pine", "orb",
];
const SUFFIXES: &[&str] = &[
    "Labs",
    "Inc",
    "Capital",
    "Health",
    "Systems",
    "Group",
    "Analytics",
    "GmbH",
    "Ltd",
    "Partners",
    "Software",
    "Logistics",
    "AI",
    "",
];
const EMP_RANGES: &[&str] = &[
    "1-10",
    "11-50",
    "51-200",
    "201-500",
    "501-1,000",
    "1,001-5,000",
    "5,001-10,000",
    "10,001+",
];
const REV_BANDS: &[&str] = &[
    "$0-$1M",
    "$1M-$10M",
    "$10M-$50M",
    "$50M-$100M",
    "$100M-$500M",
    "$500M-$1B",
    "$1B+",
];
const PLACEHOLDERS: &[&str] = &["", "", "", "n/a", "-", "unknown"];

/// A 64-bit LCG (Knuth's MMIX constants): deterministic, dependency-free.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 53) as f64
    }
    /// Uniform in lo..=hi.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next() as usize % xs.len()]
    }
    fn weighted<'a>(&mut self, xs: &[(&'a str, u32)]) -> &'a str {
        let total: u32 = xs.iter().map(|x| x.1).sum();
        let mut r = (self.f() * f64::from(total)) as u32;
        for (v, w) in xs {
            if r < *w {
                return v;
            }
            r -= w;
        }
        xs[xs.len() - 1].0
    }
    fn sample(&mut self, pool: &[&str], n: usize, sep: &str) -> String {
        let mut idx: Vec<usize> = (0..pool.len()).collect();
        for i in 0..n {
            let j = i + self.next() as usize % (pool.len() - i);
            idx.swap(i, j);
        }
        idx[..n]
            .iter()
            .map(|&i| pool[i])
            .collect::<Vec<_>>()
            .join(sep)
    }
}

/// 1234567 -> "1,234,567".
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let head = match s.len() % 3 {
        0 => 3.min(s.len()),
        r => r,
    };
    let mut out = s[..head].to_string();
    for group in s.as_bytes()[head..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).unwrap());
    }
    out
}

fn date_cell(g: &mut Lcg, as_of: chrono::NaiveDate, max_age: i64) -> String {
    let d = as_of - chrono::Duration::days(g.int(0, max_age));
    let x = g.f();
    if x < 0.6 {
        d.format("%Y-%m-%d").to_string()
    } else if x < 0.85 {
        format!(
            "{} {:02}:{:02}",
            d.format("%Y-%m-%d"),
            g.int(0, 23),
            g.int(0, 59)
        )
    } else {
        d.format("%m/%d/%Y").to_string()
    }
}

/// One row in the shape and value styles of bench/gen_accounts.py.
fn row(g: &mut Lcg, i: usize, as_of: chrono::NaiveDate) -> Vec<String> {
    let n_syl = g.int(2, 3);
    let mut name: String = (0..n_syl).map(|_| g.pick(SYLLABLES)).collect();
    name[..1].make_ascii_uppercase();
    let full = format!("{name} {}", g.pick(SUFFIXES)).trim().to_string();
    let domain = if g.f() < 0.1 {
        String::new()
    } else {
        format!(
            "{}{}.{}",
            name.to_lowercase(),
            g.int(1, 999),
            g.pick(&["com", "io", "co.uk", "de"])
        )
    };
    let year = if g.f() < 0.15 {
        String::new()
    } else {
        g.int(1950, 2025).to_string()
    };
    let employees = {
        let x = g.f();
        let n = 10f64.powf(g.f() * 4.5) as u64 + 1;
        if x < 0.45 {
            n.to_string()
        } else if x < 0.65 {
            thousands(n)
        } else if x < 0.9 {
            g.pick(EMP_RANGES).to_string()
        } else {
            g.pick(PLACEHOLDERS).to_string()
        }
    };
    let revenue = {
        let x = g.f();
        let v = 10f64.powf(5.0 + g.f() * 4.5) as u64;
        if x < 0.35 {
            format!("${}", thousands(v))
        } else if x < 0.5 {
            if v >= 1_000_000 {
                format!("${:.0}M", v as f64 / 1e6)
            } else {
                format!("${:.0}k", v as f64 / 1e3)
            }
        } else if x < 0.65 {
            v.to_string()
        } else if x < 0.8 {
            g.pick(REV_BANDS).to_string()
        } else {
            g.pick(PLACEHOLDERS).to_string()
        }
    };
    let tech = if g.f() < 0.2 {
        String::new()
    } else {
        let n = g.int(1, 6) as usize;
        let sep = g.pick(&["; ", "; ", ", ", " | "]);
        g.sample(TECH, n, sep)
    };
    let topics = if g.f() < 0.5 {
        String::new()
    } else {
        let n = g.int(1, 3) as usize;
        g.sample(TOPICS, n, "; ")
    };
    let surge = if g.f() < 0.4 {
        String::new()
    } else {
        format!("{:.2}", g.f() * 3.0)
    };
    let visits = if g.f() < 0.3 {
        g.pick(PLACEHOLDERS).to_string()
    } else {
        ((-(1.0 - g.f()).ln() / 0.5) as u64).min(40).to_string()
    };
    vec![
        (1_000_000 + i).to_string(),
        full,
        domain,
        g.weighted(INDUSTRIES).to_string(),
        employees,
        revenue,
        g.weighted(COUNTRIES).to_string(),
        year,
        g.pick(DESCRIPTIONS).to_string(),
        tech,
        g.weighted(MODELS).to_string(),
        g.weighted(STAGES).to_string(),
        g.weighted(TITLES).to_string(),
        g.weighted(FUNDING).to_string(),
        if g.f() < 0.55 {
            String::new()
        } else {
            date_cell(g, as_of, 730)
        },
        date_cell(g, as_of, 1500),
        visits,
        surge,
        if g.f() < 0.4 {
            String::new()
        } else {
            date_cell(g, as_of, 120)
        },
        topics,
    ]
}

struct Fixture {
    profile: Profile,
    builder: RecordBuilder,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    records: Vec<Vec<Value>>,
    /// The same rows with texts and lists kept (no answers).
    valued: Vec<Vec<Value>>,
}

fn fixture() -> Fixture {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/profile-20.toml");
    let src = std::fs::read_to_string(path).expect("read bench/profile-20.toml");
    let as_of = chrono::NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).unwrap();
    let loaded = icp_core::load(&src, icp_core::day_number(as_of));
    let profile = loaded.profile.expect("bench/profile-20.toml compiles");
    assert_eq!(
        profile.traits.len(),
        20,
        "the benchmark profile has 20 traits"
    );
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    let builder = RecordBuilder::new(&profile, &headers);
    assert!(
        builder.absent_fields().is_empty(),
        "columns missing for {:?}",
        builder.absent_fields()
    );
    let mut g = Lcg(42);
    let rows: Vec<Vec<String>> = (0..ROWS).map(|i| row(&mut g, i, as_of)).collect();
    let build_all = |b: &RecordBuilder| -> Vec<Vec<Value>> {
        rows.iter()
            .map(|r| {
                let mut rec = Vec::new();
                b.build(r, &mut rec);
                rec
            })
            .collect()
    };
    let records = build_all(&builder);
    let valued = build_all(&RecordBuilder::new(&profile, &headers).keep_values());
    Fixture {
        profile,
        builder,
        headers,
        rows,
        records,
        valued,
    }
}

fn benches(c: &mut Criterion) {
    let fx = fixture();
    // Sanity: the profile must do real work on this data.
    let mut s = Scored::default();
    let (mut fired, mut excluded) = (0usize, 0usize);
    for (r, v) in fx.records.iter().zip(&fx.valued) {
        fx.profile.score_into(r, &mut s);
        fired += s.fired.len();
        excluded += usize::from(s.excluded_by.is_some());
        assert_eq!(s, fx.profile.score(v), "answers and values score alike");
    }
    eprintln!(
        "fixture: {ROWS} rows, {} slots, {:.2} traits fired per row, {:.1}% excluded",
        fx.profile.fields.len(),
        fired as f64 / ROWS as f64,
        100.0 * excluded as f64 / ROWS as f64
    );

    let mut g = c.benchmark_group("scoring");
    g.throughput(Throughput::Elements(ROWS as u64));
    // One iteration walks all rows (tens of ms to ~1 s): flat sampling.
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    g.bench_function("score_into", |b| {
        let mut s = Scored::default();
        b.iter(|| {
            let mut sum = 0i64;
            for r in &fx.records {
                fx.profile.score_into(black_box(r), &mut s);
                sum += i64::from(s.score);
            }
            black_box(sum)
        })
    });
    g.bench_function("score_into_values", |b| {
        let mut s = Scored::default();
        b.iter(|| {
            let mut sum = 0i64;
            for r in &fx.valued {
                fx.profile.score_into(black_box(r), &mut s);
                sum += i64::from(s.score);
            }
            black_box(sum)
        })
    });
    // The same work on a cache-resident working set (the first 1,000
    // records, 100 times): `icp score` scores each record right after
    // building it, so its records are in cache; the 100,000 records above
    // (about 100 MB of small heap objects) are not.
    g.bench_function("score_into_cached", |b| {
        let mut s = Scored::default();
        let hot = &fx.records[..1_000];
        b.iter(|| {
            let mut sum = 0i64;
            for _ in 0..ROWS / hot.len() {
                for r in hot {
                    fx.profile.score_into(black_box(r), &mut s);
                    sum += i64::from(s.score);
                }
            }
            black_box(sum)
        })
    });
    g.bench_function("build", |b| {
        let mut rec = Vec::new();
        b.iter(|| {
            for r in &fx.rows {
                fx.builder.build(black_box(r), &mut rec);
                black_box(&rec);
            }
        })
    });
    g.bench_function("build_score_reasons", |b| {
        let (mut rec, mut s, mut reasons) = (Vec::new(), Scored::default(), String::new());
        b.iter(|| {
            for r in &fx.rows {
                fx.builder.build(black_box(r), &mut rec);
                fx.profile.score_into(&rec, &mut s);
                fx.profile.write_reasons(&s, &mut reasons);
                black_box(&reasons);
            }
        })
    });
    g.finish();

    // Where the build time goes: each column the profile reads, parsed alone.
    let mut g = c.benchmark_group("parse_field");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let snake: Vec<String> = fx.headers.iter().map(|h| snake_case(h)).collect();
    for f in &fx.profile.fields {
        let col = snake
            .iter()
            .position(|h| *h == f.name)
            .or_else(|| {
                fx.headers
                    .iter()
                    .position(|h| canonical_for_header(h) == Some(f.name.as_str()))
            })
            .or_else(|| {
                (f.name == "company_age")
                    .then(|| fx.headers.iter().position(|h| h == "Year Founded"))
                    .flatten()
            });
        let Some(col) = col else { continue };
        let (name, kind) = if f.name == "company_age" {
            ("founded_year", f.kind)
        } else {
            (f.name.as_str(), f.kind)
        };
        g.bench_with_input(BenchmarkId::from_parameter(&f.name), &col, |b, &col| {
            b.iter(|| {
                for r in &fx.rows {
                    black_box(parse_field(name, kind, black_box(&r[col])));
                }
            })
        });
    }
    g.finish();

    // Where the scoring time goes: each filter and trait condition alone,
    // evaluated over all records.
    let mut g = c.benchmark_group("cond_eval");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let conds: Vec<(String, &icp_core::Cond)> = (fx.profile.filters.iter().enumerate())
        .map(|(i, f)| (format!("filter{i:02}"), &f.cond))
        .chain(
            fx.profile
                .traits
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("trait{i:02}"), &t.cond)),
        )
        .collect();
    for (id, cond) in conds {
        g.bench_function(id, |b| {
            b.iter(|| {
                let mut n = 0u32;
                for r in &fx.records {
                    n += cond.eval(black_box(r)) as u32;
                }
                black_box(n)
            })
        });
    }
    g.finish();
}

criterion_group!(scoring, benches);
criterion_main!(scoring);
