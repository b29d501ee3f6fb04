//! The const lists: placeholders, local-network suffixes, free-mail domains,
//! profile and link hosts.

/// Values that mean "no value" (compared case-insensitively).
pub const PLACEHOLDERS: &[&str] = &[
    "n/a",
    "n.a.",
    "n.a",
    "na",
    "#n/a",
    "-",
    "--",
    "---",
    "–",
    "—",
    "?",
    "??",
    ".",
    "_",
    "none",
    "null",
    "nil",
    "unknown",
    "tbd",
    "tba",
    "undefined",
    "not available",
    "not applicable",
    "no website",
    "no domain",
    "no email",
    "no url",
    "none provided",
    "not provided",
    "nan",
];

/// Suffixes of private-network names (never public).
pub const LOCAL_SUFFIXES: &[&str] = &[
    "local",
    "internal",
    "lan",
    "localdomain",
    "home.arpa",
    "intranet",
    "corp",
    "home",
    "private",
];

/// Free-mail domains. `name.*` matches that name under any public suffix
/// (`hotmail.co.uk`, `yahoo.co.jp`, `gmx.de`).
pub const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.*",
    "hotmail.*",
    "live.com",
    "live.co.uk",
    "live.de",
    "live.fr",
    "live.nl",
    "live.it",
    "live.ca",
    "live.com.au",
    "msn.com",
    "passport.com",
    "windowslive.com",
    "yahoo.*",
    "ymail.com",
    "rocketmail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.*",
    "aim.com",
    "proton.me",
    "protonmail.com",
    "protonmail.ch",
    "pm.me",
    "tutanota.com",
    "tutanota.de",
    "tuta.io",
    "tutamail.com",
    "gmx.*",
    "web.de",
    "freenet.de",
    "t-online.de",
    "mail.ru",
    "inbox.ru",
    "list.ru",
    "bk.ru",
    "rambler.ru",
    "yandex.*",
    "ya.ru",
    "qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "sina.cn",
    "sohu.com",
    "aliyun.com",
    "naver.com",
    "hanmail.net",
    "daum.net",
    "fastmail.com",
    "fastmail.fm",
    "hey.com",
    "hushmail.com",
    "mailfence.com",
    "posteo.de",
    "posteo.net",
    "mailbox.org",
    "disroot.org",
    "runbox.com",
    "laposte.net",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "sfr.fr",
    "libero.it",
    "virgilio.it",
    "tiscali.it",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "onet.pl",
    "interia.pl",
    "btinternet.com",
    "sky.com",
    "virginmedia.com",
    "blueyonder.co.uk",
    "comcast.net",
    "verizon.net",
    "att.net",
    "sbcglobal.net",
    "bellsouth.net",
    "cox.net",
    "charter.net",
    "earthlink.net",
    "juno.com",
    "bigpond.com",
    "optusnet.com.au",
    "shaw.ca",
    "rogers.com",
    "sympatico.ca",
    "rediffmail.com",
    "uol.com.br",
    "bol.com.br",
    "terra.com.br",
    "zohomail.com",
    "zohomail.eu",
    "email.com",
    "usa.com",
    "inbox.com",
    "lycos.com",
    "excite.com",
    "mailinator.com",
    "guerrillamail.com",
    "10minutemail.com",
    "temp-mail.org",
    "yopmail.com",
];

/// Free-mail only in an e-mail address: as a website they are the company's.
pub const FREE_MAIL_EMAIL_ONLY: &[&str] = &["zoho.com", "zoho.eu", "mail.com"];

/// Social, profile and link-shortener hosts (the host or any subdomain),
/// with the phrase used in the reason: "{phrase} link, not the company's site".
pub const PROFILE_HOSTS: &[(&str, &str)] = &[
    ("linkedin.com", "a LinkedIn profile"),
    ("lnkd.in", "a LinkedIn short"),
    ("facebook.com", "a Facebook profile"),
    ("fb.com", "a Facebook profile"),
    ("fb.me", "a Facebook short"),
    ("x.com", "an X profile"),
    ("twitter.com", "a Twitter profile"),
    ("t.co", "a Twitter short"),
    ("instagram.com", "an Instagram profile"),
    ("threads.net", "a Threads profile"),
    ("youtube.com", "a YouTube channel"),
    ("youtu.be", "a YouTube short"),
    ("tiktok.com", "a TikTok profile"),
    ("pinterest.com", "a Pinterest profile"),
    ("snapchat.com", "a Snapchat profile"),
    ("reddit.com", "a Reddit"),
    ("vk.com", "a VK profile"),
    ("weibo.com", "a Weibo profile"),
    ("xing.com", "a XING profile"),
    ("github.com", "a GitHub profile"),
    ("gitlab.com", "a GitLab profile"),
    ("medium.com", "a Medium profile"),
    ("substack.com", "a Substack"),
    ("crunchbase.com", "a Crunchbase profile"),
    ("angel.co", "an AngelList profile"),
    ("wellfound.com", "a Wellfound profile"),
    ("producthunt.com", "a Product Hunt"),
    ("glassdoor.com", "a Glassdoor profile"),
    ("indeed.com", "an Indeed profile"),
    ("zoominfo.com", "a ZoomInfo profile"),
    ("yelp.com", "a Yelp profile"),
    ("wikipedia.org", "a Wikipedia"),
    ("about.me", "an about.me profile"),
    ("linktr.ee", "a Linktree"),
    ("beacons.ai", "a Beacons"),
    ("bit.ly", "a bit.ly short"),
    ("bitly.com", "a bit.ly short"),
    ("goo.gl", "a goo.gl short"),
    ("tinyurl.com", "a TinyURL short"),
    ("ow.ly", "an ow.ly short"),
    ("buff.ly", "a buff.ly short"),
    ("rebrand.ly", "a Rebrandly short"),
    ("is.gd", "an is.gd short"),
    ("cutt.ly", "a cutt.ly short"),
    ("shorturl.at", "a shorturl.at short"),
    ("tiny.cc", "a tiny.cc short"),
    ("wa.me", "a WhatsApp"),
    ("t.me", "a Telegram"),
    ("discord.gg", "a Discord invite"),
    ("sites.google.com", "a Google Sites"),
    ("play.google.com", "a Google Play"),
    ("maps.google.com", "a Google Maps"),
    ("maps.app.goo.gl", "a Google Maps"),
    ("apps.apple.com", "an App Store"),
];

fn eq_or_sub(host: &str, entry: &str) -> bool {
    host == entry
        || (host.len() > entry.len()
            && host.ends_with(entry)
            && host.as_bytes()[host.len() - entry.len() - 1] == b'.')
}

pub fn is_placeholder(s: &str) -> bool {
    let s = s.trim();
    PLACEHOLDERS.iter().any(|p| p.eq_ignore_ascii_case(s))
}

pub fn is_local_network(host: &str) -> bool {
    LOCAL_SUFFIXES.iter().any(|suf| eq_or_sub(host, suf))
}

pub fn profile_site(host: &str) -> Option<&'static str> {
    PROFILE_HOSTS
        .iter()
        .find(|(h, _)| eq_or_sub(host, h))
        .map(|(_, what)| *what)
}

/// `domain` is the registrable domain, `label` its part before the suffix.
pub fn is_free_mail(domain: &str, label: &str, from_email: bool) -> bool {
    let hit = |entry: &&str| match entry.strip_suffix(".*") {
        Some(name) => name == label,
        None => *entry == domain,
    };
    FREE_MAIL.iter().any(hit) || (from_email && FREE_MAIL_EMAIL_ONLY.iter().any(hit))
}
