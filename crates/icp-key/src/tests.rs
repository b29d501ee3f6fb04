use super::*;
use proptest::prelude::*;

fn ok(raw: &str) -> String {
    match normalize_domain(raw) {
        Ok(d) => d.name,
        Err(e) => panic!("{raw:?}: {e}"),
    }
}

fn err(raw: &str) -> KeyError {
    match normalize_domain(raw) {
        Ok(d) => panic!("{raw:?} gave {d:?}"),
        Err(e) => e,
    }
}

#[test]
fn urls_and_hosts() {
    assert_eq!(ok("https://WWW.Example.co.uk/about"), "example.co.uk");
    assert_eq!(ok("shop.example.com:8080/x?y"), "example.com");
    assert_eq!(ok("http://user@example.com"), "example.com");
    assert_eq!(ok("http://user:pw@example.com:443/a@b"), "example.com");
    assert_eq!(ok("example.com."), "example.com");
    assert_eq!(ok("  \"<https://example.com/>\"  "), "example.com");
    assert_eq!(ok("'www.example.com'"), "example.com");
    assert_eq!(ok("//cdn.example.com/x"), "example.com");
    assert_eq!(ok("example.com#top"), "example.com");
    assert_eq!(ok("EXAMPLE.COM,"), "example.com");
    assert_eq!(ok("\u{feff}example.com"), "example.com");
    assert!(!normalize_domain("example.com").unwrap().from_email);
}

#[test]
fn psl_private_section_and_idn() {
    assert_eq!(ok("https://acme.github.io/docs"), "acme.github.io");
    assert_eq!(ok("x.herokuapp.com"), "x.herokuapp.com");
    assert_eq!(ok("münchen.de"), "xn--mnchen-3ya.de");
    assert_eq!(ok("https://www.MÜNCHEN.de/"), "xn--mnchen-3ya.de");
    assert_eq!(ok("xn--mnchen-3ya.de"), "xn--mnchen-3ya.de");
    assert_eq!(ok("пример.рф"), "xn--e1afmkfd.xn--p1ai");
    assert_eq!(ok("a.b.example.com.au"), "example.com.au");
}

#[test]
fn emails() {
    let d = normalize_domain("Jane <jane@Acme.io>").unwrap();
    assert_eq!(d.name, "acme.io");
    assert!(d.from_email);
    let d = normalize_domain("mailto:bob@sales.acme.co.uk?subject=hi").unwrap();
    assert_eq!(d.name, "acme.co.uk");
    assert!(d.from_email);
    assert_eq!(ok("MAILTO:Bob@Acme.com"), "acme.com");
    assert_eq!(ok("Jane Doe jane@acme.io"), "acme.io");
    assert!(normalize_domain("jane@acme.io").unwrap().from_email);
}

#[test]
fn blanks_and_placeholders() {
    assert_eq!(err(""), KeyError::Blank);
    assert_eq!(err("   "), KeyError::Blank);
    assert_eq!(err("\"\""), KeyError::Blank);
    for p in ["n/a", "N/A", "-", "none", "NULL", "unknown", "Unknown"] {
        assert!(matches!(err(p), KeyError::Placeholder(_)), "{p}");
    }
    assert_eq!(
        err("n/a").to_string(),
        "no company domain (placeholder \"n/a\")"
    );
}

#[test]
fn not_public_hosts() {
    assert!(matches!(err("localhost"), KeyError::Localhost(_)));
    assert!(matches!(
        err("http://localhost:3000/x"),
        KeyError::Localhost(_)
    ));
    assert!(matches!(err("127.0.0.1"), KeyError::IpAddress(_)));
    assert!(matches!(
        err("http://10.0.0.1:8080/"),
        KeyError::IpAddress(_)
    ));
    assert!(matches!(err("http://[::1]/"), KeyError::IpAddress(_)));
    assert!(matches!(err("2001:db8::1"), KeyError::IpAddress(_)));
    assert!(matches!(err("intranet"), KeyError::SingleLabel(_)));
    assert!(matches!(err("printer.local"), KeyError::LocalNetwork(_)));
    assert!(matches!(
        err("svc.corp.internal"),
        KeyError::LocalNetwork(_)
    ));
    assert_eq!(
        err("acme.notatld"),
        KeyError::UnknownSuffix {
            host: "acme.notatld".into(),
            suffix: "notatld".into()
        }
    );
    assert!(matches!(err("co.uk"), KeyError::PublicSuffix(_)));
    assert!(matches!(err("github.io"), KeyError::PublicSuffix(_)));
}

#[test]
fn not_a_host() {
    for t in [
        "not a website",
        "acme corp",
        "http://",
        "exa_mple.com",
        "-acme.com",
        "a..b.com",
        "@",
        "mailto:",
        "ftp://exa mple.com",
        "example.com:abc",
    ] {
        assert!(matches!(err(t), KeyError::NotAHost(_)), "{t}: {:?}", err(t));
    }
    assert_eq!(
        err("not a website").to_string(),
        "\"not a website\" is not a domain, URL or e-mail address"
    );
}

