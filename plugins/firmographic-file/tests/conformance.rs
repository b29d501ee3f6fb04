//! The conformance kit (icp-conformance) on a small company file.

use icp_conformance::check_source;
use icp_plugin_sdk::Source;
use icp_source_firmographic_file::FirmographicFile;
use serde_json::json;

/// A CRM export as people write them: a BOM-less CSV with HubSpot-style
/// headers, ranges and bands in number columns, blanks and placeholders,
/// dates in three styles, a list column, a free-mail row (skipped) and a
/// duplicate row (merged).
const COMPANIES: &str = "\
Company Domain Name,Company name,Number of Employees,Annual Revenue,Industry,Country/Region,City,Year Founded,Technologies,Last Funding,Stage
acme.de,Acme GmbH,250,\"$1,200,000\",COMPUTER_SOFTWARE,Germany,Berlin,2012,\"SAP; Microsoft, AWS\",2023-04-01,Series B
https://www.globex.co.uk/about,Globex,51-200,n/a,Financial Services,UK,London,,,03/15/2021,
jane@initech.com,Initech,,$10M-$50M,,United States,Austin,1998,Salesforce,15.03.2019,Seed
jane@gmail.com,Somebody,5,,,,,,,,
acme.de,Acme Duplicate,999,,,,,,,,Series C
";

#[tokio::test]
async fn a_company_file_passes_the_kit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("companies.csv"), COMPANIES).unwrap();
    let src = FirmographicFile::open(
        &json!({
            "path": "companies.csv",
            "columns": { "last_funding_date": "Last Funding", "funding_stage": "Stage" }
        }),
        dir.path(),
    )
    .unwrap();
    assert_eq!(src.len(), 3);
    // Every field type the file source delivers is exercised.
    let names: Vec<&str> = src
        .manifest()
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    for f in ["employees", "name", "technologies", "last_funding_date"] {
        assert!(names.contains(&f), "{names:?}");
    }
    let report = check_source(
        &src,
        &["acme.de", "globex.co.uk", "initech.com"],
        "nosuch-company.com",
    )
    .await;
    report.assert_ok();
    assert_eq!(report.checks.len(), 6, "{report}");
}
