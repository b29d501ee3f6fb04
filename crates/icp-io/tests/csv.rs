mod common;

use common::{read, read_with, write_file};
use icp_io::{OpenError, ReadOptions, TableReader};

const HUBSPOT_HEADER: &str = "Record ID,Company name,Company Domain Name,Website URL,Industry,Number of Employees,Annual Revenue,Country/Region,City,Create Date,Lifecycle Stage";

#[test]
fn hubspot_export_with_bom_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("\u{feff}");
    text.push_str(HUBSPOT_HEADER);
    text.push_str("\r\n");
    text.push_str("1001,Acme GmbH,acme.de,https://www.acme.de,Computer Software,250,\"$1,200,000\",Germany,München,2024-01-15 10:22,Lead\r\n");
    text.push_str("1002,Beta Inc,,https://beta.io/,COMPUTER_SOFTWARE,51-200,,United States,Austin,2024-02-01 08:00,Customer\r\n");
    let path = write_file(dir.path(), "hubspot-companies.csv", text.as_bytes());

    let all = read(&path);
    assert_eq!(all.headers, HUBSPOT_HEADER.split(',').collect::<Vec<_>>());
    assert_eq!(
        all.headers[0], "Record ID",
        "BOM stripped from the first header"
    );
    assert!(all.errors().is_empty());
    let values = all.values();
    assert_eq!(values.len(), 2);
    assert_eq!(values[0][0], "1001");
    assert_eq!(values[0][6], "$1,200,000");
    assert_eq!(values[0][8], "München");
    assert_eq!(
        values[0][10], "Lead",
        "no stray \\r at the end of the last field"
    );
    assert_eq!(values[1][2], "");
    assert_eq!(values[1][10], "Customer");
    assert_eq!(all.lines(), [2, 3]);

    let reader = TableReader::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(reader.delimiter(), Some(b','));
    assert_eq!(reader.encoding_name(), "UTF-8");
}

#[test]
fn semicolon_windows_1252() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: &[u8] = b"Name;Stadt;Umsatz\r\nSoci\xe9t\xe9 G\xe9n\xe9rale;Z\xfcrich;1,5\r\nM\xfcller AG;Bern;2\r\n";
    let path = write_file(dir.path(), "accounts.csv", bytes);
    let all = read(&path);
    assert_eq!(all.headers, ["Name", "Stadt", "Umsatz"]);
    assert_eq!(
        all.values(),
        [
            vec!["Société Générale", "Zürich", "1,5"],
            vec!["Müller AG", "Bern", "2"]
        ]
    );
    let reader = TableReader::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(reader.delimiter(), Some(b';'));
    assert_eq!(reader.encoding_name(), "windows-1252");
}

#[test]
fn windows_1252_found_after_a_long_ascii_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"name,city\n".to_vec();
    for i in 0..10_000 {
        bytes.extend_from_slice(format!("Company {i},Berlin\n").as_bytes());
    }
    assert!(bytes.len() > 64 * 1024);
    bytes.extend_from_slice(b"Soci\xe9t\xe9,Z\xfcrich\n");
    let path = write_file(dir.path(), "late.csv", &bytes);
    let all = read(&path);
    assert!(all.errors().is_empty());
    assert_eq!(all.values().last().unwrap(), &vec!["Société", "Zürich"]);
}

#[test]
fn explicit_encoding_and_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    // Looks like comma-separated, but the caller knows better.
    let path = write_file(dir.path(), "x.txt", b"a,b|c\n1,2|3\n");
    let opts = ReadOptions {
        delimiter: Some(b'|'),
        ..Default::default()
    };
    let all = read_with(&path, &opts).unwrap();
    assert_eq!(all.headers, ["a,b", "c"]);
    assert_eq!(all.values(), [vec!["1,2", "3"]]);

    let path = write_file(dir.path(), "y.csv", "city\nZürich\n".as_bytes());
    let opts = ReadOptions {
        encoding: Some(encoding_rs::WINDOWS_1252),
        ..Default::default()
    };
    let all = read_with(&path, &opts).unwrap();
    assert_eq!(
        all.values(),
        [vec!["ZÃ¼rich"]],
        "the override wins over sniffing"
    );
}

