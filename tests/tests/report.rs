//! `icp report`: the HTML page of the shipped examples, opened in headless
//! Chromium (Debian's `chromium` package; `.ci/run` installs it). Each page
//! is screenshotted (a real, non-blank PNG), its charts are measured after
//! layout (every chart has a size and drawn bars), Chromium logs no console
//! message (the page has no script, and its Content-Security-Policy turns
//! any fetch into a console error), and printing gives one page per
//! section. Without Chromium these tests print `SKIPPED: <why>` and pass,
//! except under CI=true, where they fail.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use icp_tests::{icp, repo};

/// The charts every account report has.
const ACCOUNT_CHARTS: [&str; 5] = [
    "chart-tiers",
    "chart-scores",
    "chart-funnel",
    "chart-coverage",
    "chart-exclusions",
];

/// Debian's binary first, then the usual names on PATH.
fn find_chromium() -> Option<PathBuf> {
    let fixed = Path::new("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Chromium, or `None` after printing `SKIPPED:` (straight to stderr, past
/// the test harness's capture, so `.ci/run` sees it). Under CI=true a
/// missing Chromium fails the test.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = find_chromium() {
        return Some(p);
    }
    let why = "Chromium is not installed (apt-get install chromium; .ci/run does it)";
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why}: under CI=true the report tests must run"
    );
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
    None
}

struct Browser {
    bin: PathBuf,
}

/// What one Chromium run left.
struct Run {
    stdout: String,
    stderr: String,
}

impl Browser {
    /// Run headless Chromium with a fresh profile on `page`, killed after a
    /// minute.
    fn run(&self, work: &Path, page: &Path, args: &[String]) -> Run {
        let profile = tempfile::tempdir_in(work).unwrap();
        let mut cmd = Command::new(&self.bin);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let child = cmd.spawn().expect("chromium starts");
        let pid = child.id();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        let out = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(out) => out.expect("chromium runs"),
            Err(_) => {
                // The one process this test started, by its id.
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                panic!(
                    "chromium did not finish within a minute on {}",
                    page.display()
                );
            }
        };
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Lines of Chromium's log that come from the page: console messages
/// (including Content-Security-Policy violations) and uncaught errors.
fn page_messages(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "not a PNG"
    );
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Measures every chart after layout and appends the result to the page as
/// `<pre id="icp-check">`: `id width height bars` per chart, where bars
/// counts `rect.bar` elements with a non-zero box; then `scripts N` and
/// `images N` for the page itself (before this script).
const MEASURE: &str = r#"<script>(function () {
  var lines = [];
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var box = svg.getBoundingClientRect();
    var bars = 0;
    svg.querySelectorAll('rect.bar').forEach(function (r) {
      var b = r.getBBox(), c = r.getBoundingClientRect();
      if (b.width > 0 && b.height > 0 && c.width > 0 && c.height > 0) { bars++; }
    });
    lines.push(svg.id + ' ' + Math.round(box.width) + ' ' + Math.round(box.height) + ' ' + bars);
  });
  lines.push('scripts ' + (document.scripts.length - 1));
  lines.push('images ' + document.images.length);
  var pre = document.createElement('pre');
  pre.id = 'icp-check';
  pre.textContent = lines.join('\n');
  document.body.appendChild(pre);
})();</script>"#;

/// The page with [`MEASURE`] added and inline scripts allowed (only in this
/// copy: the report itself allows none).
fn instrumented(html: &str) -> String {
    let csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
    assert!(html.contains(csp), "the report forbids every fetch");
    html.replace(csp, &format!("{csp}; script-src 'unsafe-inline'"))
        .replace("</body>", &format!("{MEASURE}</body>"))
}

/// (chart id, width, height, bars) and the page's script and image counts.
struct Measured {
    charts: Vec<(String, u32, u32, u32)>,
    scripts: u32,
    images: u32,
}

