//! The condition language of filters and traits, e.g.
//! `employees between 100 and 1000 and industry in ["Software", "Financial Services"]`.
//!
//! Parsed once per run into an [`Expr`] tree with byte spans (so errors can
//! underline the offending text), then compiled by [`crate::compile`].

use std::ops::Range;

pub type Span = Range<usize>;

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Pred(Predicate),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Predicate {
    pub field: String,
    pub field_span: Span,
    pub test: Test,
    pub test_span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Number(f64),
    Text(String),
    /// Days since 0001-01-01.
    Date(i32),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Cmp(CmpOp, Literal),
    Between(Literal, Literal),
    In(Vec<String>),
    Contains(Vec<String>),
    Matches(String),
    HasAny(Vec<String>),
    HasAll(Vec<String>),
    /// Date within the last N days of the run's `as_of`.
    Within(i32),
    Present,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Days(i32),
    Date(i32),
    Op(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn tokens(src: &'a str) -> Result<Vec<(Tok, Span)>, ParseError> {
        let mut lx = Lexer { src, pos: 0 };
        let mut out = Vec::new();
        while let Some(t) = lx.next()? {
            out.push(t);
        }
        Ok(out)
    }

    fn err(&self, start: usize, end: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            span: start..end.max(start + 1).min(self.src.len().max(start + 1)),
            help: None,
        }
    }

    fn next(&mut self) -> Result<Option<(Tok, Span)>, ParseError> {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() && bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&c) = bytes.get(start) else {
            return Ok(None);
        };
        let rest = &self.src[start..];
        let tok = match c {
            b'(' => self.one(Tok::LParen),
            b')' => self.one(Tok::RParen),
            b'[' => self.one(Tok::LBracket),
            b']' => self.one(Tok::RBracket),
            b',' => self.one(Tok::Comma),
            b'=' | b'!' | b'<' | b'>' => {
                let two = rest.get(..2).unwrap_or("");
                let (op, len) = match two {
                    "==" => (CmpOp::Eq, 2),
                    "!=" => (CmpOp::Ne, 2),
                    "<=" => (CmpOp::Le, 2),
                    ">=" => (CmpOp::Ge, 2),
                    "<>" => (CmpOp::Ne, 2),
                    "=>" | "=<" => {
                        let want = if two == "=>" { ">=" } else { "<=" };
                        return Err(self.err(
                            start,
                            start + 2,
                            format!("`{two}` is not an operator: did you mean `{want}`?"),
                        ));
                    }
                    _ => match c {
                        b'=' => (CmpOp::Eq, 1),
                        b'<' => (CmpOp::Lt, 1),
                        b'>' => (CmpOp::Gt, 1),
                        _ => return Err(self.err(start, start + 1, "`!` must be followed by `=`")),
                    },
                };
                self.pos += len;
                Tok::Op(op)
            }
            b'"' | b'\'' => self.string(c)?,
            b'`' => {
                // `Lifecycle Stage`: a column name with spaces.
                let end = rest[1..]
                    .find('`')
                    .ok_or_else(|| self.err(start, self.src.len(), "unclosed ` in field name"))?;
                self.pos = start + end + 2;
                Tok::Ident(crate::fields::snake_case(&rest[1..end + 1]))
            }
            b'0'..=b'9' | b'$' | b'-' | b'.' => self.number()?,
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let len = rest
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(rest.len());
                self.pos += len;
                Tok::Ident(rest[..len].to_string())
            }
            _ => {
                let ch = rest.chars().next().map_or(1, char::len_utf8);
                return Err(self.err(
                    start,
                    start + ch,
                    format!("unexpected character `{}`", &rest[..ch]),
                ));
            }
        };
        Ok(Some((tok, start..self.pos)))
    }

    fn one(&mut self, t: Tok) -> Tok {
        self.pos += 1;
        t
    }

    fn string(&mut self, quote: u8) -> Result<Tok, ParseError> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = start + 1;
        let mut s = String::new();
        while i < bytes.len() {
            match bytes[i] {
                b if b == quote => {
                    self.pos = i + 1;
                    return Ok(Tok::Str(s));
                }
                // Only the quote and the backslash are escaped, so regexes
                // keep `\b`, `\d`, ...
                b'\\'
                    if i + 1 < bytes.len() && (bytes[i + 1] == quote || bytes[i + 1] == b'\\') =>
                {
                    s.push(bytes[i + 1] as char);
                    i += 2;
                }
                _ => {
                    let ch = self.src[i..].chars().next().unwrap_or('\u{fffd}');
                    s.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
        Err(self.err(start, self.src.len(), "unclosed string"))
    }

    /// Numbers (`100`, `1,200`? no: `1200`, `1.5k`, `$50M`), durations
    /// (`180d`, `6mo`, `2y`) and dates (`2024-01-31`).
    fn number(&mut self) -> Result<Tok, ParseError> {
        let start = self.pos;
        let rest = &self.src[start..];
        let b = rest.as_bytes();
        let mut len = 0;
        while len < b.len() {
            let c = b[len];
            // `1,200`: a comma followed by exactly three digits groups thousands.
            let thousands = c == b','
                && len > 0
                && b[len - 1].is_ascii_digit()
                && b.len() >= len + 4
                && b[len + 1..len + 4].iter().all(u8::is_ascii_digit)
                && !b.get(len + 4).is_some_and(u8::is_ascii_digit);
            if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'$' | b'-' | b'_') || thousands {
                len += 1;
            } else {
                break;
            }
        }
        let text = &rest[..len];
        self.pos += len;
        let bad = |lx: &Self, msg: String| lx.err(start, start + len, msg);
        if text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-' {
            return crate::value::parse_date(text)
                .map(Tok::Date)
                .ok_or_else(|| {
                    bad(
                        self,
                        format!("`{text}` is not a valid date (use YYYY-MM-DD)"),
                    )
                });
        }
        let split = text
            .find(|ch: char| ch.is_ascii_alphabetic())
            .unwrap_or(text.len());
        let (num, unit) = text.split_at(split);
        let days_per = unit_days(unit);
        if let Some(per) = days_per {
            let n: f64 = num.parse().map_err(|_| {
                bad(
                    self,
                    format!("`{text}` is not a duration (e.g. 180d, 6mo, 2y)"),
                )
            })?;
            return Ok(Tok::Days((n * per).round() as i32));
        }
        crate::value::parse_scalar(&text.replace('_', ""))
            .map(Tok::Num)
            .ok_or_else(|| {
                let mut e = bad(self, format!("`{text}` is not a number"));
                e.help = Some("numbers may use k, M and B suffixes (50M) and `_` as a separator; durations use d, w, mo or y".into());
                e
            })
    }
}