#[test]
fn free_mail() {
    for t in [
        "jane@gmail.com",
        "gmail.com",
        "John <john@GoogleMail.com>",
        "x@hotmail.co.uk",
        "x@yahoo.co.jp",
        "x@gmx.de",
        "x@web.de",
        "x@yandex.ru",
        "x@proton.me",
        "x@qq.com",
        "x@163.com",
        "x@icloud.com",
        "https://outlook.com",
        "x@zoho.com",
    ] {
        assert!(
            matches!(err(t), KeyError::FreeMail { .. }),
            "{t}: {:?}",
            err(t)
        );
    }
    // zoho.com is free-mail only in an address: as a site it is Zoho's.
    assert_eq!(ok("https://www.zoho.com"), "zoho.com");
    assert_eq!(
        err("jane@gmail.com").to_string(),
        "gmail.com is a free-mail domain (a person's address, not a company's)"
    );
    // A company under a free-mail-looking name is not caught by accident.
    assert_eq!(ok("gmailer.com"), "gmailer.com");
    assert_eq!(ok("live-events.com"), "live-events.com");
}

#[test]
fn profile_links() {
    let e = err("https://www.linkedin.com/company/acme");
    assert_eq!(
        e.to_string(),
        "a LinkedIn profile link, not the company's site"
    );
    for t in [
        "facebook.com/acme",
        "https://x.com/acme",
        "twitter.com/acme",
        "instagram.com/acme",
        "https://www.youtube.com/@acme",
        "tiktok.com/@acme",
        "github.com/acme",
        "bit.ly/3xyz",
        "linktr.ee/acme",
        "t.co/abc",
        "goo.gl/abc",
        "tinyurl.com/abc",
        "crunchbase.com/organization/acme",
        "angel.co/acme",
        "medium.com/@acme",
        "https://sites.google.com/view/acme",
    ] {
        assert!(
            matches!(err(t), KeyError::ProfileLink { .. }),
            "{t}: {:?}",
            err(t)
        );
    }
    assert_eq!(ok("box.com"), "box.com");
    assert_eq!(ok("www.google.com"), "google.com");
}

fn headers(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| s.to_string()).collect()
}

#[test]
fn detect_precedence() {
    let h = headers(&["Email", "Website URL", "Name", "Company Domain Name"]);
    let k = KeyColumns::detect(&h, None);
    let idx: Vec<usize> = k.columns().iter().map(|c| c.0).collect();
    assert_eq!(idx, [3, 1, 0]);
    let h = headers(&[
        "website_url",
        "company_domain",
        "Work Email",
        "Organization - Website",
    ]);
    let idx: Vec<usize> = KeyColumns::detect(&h, None)
        .columns()
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(idx, [1, 0, 3, 2]);
    let h = headers(&["\u{feff}DOMAIN", "email_address", "URL"]);
    let idx: Vec<usize> = KeyColumns::detect(&h, None)
        .columns()
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(idx, [0, 2, 1]);
}

#[test]
fn detect_explicit_and_missing() {
    let h = headers(&["Name", "Site Link", "Website"]);
    let k = KeyColumns::detect(&h, Some("site link"));
    assert_eq!(k.columns(), &[(1, "Site Link".to_string())]);
    assert_eq!(
        k.key_for(&["x", "acme.com", "other.com"]).unwrap().name,
        "acme.com"
    );

    let k = KeyColumns::detect(&h, Some("Nope"));
    let e = k.check().unwrap_err();
    assert!(e.is_file_level());
    assert!(e.to_string().contains("\"Nope\""));
    assert_eq!(k.key_for(&["a", "b", "c"]), Err(e));

    let k = KeyColumns::detect(&headers(&["Name", "City"]), None);
    let e = k.check().unwrap_err();
    assert!(e.is_file_level());
    assert!(matches!(e, KeyError::NoKeyColumn { .. }));
    assert!(e.to_string().contains("\"Company Domain Name\""));
    assert!(e.to_string().contains("\"Email\""));
}

