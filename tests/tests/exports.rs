//! Real-shaped CRM exports scored end to end: a HubSpot XLSX export and a
//! Salesforce report saved by a European Excel (semicolons, Windows-1252).

use icp_tests::{cell, icp, read_csv};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const PROFILE: &str = r#"
name = "eu-fintech"
[tiers]
tier1 = 6
tier2 = 3
[[filters]]
name = "Europe"
when = 'country in ["Germany", "FR", "GB", "CH", "NL"]'
[[traits]]
name = "Financial services"
when = 'industry in ["Financial Services", "Banking", "Insurance"]'
weight = 3
[[traits]]
name = "200+ people"
when = "employees >= 200"
weight = 3
[[traits]]
name = "Revenue over $50M"
when = "revenue > $50M"
weight = 1
[[traits]]
name = "Young company"
when = "company_age < 10"
weight = -1
"#;

#[test]
fn hubspot_xlsx_export() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.toml");
    std::fs::write(&profile, PROFILE).unwrap();
    let xlsx = dir.path().join("hubspot-companies.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let headers = [
        "Record ID",
        "Company name",
        "Company Domain Name",
        "Industry",
        "Number of Employees",
        "Annual Revenue",
        "Country/Region",
        "Year Founded",
        "Create Date",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    // id, name, domain, industry, employees, revenue, country, founded
    type ExportRow<'a> = (
        f64,
        &'a str,
        &'a str,
        &'a str,
        Option<f64>,
        Option<f64>,
        &'a str,
        f64,
    );
    let rows: [ExportRow; 3] = [
        (
            101.0,
            "Kontor Bank",
            "kontorbank.de",
            "BANKING",
            Some(850.0),
            Some(120_000_000.0),
            "Germany",
            1990.0,
        ),
        (
            102.0,
            "Petit Café",
            "petitcafe.fr",
            "Restaurants",
            Some(6.0),
            None,
            "France",
            2021.0,
        ),
        (
            103.0,
            "Acme Inc",
            "acme.com",
            "Financial Services",
            Some(300.0),
            Some(90_000_000.0),
            "United States",
            2000.0,
        ),
    ];
    for (r, (id, name, domain, industry, emp, rev, country, founded)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_number(r, 0, *id).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_string(r, 2, *domain).unwrap();
        ws.write_string(r, 3, *industry).unwrap();
        if let Some(e) = emp {
            ws.write_number(r, 4, *e).unwrap();
        }
        if let Some(v) = rev {
            ws.write_number(r, 5, *v).unwrap();
        }
        ws.write_string(r, 6, *country).unwrap();
        ws.write_number(r, 7, *founded).unwrap();
        ws.write_datetime_with_format(r, 8, ExcelDateTime::from_ymd(2025, 3, 1).unwrap(), &date)
            .unwrap();
    }
    wb.save(&xlsx).unwrap();

    let out = dir.path().join("scored.csv");
    let r = icp([
        "score".as_ref(),
        xlsx.as_os_str(),
        "--profile".as_ref(),
        profile.as_os_str(),
        "--as-of".as_ref(),
        "2026-11-20".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (h, rows) = read_csv(&out);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        cell(&h, &rows[0], "Record ID"),
        "101",
        "whole numbers without .0"
    );
    assert_eq!(
        cell(&h, &rows[0], "Create Date"),
        "2025-03-01",
        "Excel dates as ISO"
    );
    assert_eq!(cell(&h, &rows[0], "icp_score"), "7");
    assert_eq!(cell(&h, &rows[0], "icp_tier"), "1");
    assert_eq!(cell(&h, &rows[1], "icp_score"), "-1", "young company");
    assert_eq!(
        cell(&h, &rows[1], "icp_coverage"),
        "0.88",
        "revenue unknown: 7 of 8 weight evaluable"
    );
    assert_eq!(cell(&h, &rows[2], "icp_tier"), "excluded");
    assert_eq!(cell(&h, &rows[2], "icp_excluded_by"), "Europe");
}

#[test]
fn salesforce_report_from_a_european_excel() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.toml");
    std::fs::write(&profile, PROFILE).unwrap();
    let csv_path = dir.path().join("salesforce-accounts.csv");
    let text = "Account ID;Account Name;Website;Industry;Employees;Annual Revenue;Billing Country;Billing City\r\n\
                0015g00000AbCdE;Zürcher Versicherung AG;www.zuercher-vers.ch;Insurance;1.200;$310,000,000;CH;Zürich\r\n\
                0015g00000AbCdF;Société Générale Test;https://societe-test.fr;Banking;45000;$1,200,000;FR;Paris\r\n\
                0015g00000AbCdG;Tiny Bakery;;Retail;;;NL;Utrecht\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    std::fs::write(&csv_path, &bytes).unwrap();
    let out = dir.path().join("scored.jsonl");
    let r = icp([
        "score".as_ref(),
        csv_path.as_os_str(),
        "-p".as_ref(),
        profile.as_os_str(),
        "--as-of".as_ref(),
        "2026-11-20".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0]["Account Name"], "Zürcher Versicherung AG",
        "Windows-1252 decoded"
    );
    assert_eq!(rows[0]["Billing City"], "Zürich");
    // "1.200" employees in a European export is 1,200 people (a headcount
    // is a whole number), so the 200+ trait fires beside revenue and
    // industry.
    assert_eq!(rows[0]["icp_tier"], "1");
    assert_eq!(rows[1]["icp_score"], 6);
    assert_eq!(rows[1]["icp_tier"], "1");
    assert_eq!(rows[2]["icp_coverage"], 0.38);
}
