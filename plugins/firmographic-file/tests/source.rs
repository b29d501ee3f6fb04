//! Behaviour of the firmographic-file source over CSV, JSONL and XLSX
//! company files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use icp_plugin_sdk::{Account, Category, FieldType, Outcome, Source, SourceError};
use icp_source_firmographic_file::{FirmographicFile, SKIPPED_CAP, SkippedRow};
use serde_json::{Value, json};

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

fn open(dir: &Path, settings: Value) -> FirmographicFile {
    FirmographicFile::open(&settings, dir).unwrap_or_else(|e| panic!("open: {e}"))
}

fn open_err(dir: &Path, settings: Value) -> String {
    match FirmographicFile::open(&settings, dir) {
        Ok(f) => panic!("expected an error, got {f:?}"),
        Err(SourceError::Settings(m)) => m,
        Err(e) => panic!("expected a settings error, got {e:?}"),
    }
}

async fn enrich(src: &FirmographicFile, keys: &[&str]) -> BTreeMap<String, Outcome> {
    let accounts: Vec<Account> = keys
        .iter()
        .map(|k| Account {
            key: k.to_string(),
            fields: BTreeMap::new(),
        })
        .collect();
    let out = src.enrich(&accounts).await.unwrap();
    assert_eq!(out.len(), {
        let mut k = keys.to_vec();
        k.sort_unstable();
        k.dedup();
        k.len()
    });
    out
}

fn found(out: &BTreeMap<String, Outcome>, key: &str) -> Value {
    match out.get(key) {
        Some(Outcome::Found { fields }) => serde_json::to_value(fields).unwrap(),
        other => panic!("{key}: expected Found, got {other:?}"),
    }
}

fn field_names(src: &FirmographicFile) -> Vec<&str> {
    src.manifest()
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect()
}

fn skipped(src: &FirmographicFile) -> Vec<u64> {
    src.load_report().skipped.iter().map(|s| s.line).collect()
}

#[tokio::test]
async fn hubspot_csv_with_bom_and_semicolons() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "data/companies.csv",
        "\u{feff}Record ID;Company name;Company Domain Name;Website URL;Number of Employees;Annual Revenue;Industry;Country/Region;City;State/Region;Year Founded;Partners;Lifecycle Stage\n\
         101;Acme GmbH;acme.de;;250;$1,200,000;COMPUTER_SOFTWARE;Germany;Berlin;Berlin;2012;\"SAP; Microsoft , AWS\";customer\n\
         102;Globex;;https://www.globex.co.uk/about;51-200;;Financial Services;UK;London;;;;lead\n",
    );
    // A relative path is relative to the config file's folder.
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    let src = open(
        &config_dir,
        json!({ "path": "../data/companies.csv", "delimiter": ";" }),
    );
    assert_eq!(src.path(), config_dir.join("../data/companies.csv"));

    let m = src.manifest();
    assert_eq!(m.name, "firmographic-file");
    assert_eq!(m.category, Category::Firmographic);
    assert_eq!(m.key, "domain");
    assert_eq!(m.max_batch, 100);
    assert!(m.limits.is_empty());
    assert_eq!(m.cost_per_call, 0.0);
    assert!(m.problems().is_empty(), "{:?}", m.problems());
    assert_eq!(
        field_names(&src),
        [
            "name",
            "industry",
            "employees",
            "revenue",
            "country",
            "region",
            "city",
            "founded_year",
            "partners"
        ]
    );
    let ty = |name: &str| m.fields.iter().find(|f| f.name == name).unwrap().ty;
    assert_eq!(ty("employees"), FieldType::Number);
    assert_eq!(ty("partners"), FieldType::List);
    assert_eq!(ty("country"), FieldType::Text);
    assert!(
        m.fields[2].about.contains("Number of Employees"),
        "{}",
        m.fields[2].about
    );

    let out = enrich(&src, &["acme.de", "globex.co.uk", "initech.com"]).await;
    assert_eq!(
        found(&out, "acme.de"),
        json!({
            "name": "Acme GmbH",
            "industry": "COMPUTER_SOFTWARE",
            "employees": 250,
            "revenue": "$1,200,000",
            "country": "Germany",
            "region": "Berlin",
            "city": "Berlin",
            "founded_year": 2012,
            "partners": ["SAP", "Microsoft", "AWS"],
        })
    );
    // Blank cells are absent, ranges stay text.
    assert_eq!(
        found(&out, "globex.co.uk"),
        json!({
            "name": "Globex",
            "industry": "Financial Services",
            "employees": "51-200",
            "country": "UK",
            "city": "London",
        })
    );
    assert_eq!(out["initech.com"], Outcome::NoData);

    let r = src.load_report();
    assert_eq!((r.rows_read, r.rows_keyed, r.rows_skipped), (2, 2, 0));
    assert_eq!(r.companies, 2);
    assert_eq!(src.len(), 2);
}