fn measure(browser: &Browser, work: &Path, html: &str, name: &str) -> Measured {
    let page = work.join(format!("{name}.measure.html"));
    std::fs::write(&page, instrumented(html)).unwrap();
    let run = browser.run(work, &page, &["--dump-dom".into()]);
    let start = run
        .stdout
        .find("<pre id=\"icp-check\">")
        .unwrap_or_else(|| panic!("the measuring script did not run:\n{}", run.stderr));
    let body = &run.stdout[start + 20..];
    let body = &body[..body.find("</pre>").unwrap()];
    let mut m = Measured {
        charts: Vec::new(),
        scripts: u32::MAX,
        images: u32::MAX,
    };
    for line in body.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["scripts", n] => m.scripts = n.parse().unwrap(),
            ["images", n] => m.images = n.parse().unwrap(),
            [id, w, h, bars] => m.charts.push((
                id.to_string(),
                w.parse().unwrap(),
                h.parse().unwrap(),
                bars.parse().unwrap(),
            )),
            _ => panic!("unexpected line {line:?}"),
        }
    }
    m
}

/// Screenshot the report as it is (no changes): a 1280x2000 PNG, and no
/// message from the page in Chromium's log. Returns the PNG's size in
/// bytes.
fn screenshot(browser: &Browser, work: &Path, page: &Path, name: &str) -> usize {
    let png = work.join(format!("{name}.png"));
    let run = browser.run(
        work,
        page,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".into(),
        ],
    );
    let messages = page_messages(&run.stderr);
    assert!(
        messages.is_empty(),
        "{name}: the page logged console messages:\n{}",
        messages.join("\n")
    );
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|e| panic!("{name}: no screenshot ({e}):\n{}", run.stderr));
    assert_eq!(png_size(&bytes), (1280, 2000), "{name}");
    bytes.len()
}

/// A blank page's screenshot size: what "nothing drawn" compresses to.
fn blank_size(browser: &Browser, work: &Path) -> usize {
    let page = work.join("blank.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><title>blank</title></head><body></body></html>",
    )
    .unwrap();
    screenshot(browser, work, &page, "blank")
}

fn icp_ok(args: &[&str]) -> icp_tests::Output {
    let r = icp(args);
    assert_eq!(r.code, 0, "icp {args:?}\n{}\n{}", r.stdout, r.stderr);
    r
}

fn check_charts(m: &Measured, expected: &[&str]) {
    for id in expected {
        let (_, w, h, bars) = m
            .charts
            .iter()
            .find(|c| c.0 == *id)
            .unwrap_or_else(|| panic!("no {id} among {:?}", m.charts));
        assert!(*w > 300 && *h > 30, "{id} is {w}x{h}");
        assert!(*bars > 0, "{id} drew no bar: {:?}", m.charts);
    }
    assert_eq!(m.scripts, 0, "the report has no script of its own");
    assert_eq!(m.images, 0);
}

