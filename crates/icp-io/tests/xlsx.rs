mod common;

use std::path::{Path, PathBuf};

use common::{read, read_with, write_file};
use icp_io::{OpenError, ReadOptions, TableReader};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn workbook(dir: &Path) -> PathBuf {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let filled = Format::new().set_bold();

    let ws = wb.add_worksheet();
    ws.set_name("Accounts").unwrap();
    // Row 1 is left empty: the header is on sheet row 2.
    let headers = [
        "Company",
        "Employees",
        "Revenue",
        "Founded",
        "Created",
        "Active",
        "",
        "Company",
    ];
    for (c, h) in headers.iter().enumerate() {
        if !h.is_empty() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
    }
    ws.write_string(2, 0, "Acme GmbH").unwrap();
    ws.write_number(2, 1, 1200.0).unwrap();
    ws.write_number(2, 2, 1.5).unwrap();
    ws.write_datetime_with_format(2, 3, ExcelDateTime::from_ymd(2001, 3, 9).unwrap(), &date)
        .unwrap();
    let created = ExcelDateTime::from_ymd(2024, 1, 15)
        .unwrap()
        .and_hms(10, 22, 5)
        .unwrap();
    ws.write_datetime_with_format(2, 4, created, &datetime)
        .unwrap();
    ws.write_boolean(2, 5, true).unwrap();
    ws.write_string(2, 6, "note").unwrap();
    ws.write_string(2, 7, "acme.de").unwrap();
    // Row 4: blank cells in the middle and at the end.
    ws.write_string(3, 0, "Beta").unwrap();
    ws.write_number(3, 2, -0.25).unwrap();
    // Row 5 is empty; row 6 has a formatted blank cell beyond the data.
    ws.write_string(5, 0, "Gamma").unwrap();
    ws.write_number(5, 1, 51.0).unwrap();
    ws.write_blank(5, 11, &filled).unwrap();

    let other = wb.add_worksheet();
    other.set_name("Other").unwrap();
    other.write_string(0, 0, "domain").unwrap();
    other.write_string(1, 0, "other.io").unwrap();

    let path = dir.join("accounts.xlsx");
    wb.save(&path).unwrap();
    path
}

#[test]
fn first_sheet_with_numbers_dates_and_blanks() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    let all = read(&path);
    assert_eq!(
        all.headers,
        [
            "Company",
            "Employees",
            "Revenue",
            "Founded",
            "Created",
            "Active",
            "column_7",
            "Company_2"
        ]
    );
    assert!(all.errors().is_empty());
    assert_eq!(
        all.values(),
        [
            vec![
                "Acme GmbH",
                "1200",
                "1.5",
                "2001-03-09",
                "2024-01-15T10:22:05",
                "true",
                "note",
                "acme.de"
            ],
            vec!["Beta", "", "-0.25", "", "", "", "", ""],
            vec!["Gamma", "51", "", "", "", "", "", ""],
        ]
    );
    assert_eq!(
        all.lines(),
        [3, 4, 6],
        "sheet row numbers, counting the leading empty row"
    );
}

#[test]
fn named_sheet_and_missing_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path());
    let opts = ReadOptions {
        sheet: Some("other".to_string()),
        ..Default::default()
    };
    let all = read_with(&path, &opts).unwrap();
    assert_eq!(all.headers, ["domain"]);
    assert_eq!(all.values(), [vec!["other.io"]]);
    assert_eq!(all.lines(), [2]);

    let opts = ReadOptions {
        sheet: Some("Leads".to_string()),
        ..Default::default()
    };
    let err = TableReader::open(&path, &opts).unwrap_err();
    assert!(matches!(err, OpenError::SheetNotFound { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("'Leads'") && msg.contains("'Accounts', 'Other'"),
        "{msg}"
    );
}

#[test]
fn empty_sheet_and_not_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    wb.add_worksheet();
    let path = dir.path().join("empty.xlsx");
    wb.save(&path).unwrap();
    let err = TableReader::open(&path, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, OpenError::Empty { .. }), "{err}");

    let path = write_file(dir.path(), "really-csv.xlsx", b"a,b\n1,2\n");
    let err = TableReader::open(&path, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, OpenError::Workbook { .. }), "{err}");
    assert!(err.to_string().contains("really-csv.xlsx"), "{err}");
}

/// A formatted report puts its title and filters above the header, one
/// value a row: the header is the first row with two values or more.
#[test]
fn title_rows_above_the_header_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Accounts by Owner").unwrap();
    ws.write_string(1, 0, "Filtered By: Type equals Customer")
        .unwrap();
    for (c, h) in ["Account Name", "Website", "Employees"].iter().enumerate() {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    ws.write_string(4, 0, "Acme").unwrap();
    ws.write_string(4, 1, "acme.com").unwrap();
    ws.write_number(4, 2, 120.0).unwrap();
    // A sparse account, then the report's footer.
    ws.write_string(5, 0, "Total SA").unwrap();
    ws.write_string(7, 0, "Grand Totals (2 records)").unwrap();
    ws.write_string(
        9,
        0,
        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
    )
    .unwrap();
    wb.save(&path).unwrap();
    let all = read(&path);
    assert_eq!(all.headers, ["Account Name", "Website", "Employees"]);
    assert_eq!(
        all.values(),
        [vec!["Acme", "acme.com", "120"], vec!["Total SA", "", ""]]
    );
    assert_eq!(all.lines(), [5, 6]);
    let errors: Vec<u64> = all.errors().iter().map(|(e, _)| e.line).collect();
    assert_eq!(errors, [8, 10]);
}