#[test]
fn utf16_with_bom_from_excel_unicode_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Name\tCity\r\nSociété\tZürich\r\n";
    let mut bytes = vec![0xff, 0xfe];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let path = write_file(dir.path(), "unicode.txt", &bytes);
    let all = read(&path);
    assert_eq!(all.headers, ["Name", "City"]);
    assert_eq!(all.values(), [vec!["Société", "Zürich"]]);
    assert_eq!(all.lines(), [2]);
}

#[test]
fn tab_separated() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "accounts.tsv",
        b"domain\tname\temployees\nacme.com\tAcme, Inc.\t120\n",
    );
    let all = read(&path);
    assert_eq!(all.headers, ["domain", "name", "employees"]);
    assert_eq!(all.values(), [vec!["acme.com", "Acme, Inc.", "120"]]);
    // Sniffed from the content too.
    let path = write_file(
        dir.path(),
        "accounts.txt",
        b"domain\tname\temployees\nacme.com\tAcme, Inc.\t120\n",
    );
    assert_eq!(
        read(&path).values(),
        [vec!["acme.com", "Acme, Inc.", "120"]]
    );
}

#[test]
fn quoted_commas_and_newlines_keep_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let text = "name,notes,city\n\
                \"Acme, Inc.\",\"line one\nline two\nline three\",Berlin\n\
                Beta,plain,Paris\n\
                \n\
                \"Gamma \"\"G\"\"\",\"a\r\nb\",Rome\n\
                Delta,x,Oslo\n";
    let path = write_file(dir.path(), "q.csv", text.as_bytes());
    let all = read(&path);
    assert!(all.errors().is_empty());
    assert_eq!(
        all.values(),
        [
            vec!["Acme, Inc.", "line one\nline two\nline three", "Berlin"],
            vec!["Beta", "plain", "Paris"],
            vec!["Gamma \"G\"", "a\r\nb", "Rome"],
            vec!["Delta", "x", "Oslo"],
        ]
    );
    // The blank line 6 is skipped; each record's line is where it starts.
    assert_eq!(all.lines(), [2, 5, 7, 9]);
}

#[test]
fn too_many_fields_is_a_row_error_and_reading_continues() {
    let dir = tempfile::tempdir().unwrap();
    let text = "a,b,c\n1,2,3\n4,5,6,7,8\n9,10,11\n12,13,14,\n";
    let path = write_file(dir.path(), "wide.csv", text.as_bytes());
    let all = read(&path);
    let errors = all.errors();
    assert_eq!(errors.len(), 1);
    let (err, row) = errors[0];
    assert_eq!(err.line, 3);
    assert!(!err.fatal);
    assert!(
        err.reason.contains("row has 5 fields but the header has 3"),
        "{}",
        err.reason
    );
    assert!(err.reason.contains("unquoted delimiter"), "{}", err.reason);
    assert!(err.to_string().starts_with("line 3: "));
    assert_eq!(
        row.values,
        ["4", "5", "6", "7", "8"],
        "values kept for the rejects file"
    );
    assert_eq!(row.line, 3);
    // A trailing empty field loses nothing and is accepted.
    assert_eq!(
        all.values(),
        [
            vec!["1", "2", "3"],
            vec!["9", "10", "11"],
            vec!["12", "13", "14"]
        ]
    );
    assert_eq!(all.lines(), [2, 4, 5]);
}

#[test]
fn short_rows_are_padded() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "short.csv", b"a,b,c,d\n1,2\n3,\n5,6,7,8\n9\n");
    let all = read(&path);
    assert_eq!(
        all.values(),
        [
            vec!["1", "2", "", ""],
            vec!["3", "", "", ""],
            vec!["5", "6", "7", "8"]
        ]
    );
    // A lone value without a single delimiter is a report footer, not a
    // short row.
    let errors: Vec<u64> = all.errors().iter().map(|(e, _)| e.line).collect();
    assert_eq!(errors, [5]);
}

#[test]
fn rows_of_empty_cells_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "blank.csv", b"a,b,c\n1,2,3\n,,\n\n4,5,6\n,,\n");
    let all = read(&path);
    assert_eq!(all.values(), [vec!["1", "2", "3"], vec!["4", "5", "6"]]);
    assert_eq!(all.lines(), [2, 5]);
}

