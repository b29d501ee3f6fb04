//! Encoding and delimiter sniffing for delimited text.

use std::io::Read;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Size of the sample used for sniffing.
pub(crate) const SAMPLE: usize = 64 * 1024;

/// Reads up to `SAMPLE` bytes. Returns the bytes and whether the reader is
/// at its end.
pub(crate) fn read_sample<R: Read>(r: &mut R) -> std::io::Result<(Vec<u8>, bool)> {
    let mut buf = Vec::with_capacity(SAMPLE);
    r.by_ref().take(SAMPLE as u64).read_to_end(&mut buf)?;
    let eof = buf.len() < SAMPLE;
    Ok((buf, eof))
}

/// The encoding named by a byte order mark, and the mark's length.
pub(crate) fn bom(sample: &[u8]) -> Option<(&'static Encoding, usize)> {
    Encoding::for_bom(sample)
}

/// How the bytes after the BOM relate to UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Utf8Verdict {
    /// Non-ASCII bytes seen, and they are valid UTF-8.
    Utf8,
    /// Invalid UTF-8 seen.
    NotUtf8,
    /// Only ASCII seen so far.
    Ascii,
}

/// Judges `chunk` (which starts at a character boundary) by counting valid
/// multibyte UTF-8 characters against invalid sequences: Windows-1252 text
/// almost never forms valid UTF-8 sequences, while a UTF-8 file with a few
/// pasted Windows-1252 values has more valid ones. A character cut at the
/// end of the chunk is not counted unless `eof`.
pub(crate) fn judge_utf8(chunk: &[u8], eof: bool) -> Utf8Verdict {
    // Word at a time: most chunks of most files are all ASCII.
    if chunk.is_ascii() {
        return Utf8Verdict::Ascii;
    }
    let Some(first) = chunk.iter().position(|b| !b.is_ascii()) else {
        return Utf8Verdict::Ascii;
    };
    let lead_bytes = |s: &[u8]| s.iter().filter(|&&b| b >= 0xc0).count();
    let mut rest = &chunk[first..];
    let (mut valid, mut invalid) = (0usize, 0usize);
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => {
                valid += lead_bytes(rest);
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                valid += lead_bytes(&rest[..good]);
                match e.error_len() {
                    Some(len) => {
                        invalid += 1;
                        rest = &rest[good + len..];
                    }
                    // The chunk ends inside a character.
                    None => {
                        invalid += usize::from(eof);
                        break;
                    }
                }
            }
        }
    }
    match (valid, invalid) {
        (0, 0) => Utf8Verdict::Ascii,
        (v, i) if v >= i => Utf8Verdict::Utf8,
        _ => Utf8Verdict::NotUtf8,
    }
}

/// Picks the encoding of a file without a BOM: UTF-8 if its first non-ASCII
/// text is valid UTF-8 (or there is none), else Windows-1252. `sample` is the
/// start of the file; if it is all ASCII, `rest` is read on until the first
/// non-ASCII byte.
pub(crate) fn detect_encoding<R: Read>(
    sample: &[u8],
    sample_eof: bool,
    rest: &mut R,
) -> std::io::Result<&'static Encoding> {
    match judge_utf8(sample, sample_eof) {
        Utf8Verdict::Utf8 => return Ok(UTF_8),
        Utf8Verdict::NotUtf8 => return Ok(WINDOWS_1252),
        Utf8Verdict::Ascii if sample_eof => return Ok(UTF_8),
        Utf8Verdict::Ascii => {}
    }
    // All ASCII so far: look further, until the first non-ASCII byte. Keep
    // the tail of the previous chunk in case a character is cut.
    let mut carry: Vec<u8> = match sample.iter().rposition(|b| b.is_ascii()) {
        Some(p) => sample[p + 1..].to_vec(),
        None => sample.to_vec(),
    };
    let mut buf = vec![0u8; SAMPLE];
    loop {
        let n = read_full(rest, &mut buf)?;
        let eof = n < buf.len();
        carry.extend_from_slice(&buf[..n]);
        match judge_utf8(&carry, eof) {
            Utf8Verdict::Utf8 => return Ok(UTF_8),
            Utf8Verdict::NotUtf8 => return Ok(WINDOWS_1252),
            Utf8Verdict::Ascii if eof => return Ok(UTF_8),
            Utf8Verdict::Ascii => {
                let keep = carry
                    .iter()
                    .rposition(|b| b.is_ascii())
                    .map_or(0, |p| p + 1);
                carry.drain(..keep);
            }
        }
    }
}

