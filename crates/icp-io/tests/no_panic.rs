//! Arbitrary bytes as an input file never panic nor hang the readers.

use icp_io::{ReadOptions, Row, TableReader};
use proptest::prelude::*;

fn read_everything(name: &str, bytes: &[u8], opts: &ReadOptions) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let Ok(mut reader) = TableReader::open(&path, opts) else {
        return;
    };
    let n = reader.headers().len();
    let mut row = Row::default();
    // Each call consumes at least one byte or ends the file.
    for _ in 0..=bytes.len() + 1 {
        match reader.read_row(&mut row) {
            Ok(true) => assert_eq!(row.values.len(), n),
            Ok(false) => return,
            Err(_) => {}
        }
    }
    panic!("reader did not end");
}

/// Bytes biased toward the characters that matter to the parsers.
fn interesting_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b",;\t|\"\r\n{}[]:\\ ab1.-".to_vec()),
        1 => any::<u8>(),
    ];
    prop::collection::vec(byte, 0..300)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn csv_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        read_everything("f.csv", &bytes, &ReadOptions::default());
    }

    #[test]
    fn csv_structured_never_panics(bytes in interesting_bytes()) {
        read_everything("f.csv", &bytes, &ReadOptions::default());
        read_everything("f.tsv", &bytes, &ReadOptions { encoding: Some(encoding_rs::UTF_16LE), ..Default::default() });
    }

    #[test]
    fn jsonl_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        read_everything("f.jsonl", &bytes, &ReadOptions::default());
    }

    #[test]
    fn jsonl_structured_never_panics(bytes in interesting_bytes()) {
        read_everything("f.jsonl", &bytes, &ReadOptions::default());
        let mut array = b"[".to_vec();
        array.extend_from_slice(&bytes);
        read_everything("f.json", &array, &ReadOptions::default());
    }

    #[test]
    fn jsonl_objects_never_panic(lines in prop::collection::vec(any::<std::collections::BTreeMap<String, String>>(), 0..5)) {
        let mut text = String::new();
        for l in &lines {
            text.push_str(&serde_json::to_string(l).unwrap());
            text.push('\n');
        }
        read_everything("f.jsonl", text.as_bytes(), &ReadOptions::default());
    }

    #[test]
    fn xlsx_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        read_everything("f.xlsx", &bytes, &ReadOptions::default());
    }
}