#[tokio::test]
async fn salesforce_headers_and_website_urls() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "accounts.tsv",
        "Account Name\tWebsite\tBilling Country\tBilling City\tBilling State/Province\tNumberOfEmployees\tAnnualRevenue\tTechnology\n\
         Initech\thttps://www.initech.com/about-us?ref=crm\tUnited States\tAustin\tTX\t1200\t45000000.50\tSalesforce, Slack\n\
         Umbrella\tHTTP://WWW.Umbrella.CO.JP/\tJapan\tTokyo\t\t3,000\t\t\n\
         Hooli\thooli.com/careers\tUS\t\t\t\t\t\n",
    );
    // An absolute path ignores the base folder; `tab` names the delimiter.
    let src = open(
        Path::new("/nonexistent"),
        json!({ "path": path, "delimiter": "tab" }),
    );
    assert_eq!(
        field_names(&src),
        [
            "name",
            "employees",
            "revenue",
            "country",
            "region",
            "city",
            "technologies"
        ]
    );
    let out = enrich(
        &src,
        &[
            "initech.com",
            "umbrella.co.jp",
            "hooli.com",
            "https://www.initech.com",
        ],
    )
    .await;
    let initech = found(&out, "initech.com");
    assert_eq!(
        initech,
        json!({
            "name": "Initech",
            "employees": 1200,
            "revenue": 45000000.5,
            "country": "United States",
            "region": "TX",
            "city": "Austin",
            "technologies": ["Salesforce", "Slack"],
        })
    );
    // A key that is not yet a registrable domain is normalised for lookup.
    assert_eq!(found(&out, "https://www.initech.com"), initech);
    assert_eq!(
        found(&out, "umbrella.co.jp"),
        json!({ "name": "Umbrella", "employees": "3,000", "country": "Japan", "city": "Tokyo" })
    );
    assert_eq!(
        found(&out, "hooli.com"),
        json!({ "name": "Hooli", "country": "US" })
    );
}

