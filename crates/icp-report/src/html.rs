//! Escaping and number formatting for the report's HTML and SVG.

use std::fmt::Write as _;

/// Escape text for HTML element content and quoted attribute values (also
/// valid in inline SVG): `& < > " '`. Control characters other than tab
/// and newline, which XML forbids, are dropped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with `…` when cut (for chart labels; the full
/// text goes in a `<title>`).
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

pub use icp_analytics::fmt::{group, group_i};

/// A share as a percentage: `42%`, `<1%` for small non-zero shares, `100%`.
pub fn pct(x: f64) -> String {
    if !x.is_finite() || x <= 0.0 {
        "0%".into()
    } else if x < 0.005 {
        "<1%".into()
    } else if x > 0.995 && x < 1.0 {
        ">99%".into()
    } else {
        format!("{:.0}%", x * 100.0)
    }
}

/// US dollars, short: `$950`, `$12.5k`, `$3.2M`, `$1.1B`.
pub fn money(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    let (v, unit) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e3 {
        (a / 1e3, "k")
    } else {
        return format!("{sign}${a:.0}");
    };
    let text = if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    format!("{sign}${}{unit}", text.trim_end_matches(".0"))
}

/// A mean or other decimal for people: one decimal, none when whole.
pub fn decimal(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// `1 account`, `2 accounts`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(n), if n == 1 { one } else { many })
}

/// Opens a major report section with its heading (closed by `</section>`).
pub(crate) fn open_section(out: &mut String, id: &str, heading: &str) {
    let _ = writeln!(
        out,
        "<section class=\"major\" id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{}</h2>",
        esc(heading)
    );
}

/// A chart with its caption.
pub(crate) fn figure(out: &mut String, svg: &str, caption: &str) {
    let _ = writeln!(
        out,
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        esc(caption)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("a\u{0}b\u{1b}c\n"), "abc\n");
    }

    #[test]
    fn clips_on_characters() {
        assert_eq!(clip("Zürich", 10), "Zürich");
        assert_eq!(clip("Zürich Versicherung", 6), "Züric…");
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(group(0), "0");
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(group(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(group_i(-1234), "-1,234");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(0.001), "<1%");
        assert_eq!(pct(0.4249), "42%");
        assert_eq!(pct(0.999), ">99%");
        assert_eq!(pct(1.0), "100%");
        assert_eq!(money(950.0), "$950");
        assert_eq!(money(12_500.0), "$12.5k");
        assert_eq!(money(50_000.0), "$50k");
        assert_eq!(money(3_240_000.0), "$3.2M");
        assert_eq!(money(250_000_000.0), "$250M");
        assert_eq!(decimal(2.0), "2");
        assert_eq!(decimal(2.26), "2.3");
        assert_eq!(plural(1, "account", "accounts"), "1 account");
        assert_eq!(plural(1200, "account", "accounts"), "1,200 accounts");
    }
}