#[test]
fn invalid_utf8_in_one_row() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: &[u8] = "name,city\nAcme,Zürich\nGamma,Köln\n".as_bytes();
    let mut bytes = bytes.to_vec();
    bytes.extend_from_slice(b"Bad,Z\xfcrich\xff\n");
    bytes.extend_from_slice("Beta,Genève\n".as_bytes());
    let path = write_file(dir.path(), "mixed.csv", &bytes);
    let all = read(&path);
    assert_eq!(
        all.values(),
        [
            vec!["Acme", "Zürich"],
            vec!["Gamma", "Köln"],
            vec!["Beta", "Genève"]
        ]
    );
    assert_eq!(all.lines(), [2, 3, 5]);
    let errors = all.errors();
    assert_eq!(errors.len(), 1);
    let (err, row) = errors[0];
    assert_eq!(err.line, 4);
    assert!(!err.fatal);
    assert!(
        err.reason.contains("invalid UTF-8 in column 'city'"),
        "{}",
        err.reason
    );
    assert_eq!(row.values[0], "Bad");
    assert_eq!(
        row.values[1], "Z\u{fffd}rich\u{fffd}",
        "lossy text kept for the rejects file"
    );
}

#[test]
fn duplicate_and_blank_headers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "h.csv",
        b" Name ,,Name,City,  ,Name\nA,B,C,D,E,F\n",
    );
    let all = read(&path);
    assert_eq!(
        all.headers,
        ["Name", "column_2", "Name_2", "City", "column_5", "Name_3"]
    );
    assert_eq!(all.values(), [vec!["A", "B", "C", "D", "E", "F"]]);
}

#[test]
fn header_only_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "h.csv", b"a,b\r\n");
    let all = read(&path);
    assert_eq!(all.headers, ["a", "b"]);
    assert!(all.rows.is_empty());

    for (name, bytes) in [
        ("empty.csv", &b""[..]),
        ("bom.csv", b"\xef\xbb\xbf"),
        ("blank.csv", b"\n\r\n\n"),
    ] {
        let path = write_file(dir.path(), name, bytes);
        let err = TableReader::open(&path, &ReadOptions::default()).unwrap_err();
        assert!(matches!(err, OpenError::Empty { .. }), "{name}: {err}");
        assert!(
            err.to_string().contains(name) && err.to_string().contains("header"),
            "{err}"
        );
    }
}

#[test]
fn open_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.csv");
    let err = TableReader::open(&missing, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, OpenError::NotFound { .. }));
    assert!(err.to_string().contains("nope.csv"), "{err}");

    let path = write_file(dir.path(), "data.parquet", b"x");
    let err = TableReader::open(&path, &ReadOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("data.parquet") && msg.contains(".csv") && msg.contains(".xlsx"),
        "{msg}"
    );
}

#[test]
fn unquoted_quote_inside_a_field_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "q.csv",
        b"name,size\nMonitor 27\" wide,3\nOther,4\n",
    );
    let all = read(&path);
    assert_eq!(
        all.values(),
        [vec!["Monitor 27\" wide", "3"], vec!["Other", "4"]]
    );
}

#[test]
fn line_numbers_with_crlf_blank_lines_and_no_final_newline() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\r\na,b\r\n1,\"x\r\ny\"\r\n\r\n\r\n2,z\r\n\n\n3,w";
    let path = write_file(dir.path(), "crlf.csv", text.as_bytes());
    let all = read(&path);
    assert_eq!(all.headers, ["a", "b"]);
    assert_eq!(
        all.values(),
        [vec!["1", "x\r\ny"], vec!["2", "z"], vec!["3", "w"]]
    );
    assert_eq!(all.lines(), [3, 7, 10]);
}

#[test]
fn line_numbers_past_the_parser_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,notes\r\n");
    for i in 0..20_000 {
        if i % 7 == 0 {
            text.push_str(&format!("{i},\"two\nlines\"\r\n\r\n"));
        } else {
            text.push_str(&format!("{i},plain\r\n"));
        }
    }
    let path = write_file(dir.path(), "big.csv", text.as_bytes());
    let all = read(&path);
    let mut expected = Vec::new();
    let mut line = 2;
    for i in 0..20_000 {
        expected.push(line);
        line += if i % 7 == 0 { 3 } else { 1 };
    }
    assert_eq!(all.lines(), expected);
}