#[tokio::test]
async fn jsonl_with_explicit_columns_and_email_keys() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "list.jsonl",
        concat!(
            r#"{"contact_email":"Jane Doe <jane.doe@Acme.io>","Org":"Acme","Headcount":"51-200","Vertical":"SaaS","Tech":["React","Stripe"],"Funding":"Series B","Model":"B2B","Raised on":"2023-05-01","Owner":"private"}"#,
            "\n",
            r#"{"contact_email":"bob@gmail.com","Org":"Bob's","Headcount":3}"#,
            "\n",
            r#"{"contact_email":"ceo@initech.com","Org":"Initech","Headcount":42,"Tech":[],"Owner":null}"#,
            "\n",
            "not json\n",
        ),
    );
    let src = open(
        dir.path(),
        json!({
            "path": "list.jsonl",
            "columns": {
                "name": "Org",
                "employees": "Headcount",
                "industry": "Vertical",
                "funding_stage": "Funding",
                "business_model": "model",
                "last_funding_date": "Raised on",
                "ownership": "Owner",
            }
        }),
    );
    assert_eq!(
        field_names(&src),
        [
            "name",
            "industry",
            "employees",
            "business_model",
            "funding_stage",
            "last_funding_date",
            "ownership",
            "technologies"
        ]
    );
    let date = src
        .manifest()
        .fields
        .iter()
        .find(|f| f.name == "last_funding_date")
        .unwrap();
    assert_eq!(date.ty, FieldType::Date);

    let out = enrich(&src, &["acme.io", "initech.com", "gmail.com"]).await;
    assert_eq!(
        found(&out, "acme.io"),
        json!({
            "name": "Acme",
            "industry": "SaaS",
            "employees": "51-200",
            "business_model": "B2B",
            "funding_stage": "Series B",
            "last_funding_date": "2023-05-01",
            "ownership": "private",
            "technologies": ["React", "Stripe"],
        })
    );
    assert_eq!(
        found(&out, "initech.com"),
        json!({ "name": "Initech", "employees": 42 })
    );
    assert_eq!(out["gmail.com"], Outcome::NoData);

    let r = src.load_report();
    assert_eq!((r.rows_read, r.rows_keyed, r.rows_skipped), (4, 2, 2));
    assert_eq!(skipped(&src), [2, 4]);
    assert!(r.skipped[0].reason.contains("free-mail"), "{:?}", r.skipped);
}

#[tokio::test]
async fn xlsx_sheet_with_numbers() {
    use rust_xlsxwriter::Workbook;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.xlsx");
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet().set_name("Notes").unwrap();
    notes
        .write_string(0, 0, "Bought from a list vendor")
        .unwrap();
    let ws = wb.add_worksheet().set_name("Companies").unwrap();
    for (c, h) in [
        "Website",
        "Company",
        "Employees",
        "Revenue",
        "Founded",
        "Technologies",
        "Partners",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "www.acme.com").unwrap();
    ws.write_string(1, 1, "Acme").unwrap();
    ws.write_number(1, 2, 250.0).unwrap();
    ws.write_number(1, 3, 1_500_000.0).unwrap();
    ws.write_number(1, 4, 2015.0).unwrap();
    ws.write_string(1, 5, "aws; stripe").unwrap();
    ws.write_string(1, 6, " ; ").unwrap();
    ws.write_string(2, 0, "https://globex.io/").unwrap();
    ws.write_string(2, 2, "1k-5k").unwrap();
    ws.write_number(2, 3, 2.5).unwrap();
    // Row 4 has no key.
    ws.write_string(3, 1, "Nameless").unwrap();
    wb.save(&path).unwrap();

    // The first sheet is a note without a key column.
    let e = open_err(dir.path(), json!({ "path": "list.xlsx" }));
    assert!(
        e.contains("no key column") && e.contains("list.xlsx"),
        "{e}"
    );

    let src = open(
        dir.path(),
        json!({ "path": "list.xlsx", "sheet": "Companies" }),
    );
    assert_eq!(
        field_names(&src),
        [
            "name",
            "employees",
            "revenue",
            "founded_year",
            "partners",
            "technologies"
        ]
    );
    let out = enrich(&src, &["acme.com", "globex.io"]).await;
    assert_eq!(
        found(&out, "acme.com"),
        json!({
            "name": "Acme",
            "employees": 250,
            "revenue": 1500000,
            "founded_year": 2015,
            "technologies": ["aws", "stripe"],
        })
    );
    assert_eq!(
        found(&out, "globex.io"),
        json!({ "employees": "1k-5k", "revenue": 2.5 })
    );
    assert_eq!(skipped(&src), [4]);

    let e = open_err(dir.path(), json!({ "path": "list.xlsx", "sheet": "Nope" }));
    assert!(e.contains("Nope") && e.contains("Companies"), "{e}");
}