/// Parse one condition.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let toks = Lexer::tokens(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        len: src.len(),
    };
    if p.toks.is_empty() {
        return Err(ParseError {
            message: "empty condition".into(),
            span: 0..src.len().max(1),
            help: Some("write a condition such as `employees >= 100`".into()),
        });
    }
    let e = p.or()?;
    if let Some((t, span)) = p.toks.get(p.pos) {
        return Err(ParseError {
            message: format!("unexpected {} after a complete condition", describe(t)),
            span: span.clone(),
            help: Some("join conditions with `and` or `or`".into()),
        });
    }
    Ok(e)
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
    len: usize,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Str(s) => format!("text \"{s}\""),
        Tok::Num(n) => format!("number {n}"),
        Tok::Days(d) => format!("duration {d}d"),
        Tok::Date(_) => "a date".into(),
        Tok::Op(o) => format!("`{}`", o.symbol()),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn peek_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }

    fn span_here(&self) -> Span {
        self.toks
            .get(self.pos)
            .map(|(_, s)| s.clone())
            .unwrap_or(self.len..self.len + 1)
    }

    fn prev_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(0, |(_, s)| s.end)
    }

    fn bump(&mut self) -> Option<(Tok, Span)> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expected(&self, what: &str) -> ParseError {
        let found = self
            .peek()
            .map_or("the end of the condition".into(), describe);
        ParseError {
            message: format!("expected {what}, found {found}"),
            span: self.span_here(),
            help: None,
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let first = self.and()?;
        let mut items = vec![first];
        while self.peek_kw("or") {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(join(items, ExprKind::Or))
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let first = self.unary()?;
        let mut items = vec![first];
        while self.peek_kw("and") {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(join(items, ExprKind::And))
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.peek_kw("not") {
            let start = self.span_here().start;
            self.pos += 1;
            let inner = self.unary()?;
            let span = start..inner.span.end;
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(inner)),
                span,
            });
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let start = self.span_here().start;
        match self.peek() {
            Some(Tok::LParen) => {
                self.pos += 1;
                let mut e = self.or()?;
                match self.bump() {
                    Some((Tok::RParen, s)) => {
                        e.span = start..s.end;
                        Ok(e)
                    }
                    _ => {
                        self.pos -= 1;
                        Err(self.expected("`)`"))
                    }
                }
            }
            Some(Tok::Ident(name)) if name == "present" || name == "missing" => {
                let negate = name == "missing";
                let kw_span = self.span_here();
                self.pos += 1;
                if !matches!(self.peek(), Some(Tok::LParen)) {
                    self.pos -= 1;
                    return self.predicate();
                }
                self.pos += 1;
                let (field, field_span) = self.field()?;
                if !matches!(self.bump(), Some((Tok::RParen, _))) {
                    self.pos -= 1;
                    return Err(self.expected("`)`"));
                }
                let span = start..self.prev_end();
                let pred = Expr {
                    kind: ExprKind::Pred(Predicate {
                        field,
                        field_span,
                        test: Test::Present,
                        test_span: kw_span,
                    }),
                    span: span.clone(),
                };
                Ok(if negate {
                    Expr {
                        kind: ExprKind::Not(Box::new(pred)),
                        span,
                    }
                } else {
                    pred
                })
            }
            Some(Tok::Ident(_)) => self.predicate(),
            _ => Err(self.expected("a field name, `not` or `(`")),
        }
    }

    /// A field name, normalised to snake_case the way headers are, so
    /// `Employees` and `NumberOfEmployees` name the columns `employees` and
    /// `number_of_employees` read from the input.
    fn field(&mut self) -> Result<(String, Span), ParseError> {
        match self.bump() {
            Some((Tok::Ident(s), span)) => Ok((crate::fields::snake_case(&s), span)),
            _ => {
                self.pos -= 1;
                Err(self.expected("a field name"))
            }
        }
    }

    fn predicate(&mut self) -> Result<Expr, ParseError> {
        let (field, field_span) = self.field()?;
        let test_start = self.span_here().start;
        let mut negate = false;
        let test = match self.bump() {
            Some((Tok::Op(op), _)) => Test::Cmp(op, self.literal()?),
            Some((Tok::Ident(kw), kw_span)) => match kw.to_ascii_lowercase().as_str() {
                "between" => {
                    let lo = self.literal()?;
                    if !self.peek_kw("and") {
                        return Err(self.expected("`and` (between LOW and HIGH)"));
                    }
                    self.pos += 1;
                    let hi = self.literal()?;
                    Test::Between(lo, hi)
                }
                "in" => Test::In(self.text_list()?),
                "not" if self.peek_kw("in") => {
                    self.pos += 1;
                    negate = true;
                    Test::In(self.text_list()?)
                }
                "contains" => {
                    if self.peek_kw("any") {
                        self.pos += 1;
                    }
                    Test::Contains(self.text_or_list()?)
                }
                "matches" => match self.bump() {
                    Some((Tok::Str(s), _)) => Test::Matches(s),
                    _ => {
                        self.pos -= 1;
                        return Err(self.expected("a regular expression in quotes"));
                    }
                },
                "has" | "uses" => {
                    if self.peek_kw("all") {
                        self.pos += 1;
                        Test::HasAll(self.text_or_list()?)
                    } else {
                        if self.peek_kw("any") {
                            self.pos += 1;
                        }
                        Test::HasAny(self.text_or_list()?)
                    }
                }
                "within" => match self.bump() {
                    Some((Tok::Days(d), _)) => Test::Within(d),
                    // `within 180 days`
                    Some((Tok::Num(n), _))
                        if self.peek().is_some_and(
                            |t| matches!(t, Tok::Ident(u) if unit_days(u).is_some()),
                        ) =>
                    {
                        let Some((Tok::Ident(u), _)) = self.bump() else {
                            unreachable!("peeked")
                        };
                        Test::Within((n * unit_days(&u).unwrap_or(1.0)).round() as i32)
                    }
                    _ => {
                        self.pos -= 1;
                        return Err(self.expected("a duration such as 180d, 6mo or 2y"));
                    }
                },
                "before" => Test::Cmp(CmpOp::Lt, self.date()?),
                "after" => Test::Cmp(CmpOp::Gt, self.date()?),
                "is" => {
                    if self.peek_kw("not") {
                        self.pos += 1;
                        negate = true;
                    }
                    if self.peek_kw("present") {
                        self.pos += 1;
                        Test::Present
                    } else if self.peek_kw("missing") {
                        self.pos += 1;
                        negate = !negate;
                        Test::Present
                    } else {
                        return Err(self.expected("`present` or `missing` after `is`"));
                    }
                }
                _ => {
                    return Err(ParseError {
                        message: format!("unknown operator `{kw}`"),
                        span: kw_span,
                        help: Some(OPERATORS_HELP.into()),
                    });
                }
            },
            _ => {
                self.pos -= 1;
                let mut e = self.expected(&format!("an operator after `{field}`"));
                e.help = Some(OPERATORS_HELP.into());
                return Err(e);
            }
        };
        let test_span = test_start..self.prev_end();
        let span = field_span.start..test_span.end;
        let pred = Expr {
            kind: ExprKind::Pred(Predicate {
                field,
                field_span,
                test,
                test_span,
            }),
            span: span.clone(),
        };
        Ok(if negate {
            Expr {
                kind: ExprKind::Not(Box::new(pred)),
                span,
            }
        } else {
            pred
        })
    }

    fn literal(&mut self) -> Result<Literal, ParseError> {
        match self.bump() {
            Some((Tok::Num(n), _)) => Ok(Literal::Number(n)),
            Some((Tok::Str(s), _)) => Ok(Literal::Text(s)),
            Some((Tok::Date(d), _)) => Ok(Literal::Date(d)),
            // A bare word such as `B2B` reads as text.
            Some((Tok::Ident(s), _)) if !is_keyword(&s) => Ok(Literal::Text(s)),
            _ => {
                self.pos -= 1;
                Err(self.expected("a number, a date or text in quotes"))
            }
        }
    }

    fn date(&mut self) -> Result<Literal, ParseError> {
        match self.bump() {
            Some((Tok::Date(d), _)) => Ok(Literal::Date(d)),
            _ => {
                self.pos -= 1;
                Err(self.expected("a date (YYYY-MM-DD)"))
            }
        }
    }

    fn text_or_list(&mut self) -> Result<Vec<String>, ParseError> {
        match self.peek() {
            Some(Tok::LBracket) => self.text_list(),
            _ => match self.literal()? {
                Literal::Text(s) => Ok(vec![s]),
                Literal::Number(n) => Ok(vec![n.to_string()]),
                Literal::Date(_) => Err(self.expected("text in quotes")),
            },
        }
    }

    fn text_list(&mut self) -> Result<Vec<String>, ParseError> {
        if !matches!(self.bump(), Some((Tok::LBracket, _))) {
            self.pos -= 1;
            let mut e = self.expected("a list such as [\"Software\", \"Internet\"]");
            e.help = Some("`in` takes a list in square brackets".into());
            return Err(e);
        }
        let mut items = Vec::new();
        loop {
            match self.bump() {
                Some((Tok::RBracket, _)) => break,
                Some((Tok::Str(s), _)) => items.push(s),
                Some((Tok::Ident(s), _)) => items.push(s),
                Some((Tok::Num(n), _)) => items.push(n.to_string()),
                _ => {
                    self.pos -= 1;
                    return Err(self.expected("text in quotes or `]`"));
                }
            }
            match self.bump() {
                Some((Tok::Comma, _)) => {}
                Some((Tok::RBracket, _)) => break,
                _ => {
                    self.pos -= 1;
                    return Err(self.expected("`,` or `]`"));
                }
            }
        }
        Ok(items)
    }
}

