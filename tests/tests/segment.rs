//! `icp segment` end to end: planted groups in a generated CRM export are
//! recovered, described and ranked by their outcome; output, JSON and
//! errors.

use std::collections::HashMap;
use std::path::Path;

use icp_tests::{cell, icp, read_csv};

/// A small deterministic generator (xorshift64*), so the test needs no
/// crate and the file is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() * items.len() as f64) as usize % items.len()]
    }
}

/// Three planted groups that differ in industry, size and stack (with
/// noise: a wrong industry now and then, blanks, a random country and
/// founding year), and win at different rates. Returns each row's group.
fn planted_export(path: &Path, per_group: usize) -> Vec<usize> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut csv = String::from(
        "Record ID,Company name,Company Domain Name,Industry,Number of Employees,Annual Revenue,Country/Region,Year Founded,Technologies,Deal Stage\n",
    );
    let mut truth = Vec::new();
    for i in 0..per_group * 3 {
        let g = i % 3;
        let (industries, employees, stack, win): (&[&str], f64, &[&str], f64) = match g {
            0 => (
                &["Computer Software", "COMPUTER_SOFTWARE", "Internet"],
                40.0,
                &["HubSpot", "Stripe", "Slack"],
                0.75,
            ),
            1 => (
                &["Financial Services", "Banking"],
                900.0,
                &["Salesforce", "Snowflake", "Microsoft 365"],
                0.30,
            ),
            _ => (
                &["Restaurants", "Retail"],
                6.0,
                &["WordPress", "Mailchimp"],
                0.15,
            ),
        };
        let mut industry = rng.pick(industries);
        if rng.next() < 0.05 {
            industry = "Insurance";
        }
        let emp = (employees * (0.5 + rng.next())).round().max(1.0);
        let revenue = if rng.next() < 0.1 {
            String::new()
        } else {
            format!("\"${:.0}\"", emp * 120_000.0 * (0.6 + 0.8 * rng.next()))
        };
        let tech: Vec<&str> = stack
            .iter()
            .copied()
            .filter(|_| rng.next() < 0.85)
            .collect();
        let country = rng.pick(&["United States", "Germany", "United Kingdom", "Canada"]);
        let founded = 1990 + (rng.next() * 34.0) as u32;
        let stage = if rng.next() < win {
            "Closed Won"
        } else {
            "Closed Lost"
        };
        csv.push_str(&format!(
            "{},Company {i},company{i}.com,{industry},{emp},{revenue},{country},{founded},{},{stage}\n",
            9000 + i,
            tech.join("; ")
        ));
        truth.push(g);
    }
    std::fs::write(path, csv).unwrap();
    truth
}

/// Purity both ways: the share of rows in their segment's majority group,
/// and in their group's majority segment (so splitting a group is caught
/// as well as merging two).
fn purity(labels: &[String], truth: &[usize]) -> (f64, f64) {
    let mut pairs: HashMap<(&str, usize), usize> = HashMap::new();
    for (l, &t) in labels.iter().zip(truth) {
        *pairs.entry((l.as_str(), t)).or_default() += 1;
    }
    let mut by_seg: HashMap<&str, usize> = HashMap::new();
    let mut by_group: HashMap<usize, usize> = HashMap::new();
    for (&(l, t), &n) in &pairs {
        let a = by_seg.entry(l).or_default();
        *a = (*a).max(n);
        let b = by_group.entry(t).or_default();
        *b = (*b).max(n);
    }
    let n = labels.len() as f64;
    (
        by_seg.values().sum::<usize>() as f64 / n,
        by_group.values().sum::<usize>() as f64 / n,
    )
}