#[tokio::test]
async fn duplicate_rows_merge_first_wins() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "c.csv",
        "Domain,Name,Employees,Industry,City,Partners\n\
         acme.com,Acme,,Software,,\n\
         https://www.acme.com/contact,Acme Inc,500,Hardware,Boston,n/a\n\
         ACME.COM,,,,Cambridge,Globex; Initech\n\
         blank.com,,,,,\n",
    );
    let src = open(dir.path(), json!({ "path": "c.csv" }));
    let out = enrich(&src, &["acme.com", "blank.com"]).await;
    assert_eq!(
        found(&out, "acme.com"),
        json!({
            "name": "Acme",
            "employees": 500,
            "industry": "Software",
            "city": "Boston",
            "partners": ["Globex", "Initech"],
        })
    );
    // A known company without any value is "no data", not an empty find.
    assert_eq!(out["blank.com"], Outcome::NoData);
    let r = src.load_report();
    assert_eq!((r.rows_read, r.rows_keyed, r.duplicates), (4, 4, 2));
    assert_eq!(r.companies, 2);
    assert!(r.skipped.is_empty());
    assert_eq!(
        r.to_string(),
        "4 rows read: 2 companies (2 duplicate rows merged), 0 rows skipped"
    );
}

#[tokio::test]
async fn bad_rows_are_reported_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "c.csv",
        "Domain,Name,Employees\n\
         acme.com,Acme,10\n\
         ,Blank key,5\n\
         n/a,Placeholder,5\n\
         https://www.linkedin.com/company/foo,Profile,5\n\
         good.com,\"Good\nCorp\",7\n\
         localhost,Local,1\n\
         bad.com,Too,many,fields\n\
         ,,\n\
         gmail.com,Free mail,3\n",
    );
    let src = open(dir.path(), json!({ "path": "c.csv" }));
    let r = src.load_report();
    assert_eq!(skipped(&src), [3, 4, 5, 8, 9, 11]);
    let reasons: Vec<&str> = r.skipped.iter().map(|s| s.reason.as_str()).collect();
    for (reason, want) in reasons.iter().zip([
        "blank",
        "placeholder",
        "LinkedIn",
        "localhost",
        "4 fields but the header has 3",
        "free-mail",
    ]) {
        assert!(reason.contains(want), "{reason:?} lacks {want:?}");
    }
    assert_eq!((r.rows_read, r.rows_keyed, r.rows_skipped), (8, 2, 6));
    assert!(!r.skipped_truncated);
    assert!(
        r.to_string()
            .starts_with("8 rows read: 2 companies, 6 rows skipped (first: line 3:"),
        "{r}"
    );
    let report = serde_json::to_value(r).unwrap();
    assert_eq!(report["skipped"][0]["line"], json!(3));

    let out = enrich(&src, &["good.com", "bad.com"]).await;
    assert_eq!(
        found(&out, "good.com"),
        json!({ "name": "Good\nCorp", "employees": 7 })
    );
    assert_eq!(out["bad.com"], Outcome::NoData);
}

#[test]
fn skipped_list_is_capped() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("Email,Company name\nceo@acme.com,Acme\n");
    for i in 0..SKIPPED_CAP + 5 {
        text.push_str(&format!("person{i}@gmail.com,Someone\n"));
    }
    write(dir.path(), "people.csv", text);
    let src = open(dir.path(), json!({ "path": "people.csv" }));
    let r = src.load_report();
    assert_eq!(r.rows_skipped, SKIPPED_CAP as u64 + 5);
    assert_eq!(r.skipped.len(), SKIPPED_CAP);
    assert!(r.skipped_truncated);
    assert_eq!(
        r.skipped.last(),
        Some(&SkippedRow {
            line: SKIPPED_CAP as u64 + 2,
            reason: format!(
                "{} is a free-mail domain (a person's address, not a company's)",
                "gmail.com"
            ),
        })
    );
    assert_eq!(src.len(), 1);
}

