mod common;

use common::{read, strings};
use icp_io::write::{ColumnKind, RejectsWriter, TableWriter, WriteError, rejects_path_for};

#[test]
fn csv_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let headers = strings(&["domain", "name", "notes", "icp_score"]);
    let rows = [
        ["acme.com", "Acme, Inc.", "says \"hi\"\nand more", "87"],
        ["beta.io", "Société Générale", "", "12.5"],
        ["", "", "", ""],
        ["gamma.ai", " padded ", "a\r\nb", "0"],
    ];
    let mut w = TableWriter::create(&path, &headers).unwrap();
    for r in &rows {
        w.write_row(r).unwrap();
    }
    // Owned strings and iterators work too.
    w.write_row(vec![
        "x".to_string(),
        "y".to_string(),
        "z".to_string(),
        "1".to_string(),
    ])
    .unwrap();
    w.write_row(["a", "b"].into_iter().chain(["c", "d"]))
        .unwrap();
    w.finish().unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("domain,name,notes,icp_score\nacme.com,\"Acme, Inc.\",\"says \"\"hi\"\"\nand more\",87\n"), "{text}");
    assert!(!text.contains("\r\n\n"));

    let all = read(&path);
    assert_eq!(all.headers, headers);
    let expected: Vec<Vec<&str>> = vec![
        rows[0].to_vec(),
        rows[1].to_vec(),
        // The all-empty row is skipped by the reader.
        rows[3].to_vec(),
        vec!["x", "y", "z", "1"],
        vec!["a", "b", "c", "d"],
    ];
    assert_eq!(all.values(), expected);
}

#[test]
fn jsonl_round_trip_with_number_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.jsonl");
    let headers = strings(&[
        "domain",
        "employees",
        "revenue",
        "icp_tier",
        "weird \"key\"",
    ]);
    let mut w = TableWriter::create(&path, &headers).unwrap();
    w.set_numeric_columns(&[1, 2, 99]);
    w.write_row(["acme.com", "1200", "1.5e6", "1", "tab\there"])
        .unwrap();
    w.write_row(["beta.io", "", "51-200", "excluded", "ctl\u{1}"])
        .unwrap();
    w.finish().unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        r#"{"domain":"acme.com","employees":1200,"revenue":1.5e6,"icp_tier":"1","weird \"key\"":"tab\there"}"#
    );
    assert_eq!(
        lines[1],
        r#"{"domain":"beta.io","employees":null,"revenue":"51-200","icp_tier":"excluded","weird \"key\"":"ctl\u0001"}"#
    );
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v.is_object());
    }

    let all = read(&path);
    assert_eq!(all.headers, headers);
    assert_eq!(
        all.values(),
        [
            vec!["acme.com", "1200", "1500000", "1", "tab\there"],
            vec!["beta.io", "", "51-200", "excluded", "ctl\u{1}"]
        ]
    );

    // Kinds can also be set per column.
    let path = dir.path().join("kinds.ndjson");
    let mut w = TableWriter::create(&path, &strings(&["a", "b"])).unwrap();
    w.set_column_kinds(&[ColumnKind::Number]);
    w.write_row(["7", "7"]).unwrap();
    w.finish().unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"a\":7,\"b\":\"7\"}\n"
    );
}

#[test]
fn writer_errors() {
    let dir = tempfile::tempdir().unwrap();
    let headers = strings(&["a", "b"]);
    let err = TableWriter::create(&dir.path().join("out.xlsx"), &headers).unwrap_err();
    assert!(matches!(err, WriteError::UnsupportedFormat { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains(".csv") && msg.contains(".jsonl") && msg.contains("out.xlsx"),
        "{msg}"
    );

    let err = TableWriter::create(&dir.path().join("no/such/dir/out.csv"), &headers).unwrap_err();
    assert!(matches!(err, WriteError::Create { .. }), "{err}");

    let path = dir.path().join("out.csv");
    let mut w = TableWriter::create(&path, &headers).unwrap();
    assert!(matches!(
        w.write_row(["1"]),
        Err(WriteError::FieldCount {
            expected: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        w.write_row(["1", "2", "3"]),
        Err(WriteError::FieldCount {
            expected: 2,
            got: 3,
            ..
        })
    ));
    w.write_row(["1", "2"]).unwrap();
    w.finish().unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "a,b\n1,2\n",
        "a bad row writes nothing"
    );
}

#[test]
fn rejects_file_is_created_lazily() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scored.jsonl");
    let rejects = rejects_path_for(&out);
    assert_eq!(rejects, dir.path().join("scored.rejects.csv"));
    let headers = strings(&["Record ID", "Website URL", "City"]);

    let w = RejectsWriter::for_output(&out, &headers);
    assert_eq!(w.path(), rejects);
    assert_eq!(w.finish().unwrap(), None);
    assert!(!rejects.exists(), "no empty rejects file");

    let mut w = RejectsWriter::for_output(&out, &headers);
    assert!(!rejects.exists());
    w.write(
        7,
        "no company domain (linkedin.com is a profile link)",
        ["1001", "https://linkedin.com/company/x", "Berlin"],
    )
    .unwrap();
    assert!(rejects.exists());
    // Short row: padded. Long row: the values past the header are kept,
    // as CSV, in `extra`.
    w.write(
        9,
        "row has 4 fields but the header has 3",
        ["1002", "a.com", "Paris", "extra, value", "more"],
    )
    .unwrap();
    w.write(12, "short", ["1003"]).unwrap();
    assert_eq!(w.count(), 3);
    assert_eq!(w.finish().unwrap(), Some(rejects.clone()));

    let text = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        text,
        "Record ID,Website URL,City,line,reason,extra\n\
         1001,https://linkedin.com/company/x,Berlin,7,no company domain (linkedin.com is a profile link),\n\
         1002,a.com,Paris,9,row has 4 fields but the header has 3,\"\"\"extra, value\"\",more\"\n\
         1003,,,12,short,\n"
    );

    // A later clean run removes the stale rejects file of the same columns.
    let w = RejectsWriter::for_output(&out, &headers);
    assert_eq!(w.finish().unwrap(), None);
    assert!(!rejects.exists());

    // ... but never a file that is something else.
    std::fs::write(&rejects, "precious\n").unwrap();
    let w = RejectsWriter::for_output(&out, &headers);
    assert_eq!(w.finish().unwrap(), None);
    assert!(rejects.exists());
}

#[test]
fn rejects_columns_do_not_clash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.csv");
    let mut w = RejectsWriter::new(&path, &strings(&["line", "reason"]));
    w.write(2, "bad", ["l", "r"]).unwrap();
    w.finish().unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "line,reason,line_2,reason_2,extra\nl,r,2,bad,\n"
    );
}