/// A Salesforce report export ends with a blank line, a totals line and
/// copyright lines: each is a lone value, reported with its line, never
/// scored as an account.
#[test]
fn salesforce_report_footer_lines_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}\"Account Name\",\"Website\",\"Employees\",\"Billing Country\"\r\n\
                \"Acme\",\"acme.com\",\"120\",\"US\"\r\n\
                \"Beta\",\"beta.io\",\"\",\"DE\"\r\n\
                \r\n\
                \"Grand Totals (2 records)\"\r\n\
                \r\n\
                \"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\r\n\
                \"Confidential Information - Do Not Distribute\"\r\n";
    let path = write_file(dir.path(), "sf.csv", text.as_bytes());
    let all = read(&path);
    assert_eq!(
        all.values(),
        [
            vec!["Acme", "acme.com", "120", "US"],
            vec!["Beta", "beta.io", "", "DE"]
        ]
    );
    let errors: Vec<(u64, &str)> = all
        .errors()
        .iter()
        .map(|(e, row)| (e.line, row.values[0].as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (5, "Grand Totals (2 records)"),
            (
                7,
                "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."
            ),
            (8, "Confidential Information - Do Not Distribute"),
        ]
    );
    assert!(
        all.errors()[0].0.reason.contains("report title or footer"),
        "{}",
        all.errors()[0].0.reason
    );
    // A two-column file may well hold rows with one value.
    let path = write_file(dir.path(), "two.csv", b"domain,name\nacme.com\n");
    assert_eq!(read(&path).values(), [vec!["acme.com", ""]]);
}

/// Excel's `sep=;` first line names the delimiter; the header follows it.
#[test]
fn excel_sep_line_sets_the_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "sep.csv",
        b"sep=;\r\nname;domain;employees\r\nAcme;acme.com;1.200\r\nBeta, Inc;beta.io;5\r\n",
    );
    let all = read(&path);
    assert_eq!(all.headers, ["name", "domain", "employees"]);
    assert_eq!(
        all.values(),
        [
            vec!["Acme", "acme.com", "1.200"],
            vec!["Beta, Inc", "beta.io", "5"]
        ]
    );
    assert_eq!(all.lines(), [3, 4]);
}

/// A stray or missing quote makes csv read the next lines into one value:
/// the record is rejected with where the quote opened, not scored with
/// the wrong values; the lines it took in stay in that rejected row.
#[test]
fn a_broken_quote_is_reported_not_swallowed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "quote.csv",
        b"Record ID,Company name,Company Domain Name,Number of Employees\n\
          1,A,a.com,5\n\
          2,\"Unclosed, Inc,u.com,50\n\
          3,C,c.com,70\n\
          4,\"D\",d.com,80\n\
          5,E,e.com,90\n",
    );
    let all = read(&path);
    assert_eq!(all.lines(), [2, 6]);
    let (e, _) = all.errors()[0];
    assert_eq!(e.line, 3);
    assert!(
        e.reason.contains(
            "opened at line 3, column 3 closes and goes on (lines 3 to 5 were read into it)"
        ),
        "{}",
        e.reason
    );
    // Never closed: the rest of the file is one rejected record.
    let path = write_file(dir.path(), "open.csv", b"a,b,c\n1,2,3\n4,\"x,6\n7,8,9\n");
    let all = read(&path);
    assert_eq!(all.lines(), [2]);
    let (e, _) = all.errors()[0];
    assert_eq!(e.line, 3);
    assert!(
        e.reason.contains("line 3, column 3 never closes"),
        "{}",
        e.reason
    );
    // A quote inside an unquoted value, and doubled quotes, are fine.
    let path = write_file(
        dir.path(),
        "fine.csv",
        b"a,b,c\n5\" screen,\"say \"\"hi\"\"\",\"multi\nline\"\n",
    );
    let all = read(&path);
    assert!(all.errors().is_empty());
    assert_eq!(
        all.values(),
        [vec!["5\" screen", "say \"hi\"", "multi\nline"]]
    );
}