#[tokio::test]
async fn explicit_key_column_and_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"Domain,Homepage,Name,Sector\nwrong.com,societe.fr,Soci".to_vec();
    bytes.push(0xE9); // é in Windows-1252
    bytes.extend_from_slice(b"t\xE9 G\xE9n\xE9rale,Banking\n");
    write(dir.path(), "fr.csv", bytes);
    let src = open(
        dir.path(),
        json!({ "path": "fr.csv", "key_column": "homepage", "encoding": "windows-1252" }),
    );
    let out = enrich(&src, &["societe.fr", "wrong.com"]).await;
    assert_eq!(
        found(&out, "societe.fr"),
        json!({ "name": "Société Générale", "industry": "Banking" })
    );
    assert_eq!(out["wrong.com"], Outcome::NoData);
}

#[test]
fn settings_errors_name_the_file_and_the_header() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "c.csv",
        "Domain,Company name,Employee Count\nacme.com,Acme,5\n",
    );
    write(
        dir.path(),
        "nokey.csv",
        "Company name,Employee Count\nAcme,5\n",
    );
    write(
        dir.path(),
        "nofields.csv",
        "Domain,Lifecycle Stage\nacme.com,lead\n",
    );

    let e = open_err(dir.path(), json!({ "path": "missing.csv" }));
    assert!(
        e.contains("missing.csv") && e.contains("not found") && e.contains("relative to"),
        "{e}"
    );

    let e = open_err(
        dir.path(),
        json!({ "path": "c.csv", "columns": { "employees": "Headcount" } }),
    );
    assert!(
        e.contains("c.csv")
            && e.contains("\"Headcount\"")
            && e.contains("\"Domain\", \"Company name\", \"Employee Count\""),
        "{e}"
    );

    let e = open_err(
        dir.path(),
        json!({ "path": "c.csv", "columns": { "valuation": "Employee Count" } }),
    );
    assert!(
        e.contains("valuation") && e.contains("name, industry, employees"),
        "{e}"
    );

    let e = open_err(dir.path(), json!({ "path": "nokey.csv" }));
    assert!(
        e.contains("nokey.csv")
            && e.contains("no key column")
            && e.contains("key_column")
            && e.contains("\"Employee Count\""),
        "{e}"
    );

    let e = open_err(dir.path(), json!({ "path": "c.csv", "key_column": "Site" }));
    assert!(e.contains("\"Site\"") && e.contains("\"Domain\""), "{e}");

    let e = open_err(dir.path(), json!({ "path": "nofields.csv" }));
    assert!(
        e.contains("nofields.csv") && e.contains("no column maps") && e.contains("columns"),
        "{e}"
    );

    let e = open_err(dir.path(), json!({ "path": "c.csv", "delimter": ";" }));
    assert!(e.contains("unknown field `delimter`"), "{e}");

    let e = open_err(dir.path(), json!({ "path": "c.parquet" }));
    assert!(e.contains("c.parquet") && e.contains("unsupported"), "{e}");

    // The SourceError's text says it is a settings problem.
    let err = FirmographicFile::open(&json!({ "path": "missing.csv" }), dir.path()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid settings: firmographic-file:")
    );
}

#[tokio::test]
async fn unknown_and_odd_keys_are_no_data() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "c.csv", "Domain,Name\nacme.com,Acme\n");
    let src = open(dir.path(), json!({ "path": "c.csv" }));
    let out = enrich(&src, &["unknown.com", "", "not a domain", "acme.com"]).await;
    assert_eq!(out["unknown.com"], Outcome::NoData);
    assert_eq!(out[""], Outcome::NoData);
    assert_eq!(out["not a domain"], Outcome::NoData);
    assert_eq!(found(&out, "acme.com"), json!({ "name": "Acme" }));
    assert!(src.lookup("sub.acme.com").is_some());
    assert_eq!(
        src.load_report().to_string(),
        "1 row read: 1 company, 0 rows skipped"
    );
}