#[test]
fn planted_groups_are_recovered_and_ranked() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("accounts.csv");
    let truth = planted_export(&input, 150);
    let out = dir.path().join("segmented.csv");
    let json = dir.path().join("segments.json");
    let o = icp([
        "segment".as_ref(),
        input.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
        json.as_os_str(),
        "--outcome".as_ref(),
        "Deal Stage".as_ref(),
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("in 3 segments"), "{}", o.stdout);
    assert!(o.stdout.contains("highest mean silhouette"), "{}", o.stdout);

    // Every input column plus `segment`, rows in input order.
    let (headers, rows) = read_csv(&out);
    assert_eq!(headers.len(), 11);
    assert_eq!(headers.last().unwrap(), "segment");
    assert_eq!(rows.len(), 450);
    assert_eq!(cell(&headers, &rows[7], "Record ID"), "9007");
    let labels: Vec<String> = rows
        .iter()
        .map(|r| cell(&headers, r, "segment").to_string())
        .collect();
    let (purity, inverse) = purity(&labels, &truth);
    assert!(purity >= 0.9 && inverse >= 0.9, "{purity} {inverse}");

    // The report: the software group wins most, ranked first, a beachhead.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["k"], 3);
    assert_eq!(report["k_choice"]["criterion"], "silhouette");
    let segments = report["segments"].as_array().unwrap();
    let top = &segments[0];
    assert_eq!(top["rank"], 1);
    assert_eq!(top["industry"]["value"], "Software");
    assert_eq!(top["employees"]["band"], "small");
    assert_eq!(top["beachhead"], true);
    assert!(top["outcome"]["rate"].as_f64().unwrap() > 0.6);
    assert!(segments[1..].iter().all(|s| s["beachhead"] == false));
    let last = &segments[2];
    assert_eq!(last["employees"]["band"], "micro");
    // The outcome and the ids are not clustered on.
    let used: Vec<&str> = report["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["column"].as_str().unwrap())
        .collect();
    assert!(!used.contains(&"Deal Stage") && !used.contains(&"Record ID"));
    assert!(used.contains(&"Industry") && used.contains(&"Number of Employees"));
    assert!(o.stdout.contains("beachheads: segment"), "{}", o.stdout);
}

#[test]
fn same_seed_same_segments() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("accounts.csv");
    planted_export(&input, 40);
    let run = |name: &str, seed: &str| {
        let out = dir.path().join(name);
        let o = icp([
            "segment".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            "--k".as_ref(),
            "4".as_ref(),
            "--seed".as_ref(),
            seed.as_ref(),
            "-q".as_ref(),
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        (std::fs::read_to_string(out).unwrap(), o.stdout)
    };
    let a = run("a.csv", "7");
    let b = run("b.jsonl", "7");
    let c = run("c.csv", "7");
    assert_eq!(a, (c.0, c.1.replace("c.csv", "a.csv")));
    // JSONL output: the segment is a number.
    let first = b.0.lines().next().unwrap();
    let v: serde_json::Value = serde_json::from_str(first).unwrap();
    assert!(v["segment"].is_u64(), "{first}");
    assert_eq!(v["Record ID"], "9000");
}

#[test]
fn bad_input_is_explained_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    // More segments than rows.
    let two = write(
        "two.csv",
        "Industry,Number of Employees\nRetail,5\nBanking,900\n",
    );
    let o = icp([
        "segment".as_ref(),
        two.as_os_str(),
        "--k".as_ref(),
        "5".as_ref(),
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("--k 5") && o.stderr.contains("2 rows"),
        "{}",
        o.stderr
    );

    // Only ids and names: nothing to cluster on, and why.
    let ids = write("ids.csv", "Record ID,Company name\n1,A\n2,B\n3,C\n");
    let o = icp(["segment".as_ref(), ids.as_os_str()]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("Record ID: identifier"), "{}", o.stderr);
    assert!(o.stderr.contains("--fields"), "{}", o.stderr);

    // A single row, blank columns and unicode, named with --fields.
    let one = write("one.csv", "Industrie,Größe,Leer\nMaschinenbau – Süd,120,\n");
    let out = dir.path().join("one-out.csv");
    let o = icp([
        "segment".as_ref(),
        one.as_os_str(),
        "--fields".as_ref(),
        "Industrie,Größe,Leer".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("in 1 segments"), "{}", o.stdout);
    let (headers, rows) = read_csv(&out);
    assert_eq!(cell(&headers, &rows[0], "segment"), "1");
    assert_eq!(cell(&headers, &rows[0], "Industrie"), "Maschinenbau – Süd");

    // An unknown --fields column lists the real ones.
    let o = icp([
        "segment".as_ref(),
        one.as_os_str(),
        "--fields".as_ref(),
        "Size".as_ref(),
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("Industrie, Größe, Leer"), "{}", o.stderr);

    // An unknown outcome column.
    let o = icp([
        "segment".as_ref(),
        two.as_os_str(),
        "--outcome".as_ref(),
        "Won".as_ref(),
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no column `Won`"), "{}", o.stderr);

    // A missing file, and an output that is the input.
    let o = icp(["segment", "does-not-exist.csv"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = icp([
        "segment".as_ref(),
        two.as_os_str(),
        "-o".as_ref(),
        two.as_os_str(),
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("is the input"), "{}", o.stderr);
}

#[test]
fn the_example_customers_segment() {
    let o = icp([
        "segment",
        "examples/customers.csv",
        "--outcome",
        "Retained",
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("96 rows of examples/customers.csv"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("beachheads: segment"), "{}", o.stdout);
}
