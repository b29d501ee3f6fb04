mod common;

use common::{read, write_file};
use icp_io::{OpenError, ReadOptions, TableReader};

#[test]
fn keys_in_order_of_first_appearance_including_late_ones() {
    let dir = tempfile::tempdir().unwrap();
    let text = concat!(
        "{\"domain\":\"acme.com\",\"employees\":1200,\"revenue\":1.5}\n",
        "\n",
        "{\"employees\":51,\"domain\":\"beta.io\",\"country\":\"DE\"}\n",
        "{\"domain\":\"gamma.ai\",\"public\":true,\"note\":null,\"late\":\"x\"}\n",
    );
    let path = write_file(dir.path(), "a.jsonl", text.as_bytes());
    let all = read(&path);
    assert_eq!(
        all.headers,
        [
            "domain",
            "employees",
            "revenue",
            "country",
            "public",
            "note",
            "late"
        ]
    );
    assert!(all.errors().is_empty());
    assert_eq!(
        all.values(),
        [
            vec!["acme.com", "1200", "1.5", "", "", "", ""],
            vec!["beta.io", "51", "", "DE", "", "", ""],
            vec!["gamma.ai", "", "", "", "true", "", "x"],
        ]
    );
    assert_eq!(all.lines(), [1, 3, 4]);
}

#[test]
fn nested_values() {
    let dir = tempfile::tempdir().unwrap();
    let text = concat!(
        r#"{"domain":"acme.com","tech":["hubspot","stripe",null,3],"geo":{"country":"DE","city":"Berlin"},"#,
        r#""matrix":[[1,2],[3]],"empty":[],"float":1200.0,"big":12345678901234567890,"neg":-7,"esc":"a\"b\u00e9\n"}"#,
        "\n"
    );
    let path = write_file(dir.path(), "n.ndjson", text.as_bytes());
    let all = read(&path);
    let row = &all.values()[0];
    let get = |k: &str| row[all.headers.iter().position(|h| h == k).unwrap()];
    assert_eq!(get("tech"), "hubspot; stripe; 3");
    assert_eq!(get("geo"), r#"{"city":"Berlin","country":"DE"}"#);
    assert_eq!(get("matrix"), "[[1,2],[3]]");
    assert_eq!(get("empty"), "");
    assert_eq!(get("float"), "1200");
    assert_eq!(get("big"), "12345678901234567890");
    assert_eq!(get("neg"), "-7");
    assert_eq!(get("esc"), "a\"bé\n");
}

#[test]
fn malformed_and_non_object_lines_are_row_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = concat!(
        "\u{feff}{\"domain\":\"acme.com\",\"name\":\"Acme\"}\r\n",
        "[1,2]\n",
        "{\"domain\":\"beta.io\" \"name\":\"Beta\"}\n",
        "\"just a string\"\n",
        "   \n",
        "{\"domain\":\"cut.io\",\n",
        "42\n",
        "{\"domain\":\"gamma.ai\"}\n",
        "{\"a\":1} trailing\n",
    );
    let path = write_file(dir.path(), "bad.jsonl", text.as_bytes());
    let all = read(&path);
    assert_eq!(all.headers, ["domain", "name", "a"]);
    assert_eq!(
        all.values(),
        [vec!["acme.com", "Acme", ""], vec!["gamma.ai", "", ""]]
    );
    assert_eq!(all.lines(), [1, 8]);
    let errors: Vec<String> = all.errors().iter().map(|(e, _)| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "line 2: expected a JSON object, found an array",
            "line 3: expected `,` or `}` at column 21",
            "line 4: expected a JSON object, found a string",
            "line 6: EOF while parsing a value at column 19",
            "line 7: expected a JSON object, found a number",
            "line 9: trailing characters at column 9",
        ]
    );
    assert!(
        all.errors()
            .iter()
            .all(|(e, row)| !e.fatal && row.line == e.line)
    );
}

#[test]
fn invalid_utf8_line_is_a_row_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"{\"city\":\"Berlin\"}\n{\"city\":\"Z\xfcrich\"}\n".to_vec();
    bytes.extend_from_slice(b"{\"city\":\"Paris\"}\n");
    let path = write_file(dir.path(), "u.jsonl", &bytes);
    let all = read(&path);
    assert_eq!(all.values(), [vec!["Berlin"], vec!["Paris"]]);
    let errors = all.errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0.line, 2);
}

#[test]
fn json_array_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[\n  {\"domain\": \"acme.com\", \"employees\": 10},\n  7,\n  {\n    \"domain\": \"beta.io\",\n    \"city\": \"Köln\"\n  }\n]\n";
    let path = write_file(dir.path(), "export.json", text.as_bytes());
    let all = read(&path);
    assert_eq!(all.headers, ["domain", "employees", "city"]);
    assert_eq!(
        all.values(),
        [vec!["acme.com", "10", ""], vec!["beta.io", "", "Köln"]]
    );
    assert_eq!(all.lines(), [2, 4]);
    let errors = all.errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].0.to_string(),
        "line 3: expected a JSON object, found a number"
    );

    // A broken array stops reading with a fatal error after the good rows.
    let path = write_file(
        dir.path(),
        "broken.json",
        b"[{\"a\":1},\n{\"a\":2,}\n,{\"a\":3}]",
    );
    let all = read(&path);
    assert_eq!(all.values(), [vec!["1"]]);
    let errors = all.errors();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].0.fatal);
    assert_eq!(errors[0].0.line, 2);
}

#[test]
fn files_without_objects() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "empty.jsonl", b"\n  \n");
    let err = TableReader::open(&path, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, OpenError::Empty { .. }), "{err}");

    let path = write_file(dir.path(), "csv.jsonl", b"domain,name\nacme.com,Acme\n");
    let err = TableReader::open(&path, &ReadOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, OpenError::NoJsonObjects { .. }), "{msg}");
    assert!(msg.contains("csv.jsonl") && msg.contains("line 1"), "{msg}");
}