#[test]
fn account_report_renders_every_chart_in_chromium_and_prints_a_page_per_section() {
    let Some(bin) = chromium() else { return };
    let browser = Browser { bin };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let out = work.join("accounts.html");
    let seg = work.join("segments.json");
    let coh = work.join("cohorts.json");
    let learn = work.join("learn.json");
    let customers = repo().join("examples/customers.csv");
    let customers = customers.to_str().unwrap();
    icp_ok(&[
        "segment",
        customers,
        "--outcome",
        "Retained",
        "--k",
        "3",
        "--json",
        seg.to_str().unwrap(),
        "-q",
    ]);
    icp_ok(&[
        "cohorts",
        customers,
        "--as-of",
        "2026-11-20",
        "--json",
        coh.to_str().unwrap(),
    ]);
    icp_ok(&[
        "learn",
        customers,
        "--outcome",
        "Retained",
        "--out",
        work.join("learned.toml").to_str().unwrap(),
        "--json",
        learn.to_str().unwrap(),
        "--quiet",
    ]);
    let r = icp_ok(&[
        "report",
        "examples/accounts.csv",
        "--profile",
        "config/profiles/genai-enterprise.toml",
        "--as-of",
        "2026-11-20",
        "--segments",
        seg.to_str().unwrap(),
        "--cohorts",
        coh.to_str().unwrap(),
        "--learn",
        learn.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        r.stdout
            .contains("genai-enterprise report of 21 accounts as of 2026-11-20"),
        "{}",
        r.stdout
    );
    let html = std::fs::read_to_string(&out).unwrap();
    for banned in [
        "<script",
        "<link",
        "<img",
        "src=\"http",
        "href=\"http",
        "@import",
    ] {
        assert!(!html.contains(banned), "{banned} in the report");
    }
    // CSS can fetch too (and Chromium logs no console message for a
    // blocked CSS image): every url() is a reference inside the page.
    for (i, _) in html.match_indices("url(") {
        assert!(
            html[i + 4..].starts_with('#'),
            "a url() that is not a #reference: {}",
            &html[i..(i + 60).min(html.len())]
        );
    }
    assert!(!html.contains("@font-face"));
    // What the page says, from the example data.
    assert!(html.contains("<title>ICP report: genai-enterprise</title>"));
    assert!(html.contains("northwindcapital.com"));
    assert!(html.contains("Manual workflows (+5)"));
    assert!(html.contains("<b>Funded: Series B or later</b> (+1): evaluable for 0%; a source should provide <code>funding_stage</code>"));
    assert!(
        html.contains("$300k per year"),
        "tier 1 at the profile's ACV: 5 x $60,000"
    );
    for id in ["learn", "segments", "cohorts"] {
        assert!(
            html.contains(&format!("<section class=\"major\" id=\"{id}\"")),
            "{id}"
        );
    }

    let m = measure(&browser, work, &html, "accounts");
    let mut expected = ACCOUNT_CHARTS.to_vec();
    expected.extend(["chart-segments", "chart-cohorts"]);
    check_charts(&m, &expected);
    assert_eq!(m.charts.len(), expected.len(), "{:?}", m.charts);

    let shot = screenshot(&browser, work, &out, "accounts");
    let blank = blank_size(&browser, work);
    assert!(
        shot > 20_000 && shot > 4 * blank,
        "the screenshot ({shot} bytes) looks blank (a blank page is {blank} bytes)"
    );

    // Printing: each section starts a page.
    let pdf = work.join("accounts.pdf");
    let run = browser.run(
        work,
        &out,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".into(),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}):\n{}", run.stderr));
    assert!(bytes.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text
        .match_indices("/Count ")
        .filter_map(|(i, _)| {
            text[i + 7..]
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse::<u32>().ok())
        })
        .max()
        .unwrap_or(0);
    let sections = html.matches("<section class=\"major\"").count() as u32;
    assert_eq!(sections, 9);
    assert!(
        pages > sections,
        "{pages} printed pages for {sections} sections"
    );
}