#[test]
fn key_for_rows() {
    let h = headers(&["Name", "Company Domain Name", "Website URL", "Email"]);
    let k = KeyColumns::detect(&h, None);
    // First non-blank wins.
    assert_eq!(
        k.key_for(&["A", "", "https://www.acme.com", "x@other.com"])
            .unwrap()
            .name,
        "acme.com"
    );
    assert_eq!(
        k.key_for(&["A", "acme.io", "acme.com", ""]).unwrap().name,
        "acme.io"
    );
    // Placeholders are passed over.
    assert_eq!(
        k.key_for(&["A", "n/a", "", "jane@acme.de"]).unwrap().name,
        "acme.de"
    );
    assert!(
        k.key_for(&["A", "n/a", "", "jane@acme.de"])
            .unwrap()
            .from_email
    );
    // Profile link falls through to a company domain in the e-mail.
    assert_eq!(
        k.key_for(&["A", "", "linkedin.com/company/acme", "jane@acme.com"])
            .unwrap()
            .name,
        "acme.com"
    );
    // Free-mail and profile only: the first column's error.
    let e = k
        .key_for(&["A", "", "linkedin.com/company/acme", "jane@gmail.com"])
        .unwrap_err();
    assert!(matches!(e, KeyError::ProfileLink { .. }));
    let e = k.key_for(&["A", "", "", "jane@gmail.com"]).unwrap_err();
    assert!(matches!(e, KeyError::FreeMail { .. }));
    // An invalid value does not fall through.
    let e = k.key_for(&["A", "localhost", "acme.com", ""]).unwrap_err();
    assert!(matches!(e, KeyError::Localhost(_)));
    // Free-mail first, then an invalid value: the free-mail reason.
    let e = k
        .key_for(&["A", "gmail.com", "not a site", ""])
        .unwrap_err();
    assert!(matches!(e, KeyError::FreeMail { .. }));
    // All blank, short rows.
    assert_eq!(k.key_for(&["A", "", " ", ""]), Err(KeyError::Blank));
    assert_eq!(k.key_for(&["A"]), Err(KeyError::Blank));
    assert!(matches!(
        k.key_for(&["A", "-", "", ""]),
        Err(KeyError::Placeholder(_))
    ));
    let empty: [&str; 0] = [];
    assert_eq!(k.key_for(&empty), Err(KeyError::Blank));
    // Owned strings work too.
    let row = vec!["A".to_string(), "acme.com".to_string()];
    assert_eq!(k.key_for(&row).unwrap().name, "acme.com");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_and_idempotent(s in "\\PC{0,60}") {
        if let Ok(d) = normalize_domain(&s) {
            let again = normalize_domain(d.as_str());
            prop_assert_eq!(again.as_ref().map(|x| x.as_str()), Ok(d.as_str()));
            prop_assert!(!again.unwrap().from_email);
        }
    }

    #[test]
    fn url_like_idempotent(
        scheme in "(https?://|//|mailto:|)",
        user in "([a-zA-Z0-9.]{1,8}@|)",
        labels in proptest::collection::vec("[a-zA-Z0-9äöüß-]{1,12}", 1..4),
        tld in "(com|co\\.uk|de|io|github\\.io|herokuapp\\.com|рф|notatld|local)",
        tail in "(:[0-9]{1,5}|)(/[a-z?=&@]{0,10}|)",
    ) {
        let s = format!("{scheme}{user}{}.{tld}{tail}", labels.join("."));
        if let Ok(d) = normalize_domain(&s) {
            prop_assert_eq!(normalize_domain(d.as_str()).map(|x| x.name), Ok(d.name.clone()));
        }
    }

    #[test]
    fn key_for_never_panics(
        h in proptest::collection::vec("\\PC{0,12}", 0..5),
        row in proptest::collection::vec("\\PC{0,30}", 0..6),
        explicit in proptest::option::of("\\PC{0,8}"),
    ) {
        let k = KeyColumns::detect(&h, explicit.as_deref());
        let _ = k.key_for(&row);
    }
}

#[test]
fn record_id_columns_of_crm_exports() {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(id_column(&h(&["Company name", "Record ID"])), Some(1));
    assert_eq!(id_column(&h(&["Account ID", "Account Name"])), Some(0));
    assert_eq!(id_column(&h(&["Organization - ID", "Website"])), Some(0));
    assert_eq!(id_column(&h(&["Website", "Identity"])), None);
}

#[test]
fn member_keys_are_the_email_else_the_handle() {
    use crate::{MemberKeyError, member_key};
    let k = |e: Option<&str>, h: Option<&str>| member_key(e, h);
    assert_eq!(
        k(Some(" Ada@Northwind.com "), Some("ada.dev")),
        Ok("ada@northwind.com".into())
    );
    assert_eq!(
        k(Some("lurker42@outlook.com"), None),
        Ok("lurker42@outlook.com".into())
    );
    // Handles are written @handle, so they are never taken for e-mails.
    assert_eq!(k(Some(""), Some("@ML_Mike")), Ok("@ml_mike".into()));
    assert_eq!(
        k(None, Some("@alice@mastodon.social")),
        Ok("@alice@mastodon.social".into())
    );
    assert_eq!(k(Some("n/a"), Some("priya_it")), Ok("@priya_it".into()));
    assert_eq!(k(Some("not an email"), Some("sam")), Ok("@sam".into()));
    assert_eq!(
        k(Some("not-an-email"), None),
        Err(MemberKeyError::BadEmail("not-an-email".into()))
    );
    assert_eq!(k(None, Some("  ")), Err(MemberKeyError::Blank));
    assert_eq!(k(None, None), Err(MemberKeyError::Blank));
}