const OPERATORS_HELP: &str = "operators: = != < <= > >=, between A and B, in [..], not in [..], contains, matches \"regex\", has \"tech\", has any/all [..], within 180d, before/after YYYY-MM-DD, is present, is missing";

/// Days in one duration unit (`d`, `w`, `mo`, `y` and their long forms).
fn unit_days(unit: &str) -> Option<f64> {
    match unit.to_ascii_lowercase().as_str() {
        "d" | "day" | "days" => Some(1.0),
        "w" | "week" | "weeks" => Some(7.0),
        "mo" | "month" | "months" => Some(30.4375),
        "y" | "yr" | "yrs" | "year" | "years" => Some(365.25),
        _ => None,
    }
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "and" | "or" | "not" | "in" | "between"
    )
}

fn join(mut items: Vec<Expr>, make: fn(Vec<Expr>) -> ExprKind) -> Expr {
    if items.len() == 1 {
        return items.pop().expect("one item");
    }
    let span = items[0].span.start..items[items.len() - 1].span.end;
    Expr {
        kind: make(items),
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pred(e: &Expr) -> &Predicate {
        match &e.kind {
            ExprKind::Pred(p) => p,
            other => panic!("not a predicate: {other:?}"),
        }
    }

    #[test]
    fn comparisons_and_suffixes() {
        let e = parse("revenue >= $50M").unwrap();
        assert_eq!(pred(&e).test, Test::Cmp(CmpOp::Ge, Literal::Number(50e6)));
        let e = parse("employees between 1.5k and 10_000").unwrap();
        assert_eq!(
            pred(&e).test,
            Test::Between(Literal::Number(1500.0), Literal::Number(10000.0))
        );
    }

    #[test]
    fn precedence_and_binds_tighter_than_or() {
        let e = parse("a = 1 or b = 2 and c = 3").unwrap();
        match e.kind {
            ExprKind::Or(items) => assert!(matches!(items[1].kind, ExprKind::And(_))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn between_and_does_not_split_the_condition() {
        let e = parse("employees between 10 and 20 and country = 'US'").unwrap();
        match e.kind {
            ExprKind::And(items) => assert_eq!(items.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sugar_forms() {
        assert!(matches!(
            parse("not (x = 1)").unwrap().kind,
            ExprKind::Not(_)
        ));
        assert!(matches!(
            parse("x not in ['a']").unwrap().kind,
            ExprKind::Not(_)
        ));
        assert!(matches!(
            parse("missing(x)").unwrap().kind,
            ExprKind::Not(_)
        ));
        assert_eq!(pred(&parse("x is present").unwrap()).test, Test::Present);
        assert_eq!(pred(&parse("present(x)").unwrap()).test, Test::Present);
        assert_eq!(
            pred(&parse("last_funding_date within 6mo").unwrap()).test,
            Test::Within(183)
        );
        assert_eq!(
            pred(&parse("technologies has all ['hubspot', \"stripe\"]").unwrap()).test,
            Test::HasAll(vec!["hubspot".into(), "stripe".into()])
        );
        assert_eq!(
            pred(&parse("`Lifecycle Stage` = customer").unwrap()).field,
            "lifecycle_stage"
        );
        assert_eq!(
            pred(&parse("job_title matches '^(cto|cio)$'").unwrap()).test,
            Test::Matches("^(cto|cio)$".into())
        );
        assert_eq!(
            pred(&parse("city = \"Zürich\"").unwrap()).test,
            Test::Cmp(CmpOp::Eq, Literal::Text("Zürich".into()))
        );
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let src = "employees >= 100 and industry is 'x'";
        let e = parse(src).unwrap_err();
        assert_eq!(&src[e.span.clone()], "'x'");
        let src = "employees >== 100";
        let e = parse(src).unwrap_err();
        assert_eq!(&src[e.span.clone()], "=");
        let e = parse("employees").unwrap_err();
        assert!(e.message.contains("operator"), "{e:?}");
        let src = "x = 'unterminated";
        assert_eq!(parse(src).unwrap_err().message, "unclosed string");
        let src = "industry in 'Software'";
        assert!(
            parse(src)
                .unwrap_err()
                .help
                .unwrap()
                .contains("square brackets")
        );
        assert!(parse("a = 1 b = 2").is_err());
        assert!(parse("(a = 1").is_err());
        assert!(parse("").is_err());
        assert!(parse("x within 3 parsecs").is_err());
        assert!(parse("d after 2024-13-01").is_err());
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "(",
            ")",
            "[",
            "]",
            ",",
            "!",
            "`",
            "`x",
            "'",
            "\"\\",
            "x in [",
            "x in ['a',",
            "not",
            "a between 1",
            "é",
            "x = 1 and",
            "present(",
            "present(x",
            "is",
        ] {
            let _ = parse(s);
        }
    }
}