/// Reads until `buf` is full or the end of the input.
pub(crate) fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Picks the delimiter among `,` tab `;` `|` from the first records of
/// `sample` (ASCII-compatible text). Delimiters inside double quotes do not
/// count. The winner appears in the header and the same number of times in
/// the most records; ties go to the higher count, then to the order above.
/// The delimiter named by Excel's `sep=;` first line, if the text starts
/// with one (Excel writes and honours it; the header follows it).
pub(crate) fn excel_sep(text: &[u8]) -> Option<u8> {
    match text {
        [s, e, p, b'=', d, rest @ ..]
            if [*s, *e, *p].eq_ignore_ascii_case(b"sep")
                && !matches!(d, b'\n' | b'\r' | b'"')
                && matches!(rest.first(), None | Some(b'\n' | b'\r')) =>
        {
            Some(*d)
        }
        _ => None,
    }
}

pub(crate) fn sniff_delimiter(sample: &[u8], eof: bool) -> u8 {
    const MAX_RECORDS: usize = 50;
    let mut records: Vec<[usize; 4]> = Vec::new();
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let mut nonempty = false;
    for &b in sample {
        if records.len() >= MAX_RECORDS {
            break;
        }
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                nonempty = true;
            }
            b'\n' | b'\r' if !in_quotes => {
                if nonempty {
                    records.push(counts);
                }
                counts = [0; 4];
                nonempty = false;
            }
            _ => {
                if !in_quotes && let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
                nonempty = true;
            }
        }
    }
    // The last record counts if the file ends there (not if the sample cut it).
    if nonempty && records.len() < MAX_RECORDS && (eof || records.is_empty()) {
        records.push(counts);
    }
    let Some(header) = records.first().copied() else {
        return b',';
    };
    let mut best: Option<(usize, usize, usize)> = None; // (consistent, header count, index)
    for i in 0..CANDIDATES.len() {
        if header[i] == 0 {
            continue;
        }
        let consistent = records[1..].iter().filter(|r| r[i] == header[i]).count();
        let better = match best {
            None => true,
            Some((c, h, _)) => consistent > c || (consistent == c && header[i] > h),
        };
        if better {
            best = Some((consistent, header[i], i));
        }
    }
    best.map_or(b',', |(_, _, i)| CANDIDATES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n", true), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\r\n1,5;2;3\r\n", true), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n1\t2\t3", true), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n", true), b'|');
        // Commas inside quotes do not win.
        assert_eq!(
            sniff_delimiter(b"\"a,b,c,d\";x\n\"1,2,3,4\";y\n", true),
            b';'
        );
        assert_eq!(sniff_delimiter(b"single\nvalue\n", true), b',');
        assert_eq!(sniff_delimiter(b"", true), b',');
    }

    #[test]
    fn utf8_judgement() {
        assert_eq!(judge_utf8(b"abc", false), Utf8Verdict::Ascii);
        assert_eq!(judge_utf8("Zürich".as_bytes(), true), Utf8Verdict::Utf8);
        assert_eq!(judge_utf8(b"Z\xfcrich", true), Utf8Verdict::NotUtf8);
        // A character cut at the end of a sample is fine, unless at EOF.
        assert_eq!(judge_utf8(b"a\xc3\xa9b\xc3", false), Utf8Verdict::Utf8);
        assert_eq!(judge_utf8(b"a\xe9b\xc3", true), Utf8Verdict::NotUtf8);
        assert_eq!(judge_utf8(b"ab\xe2\x82", false), Utf8Verdict::Ascii);
        // Mostly UTF-8 with a stray Windows-1252 value: UTF-8.
        assert_eq!(
            judge_utf8(b"Z\xc3\xbcrich,Gen\xc3\xa8ve,Z\xfcrich\n", true),
            Utf8Verdict::Utf8
        );
        assert_eq!(
            judge_utf8(b"Soci\xe9t\xe9 \xc3\xa9", true),
            Utf8Verdict::NotUtf8
        );
    }

    #[test]
    fn detect_looks_past_ascii_sample() {
        let sample = vec![b'a'; SAMPLE];
        let mut rest: &[u8] = b"aaa\nSoci\xe9t\xe9\n";
        assert_eq!(
            detect_encoding(&sample, false, &mut rest).ok(),
            Some(WINDOWS_1252)
        );
        let mut rest: &[u8] = "aaa\nSociété\n".as_bytes();
        assert_eq!(detect_encoding(&sample, false, &mut rest).ok(), Some(UTF_8));
        // A character cut between sample and rest.
        let mut sample = vec![b'a'; SAMPLE - 1];
        sample.push(0xc3);
        let mut rest: &[u8] = b"\xa9\n";
        assert_eq!(detect_encoding(&sample, false, &mut rest).ok(), Some(UTF_8));
    }
}