#[test]
fn member_report_shows_community_health_in_chromium() {
    let Some(bin) = chromium() else { return };
    let browser = Browser { bin };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let out = work.join("members.html");
    let r = icp_ok(&[
        "report",
        "examples/members.csv",
        "-p",
        "config/profiles/genai-community.toml",
        "--as-of",
        "2026-11-20",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        r.stdout.contains("genai-community report of 8 members"),
        "{}",
        r.stdout
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<title>ICMP report: genai-community</title>"));
    assert!(html.contains("<section class=\"major\" id=\"community\""));
    // 4 of 8 members are tier 1-2.
    assert!(
        html.contains("<b>50%</b><span>ICMP fit (tier 1-2): 4</span>"),
        "{html}"
    );
    let m = measure(&browser, work, &html, "members");
    let mut expected = ACCOUNT_CHARTS.to_vec();
    expected.extend(["chart-engagement", "chart-retention", "chart-growth"]);
    check_charts(&m, &expected);
    let shot = screenshot(&browser, work, &out, "members");
    assert!(shot > 20_000, "{shot} bytes");
}

#[test]
fn hostile_account_names_stay_text() {
    let Some(bin) = chromium() else { return };
    let browser = Browser { bin };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let input = work.join("hostile.csv");
    std::fs::write(
        &input,
        "Company name,Company Domain Name,Industry,Number of Employees,Workflow Automation\n\
         \"<script>alert('pwned')</script>\",evil.com,Banking,500,manual\n\
         \"<img src=x onerror=alert(1)>\",evil2.com,Banking,500,manual\n\
         \"</td></tr></table><svg onload=alert(2)>\",evil3.com,Software,300,spreadsheets\n",
    )
    .unwrap();
    let out = work.join("hostile.html");
    icp_ok(&[
        "report",
        input.to_str().unwrap(),
        "-p",
        "config/profiles/genai-enterprise.toml",
        "--as-of",
        "2026-11-20",
        "-o",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<svg onload"));
    assert!(html.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));
    let m = measure(&browser, work, &html, "hostile");
    assert_eq!(
        (m.scripts, m.images),
        (0, 0),
        "markup from the data became elements"
    );
    // The page itself: nothing ran, nothing was fetched.
    screenshot(&browser, work, &out, "hostile");
}

#[test]
fn a_run_is_reported_from_its_output_file_then_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let store = work.join("store.db");
    let enriched = work.join("enriched.csv");
    icp_ok(&[
        "enrich",
        "examples/accounts.csv",
        "--config",
        "config/icp.toml",
        "--as-of",
        "2026-11-20",
        "--out",
        enriched.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "-q",
    ]);
    let out = work.join("run.html");
    let args = |out: &Path| {
        vec![
            "report".to_string(),
            "1".into(),
            "--store".into(),
            store.to_str().unwrap().into(),
            "-p".into(),
            "config/profiles/genai-enterprise.toml".into(),
            "-o".into(),
            out.to_str().unwrap().into(),
        ]
    };
    let r = icp_ok(&args(&out).iter().map(String::as_str).collect::<Vec<_>>());
    // The enrich summary's counts: 20 accounts, tiers 7/2/3/8.
    assert!(
        r.stdout.contains(
            "report of 20 accounts as of 2026-11-20 (tier 1 7, tier 2 2, tier 3 3, excluded 8)"
        ),
        "{}",
        r.stdout
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Fields come from run 1&#39;s output file"));
    assert!(html.contains("id=\"chart-coverage\""));
    assert!(html.contains("<dt>Run</dt><dd>1 · enrich examples/accounts.csv · done"));

    // Without the output file: the store's scores, and a note on what is missing.
    std::fs::remove_file(&enriched).unwrap();
    let out2 = work.join("run-store.html");
    let r = icp_ok(&args(&out2).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        r.stdout
            .contains("(tier 1 7, tier 2 2, tier 3 3, excluded 8)"),
        "{}",
        r.stdout
    );
    let html = std::fs::read_to_string(&out2).unwrap();
    assert!(html.contains("drawn from the scores the store keeps"));
    assert!(html.contains("is not there any more"));
    assert!(html.contains("<dt>Input</dt><dd>the run's stored scores</dd>"));
    assert!(html.contains("Traits fired"));
    assert!(!html.contains("Data gaps."));
    // Excluded by filter, from the run's summary.
    assert!(
        html.contains("<tr><td>100+ employees</td><td class=\"n\">8</td>"),
        "{html}"
    );

    let r = icp([
        "report",
        "1",
        "--store",
        store.to_str().unwrap(),
        "-p",
        "config/profiles/genai-community.toml",
        "-o",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "run 1 has no scores for profile `genai-community`; it scored `genai-enterprise`"
        ),
        "{}",
        r.stderr
    );
    let r = icp([
        "report",
        "9",
        "--store",
        store.to_str().unwrap(),
        "-p",
        "config/profiles/genai-enterprise.toml",
        "-o",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no run with id 9"), "{}", r.stderr);
}

#[test]
fn bad_input_is_a_usage_error_and_an_empty_file_an_empty_report() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let out = work.join("r.html");
    let out_s = out.to_str().unwrap();
    let profile = "config/profiles/genai-enterprise.toml";

    let r = icp([
        "report",
        "examples/accounts.csv",
        "-p",
        profile,
        "-o",
        "report.pdf",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--out must end in .html"), "{}", r.stderr);

    let r = icp(["report", "nope.csv", "-p", profile, "-o", out_s]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("nope.csv is neither a file nor a run id"),
        "{}",
        r.stderr
    );

    let bad = work.join("learn.json");
    std::fs::write(&bad, "{\"not\": \"a learn report\"}").unwrap();
    let r = icp([
        "report",
        "examples/accounts.csv",
        "-p",
        profile,
        "-o",
        out_s,
        "--learn",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("this is not the JSON `icp learn --json` writes"),
        "{}",
        r.stderr
    );
    assert!(!out.exists(), "nothing is written on an error");

    let r = icp([
        "report",
        "examples/accounts.csv",
        "-p",
        profile,
        "-o",
        out_s,
        "--acv",
        "gold=5",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--acv:"), "{}", r.stderr);

    // Only a header: a report of nothing, not a crash.
    let empty = work.join("empty.csv");
    std::fs::write(
        &empty,
        "Company name,Company Domain Name,Number of Employees\n",
    )
    .unwrap();
    let r = icp_ok(&[
        "report",
        empty.to_str().unwrap(),
        "-p",
        profile,
        "-o",
        out_s,
    ]);
    assert!(r.stdout.contains("report of 0 accounts"), "{}", r.stdout);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("no accounts passed the filters"));
    assert!(!html.contains("NaN"));
}
