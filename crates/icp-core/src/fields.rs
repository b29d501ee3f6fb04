//! Canonical fields: their types, the CRM export headers that map onto them,
//! and the normalisers that turn CRM and provider values into one form
//! (industry onto one taxonomy, country onto ISO 3166 alpha-2).

use crate::value::{Kind, Value, fold_key, fold_text, parse_as};

/// A field every reader and source maps into.
pub struct Canonical {
    pub name: &'static str,
    pub kind: Kind,
    pub about: &'static str,
}

macro_rules! canonical {
    ($($name:literal $kind:ident $about:literal),* $(,)?) => {
        pub const CANONICAL: &[Canonical] = &[$(Canonical { name: $name, kind: Kind::$kind, about: $about }),*];
    };
}

canonical! {
    "domain" Text "registrable domain of the company, e.g. example.co.uk",
    "name" Text "company name",
    "industry" Text "industry on icp's taxonomy (e.g. Software, Financial Services); raw value in industry_raw",
    "employees" Number "headcount: a number or a range such as 51-200",
    "revenue" Number "annual revenue in USD: a number or a band such as $10M-$50M",
    "valuation" Number "company valuation in USD",
    "funding_total" Number "total funding raised in USD",
    "country" Text "ISO 3166 alpha-2 code; raw value in country_raw",
    "region" Text "state, province or region",
    "city" Text "city",
    "founded_year" Number "year the company was founded",
    "company_age" Number "years since founded_year at the run's as_of (derived)",
    "business_model" Text "B2B, B2C or B2B2C",
    "funding_stage" Text "e.g. Seed, Series A, Series B, Public",
    "last_funding_date" Date "date of the last funding round",
    "ownership" Text "private, public, subsidiary, ...",
    "partners" List "partner companies or programmes",
    "technologies" List "technology ids (see the technographic rules file)",
    "intent_score" Number "decayed intent score",
    "intent_surge" Number "last 7 days vs the 90-day baseline (1.0 = normal)",
    "intent_last_seen" Date "date of the latest intent event",
    "intent_topics" List "top intent topics",
    "job_title" Text "a person's job title",
    "seniority" Text "a person's seniority (c-level, vp, director, manager, ...)",
    "department" Text "a person's department",
    "role" Text "community member role (developer, it professional, analyst, ...)",
    "email" Text "e-mail address",
    "handle" Text "community handle",
    "join_date" Date "date the member joined the community",
    "last_active" Date "date of the member's latest activity",
    "posts" Number "posts written",
    "replies" Number "replies written",
    "events_attended" Number "events, webinars and meetups attended",
    "contributions" Number "contributions (answers accepted, code, content)",
}

pub fn canonical(name: &str) -> Option<&'static Canonical> {
    CANONICAL.iter().find(|c| c.name == name)
}

/// Normalise a header to the snake_case name conditions use:
/// "Lifecycle Stage" -> "lifecycle_stage", "Country/Region" -> "country_region".
pub fn snake_case(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut prev_lower = false;
    for c in header.trim().trim_start_matches('\u{feff}').chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower {
                out.push('_');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            out.extend(c.to_lowercase());
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// The column of `headers` holding `field`: the header whose snake_case
/// name is the field, else a known CRM header for it.
pub fn column_for(headers: &[String], field: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| snake_case(h) == field)
        .or_else(|| {
            headers
                .iter()
                .position(|h| canonical_for_header(h) == Some(field))
        })
}

/// The canonical field a CRM export header stands for (HubSpot, Salesforce,
/// Pipedrive and provider names), if any. Compares snake_case forms.
pub fn canonical_for_header(header: &str) -> Option<&'static str> {
    let h = snake_case(header);
    if canonical(&h).is_some() && h != "company_age" {
        return CANONICAL.iter().find(|c| c.name == h).map(|c| c.name);
    }
    let name = match h.as_str() {
        "company_domain_name" | "company_domain" | "website_domain" | "primary_domain" => "domain",
        "company_name" | "company" | "account_name" | "organization_name" | "organization"
        | "organisation_name" => "name",
        "industry_category" | "category_industry" | "sector" => "industry",
        "number_of_employees"
        | "employee_count"
        | "employees_count"
        | "num_employees"
        | "estimated_num_employees"
        | "headcount"
        | "company_size"
        | "size"
        | "employee_range" => "employees",
        "annual_revenue" | "annualrevenue" | "estimated_annual_revenue" | "revenue_usd" => {
            "revenue"
        }
        "country_region" | "billing_country" | "country_code" | "hq_country"
        | "country_of_address" => "country",
        "state_region" | "billing_state_province" | "state" | "province" => "region",
        "billing_city" | "hq_city" | "city_town_village_locality_of_address" => "city",
        "year_founded" | "founded" | "founded_in" => "founded_year",
        "tech" | "technology_names" | "tech_stack" | "technology" => "technologies",
        "last_funding_round_date" | "latest_funding_date" | "last_round_date" => {
            "last_funding_date"
        }
        "last_funding_stage" | "latest_funding_stage" | "funding_round" => "funding_stage",
        "total_funding" | "total_money_raised" | "total_funding_usd" => "funding_total",
        "title" | "job_function_title" => "job_title",
        "e_mail" | "email_address" | "work_email" => "email",
        "username" | "user_name" | "login" => "handle",
        "joined_at" | "joined" | "member_since" => "join_date",
        "last_active_at" | "last_seen" | "last_activity_date" => "last_active",
        // Pipedrive: "Organization - Number of employees", ...
        _ => {
            return ["organization_", "organisation_"]
                .iter()
                .find_map(|p| h.strip_prefix(p))
                .and_then(canonical_for_header);
        }
    };
    Some(name)
}

/// Parse a raw value for a field: canonical fields get their normaliser
/// (industry taxonomy, ISO country codes), others parse as `kind`.
pub fn parse_field(field: &str, kind: Kind, raw: &str) -> Value {
    match (field, kind) {
        ("industry", Kind::Text) => match parse_as(Kind::Text, raw) {
            Value::Text(t) => {
                Value::Text(industry_for(&t).map_or(t, |canon| fold_text(canon).into()))
            }
            v => v,
        },
        ("country", Kind::Text) => match parse_as(Kind::Text, raw) {
            Value::Text(t) => {
                Value::Text(country_code(&t).map_or(t, |code| code.to_ascii_lowercase().into()))
            }
            v => v,
        },
        // A headcount is a whole number ("1.200" is European for 1,200)
        // and never negative.
        ("employees", Kind::Number) => {
            let v = match dotted_thousands(raw) {
                Some(plain) => parse_as(kind, &plain),
                None => parse_as(kind, raw),
            };
            match v {
                Value::Num(n) if n < 0.0 => Value::Missing,
                Value::Range(lo, _) if lo < 0.0 => Value::Missing,
                v => v,
            }
        }
        _ => parse_as(kind, raw),
    }
}

/// `raw` without the dots that group thousands, when it uses them
/// ("1.200" -> "1200", "10.001+" -> "10001+", "1.001-5.000"); `None` when
/// it has none or also has a comma ("1.5k", "1.2", "1,200.50").
fn dotted_thousands(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    if !b.contains(&b'.') || b.contains(&b',') {
        return None;
    }
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let grouping = |i: usize| {
        b[i] == b'.' && i > 0 && digit(i - 1) && (1..=3).all(|k| digit(i + k)) && !digit(i + 4)
    };
    if !(0..b.len()).filter(|&i| b[i] == b'.').all(grouping) {
        return None;
    }
    Some(raw.replace('.', ""))
}

/// icp's industry taxonomy: HubSpot's option labels and internal values,
/// Salesforce picklist names and providers' lower-case names map onto it.
const INDUSTRIES: &[(&str, &[&str])] = &[
    (
        "Software",
        &[
            "computer software",
            "software",
            "software development",
            "saas",
            "enterprise software",
        ],
    ),
    (
        "Information Technology",
        &[
            "information technology and services",
            "information technology & services",
            "it services and it consulting",
            "technology",
            "information technology",
            "computer & network security",
            "computer and network security",
            "computer networking",
        ],
    ),
    (
        "Internet",
        &["internet", "online media", "e-commerce", "ecommerce"],
    ),
    (
        "Financial Services",
        &[
            "financial services",
            "finance",
            "investment management",
            "investment banking",
            "capital markets",
            "venture capital & private equity",
            "venture capital and private equity",
            "fintech",
        ],
    ),
    ("Banking", &["banking"]),
    ("Insurance", &["insurance"]),
    (
        "Healthcare",
        &[
            "hospital & health care",
            "hospital and health care",
            "hospitals and health care",
            "healthcare",
            "health care",
            "health, wellness & fitness",
            // HubSpot's label; its internal value folds to the next one.
            "health, wellness and fitness",
            "health wellness and fitness",
            "medical practice",
            "mental health care",
        ],
    ),
    ("Biotechnology", &["biotechnology", "biotech"]),
    (
        "Pharmaceuticals",
        &["pharmaceuticals", "pharmaceutical manufacturing"],
    ),
    (
        "Medical Devices",
        &["medical devices", "medical equipment manufacturing"],
    ),
    (
        "Manufacturing",
        &[
            "manufacturing",
            "industrial automation",
            "machinery",
            "mechanical or industrial engineering",
            "electrical/electronic manufacturing",
            "electrical and electronic manufacturing",
        ],
    ),
    (
        "Retail",
        &[
            "retail",
            "consumer goods",
            "apparel & fashion",
            "apparel and fashion",
            "luxury goods & jewelry",
            "sporting goods",
        ],
    ),
    (
        "Marketing & Advertising",
        &[
            "marketing and advertising",
            "marketing & advertising",
            "advertising services",
            "public relations and communications",
        ],
    ),
    ("Real Estate", &["real estate", "commercial real estate"]),
    (
        "Construction",
        &[
            "construction",
            "building materials",
            "architecture & planning",
            "architecture and planning",
        ],
    ),
    (
        "Education",
        &[
            "education",
            "education management",
            "higher education",
            "e-learning",
            "primary/secondary education",
            "education administration programs",
        ],
    ),
    (
        "Government",
        &[
            "government administration",
            "government",
            "public sector",
            "government relations",
        ],
    ),
    (
        "Nonprofit",
        &[
            "non-profit organization management",
            "nonprofit organization management",
            "non-profit organizations",
            "nonprofit",
            "non-profit",
            "philanthropy",
        ],
    ),
    ("Telecommunications", &["telecommunications", "wireless"]),
    (
        "Media & Entertainment",
        &[
            "media",
            "entertainment",
            "media production",
            "broadcast media",
            "publishing",
            "newspapers",
            "music",
            "computer games",
            "online audio and video media",
        ],
    ),
    (
        "Hospitality",
        &[
            "hospitality",
            "restaurants",
            "food & beverages",
            "food and beverage services",
            "leisure, travel & tourism",
            "leisure travel and tourism",
        ],
    ),
    (
        "Transportation & Logistics",
        &[
            "logistics and supply chain",
            "transportation/trucking/railroad",
            "transportation",
            "logistics",
            "airlines/aviation",
            "truck transportation",
        ],
    ),
    (
        "Energy",
        &[
            "oil & energy",
            "oil and energy",
            "renewables & environment",
            "renewables and environment",
            "utilities",
            "energy",
        ],
    ),
    (
        "Consulting",
        &[
            "management consulting",
            "consulting",
            "business consulting and services",
        ],
    ),
    ("Legal", &["law practice", "legal services", "legal"]),
    ("Accounting", &["accounting"]),
    (
        "Staffing & Recruiting",
        &[
            "staffing and recruiting",
            "staffing & recruiting",
            "human resources",
            "human resources services",
        ],
    ),
    ("Automotive", &["automotive", "motor vehicle manufacturing"]),
    (
        "Local Services",
        &[
            "consumer services",
            "individual & family services",
            "individual and family services",
            "facilities services",
            "events services",
            "cosmetics",
            "personal care services",
            "home services",
            "veterinary",
            "wellness and fitness services",
        ],
    ),
];

/// Map a folded industry label (or a HubSpot internal value such as
/// `computer_software`) onto the taxonomy. Labels are compared on their
/// letters and digits only, so an internal value, whose `&`, `/`, `-` and
/// `,` HubSpot drops (`HOSPITAL_HEALTH_CARE`, `E_LEARNING`), finds the
/// label it stands for ("Hospital & Health Care", "E-Learning").
pub fn industry_for(folded: &str) -> Option<&'static str> {
    static INDEX: std::sync::OnceLock<std::collections::HashMap<String, &'static str>> =
        std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut m = std::collections::HashMap::new();
        for (canon, aliases) in INDUSTRIES {
            m.insert(fold_key(canon), *canon);
            for a in *aliases {
                m.entry(fold_key(a)).or_insert(*canon);
            }
        }
        m
    });
    index.get(fold_key(folded).as_str()).copied()
}

/// The taxonomy's names, for docs and the linter.
pub fn industries() -> impl Iterator<Item = &'static str> {
    INDUSTRIES.iter().map(|(c, _)| *c)
}

/// ISO 3166 alpha-2 code for a country written as a code or a name
/// ("Germany", "germany", "DE", "DEU", "United States", "USA", "UK",
/// "New Zealand", "Côte d'Ivoire", "日本").
pub fn country_code(raw: &str) -> Option<&'static str> {
    let t = raw.trim();
    let alias = match fold_text(t).as_str() {
        "uk" | "united kingdom" | "great britain" | "england" | "scotland" | "wales"
        | "northern ireland" => "GB",
        "usa" | "us" | "u.s." | "u.s.a." | "united states of america" | "america" => "US",
        "uae" | "united arab emirates" => "AE",
        "south korea" | "korea" | "korea, republic of" | "republic of korea" | "한국"
        | "대한민국" => "KR",
        "russia" | "russian federation" | "россия" => "RU",
        "deutschland" => "DE",
        "españa" | "espana" => "ES",
        "italia" => "IT",
        "schweiz" | "suisse" | "svizzera" => "CH",
        "österreich" | "osterreich" => "AT",
        "nederland" => "NL",
        "méxico" => "MX",
        "brasil" => "BR",
        "türkiye" | "turkiye" | "turkey" => "TR",
        "vietnam" | "viet nam" => "VN",
        "iran" => "IR",
        "taiwan" | "台灣" | "台湾" => "TW",
        "hong kong" | "香港" => "HK",
        "ivory coast" => "CI",
        "bolivia" => "BO",
        "venezuela" => "VE",
        "tanzania" => "TZ",
        "syria" => "SY",
        "laos" => "LA",
        "moldova" => "MD",
        "macedonia" | "north macedonia" => "MK",
        "czech republic" | "czechia" => "CZ",
        "the netherlands" | "holland" => "NL",
        "china"
        | "people's republic of china"
        | "peoples republic of china"
        | "prc"
        | "mainland china"
        | "中国" => "CN",
        "japan" | "日本" => "JP",
        _ => "",
    };
    if !alias.is_empty() {
        return Some(alias);
    }
    use std::str::FromStr;
    // celes keys names by their letters only, without accents
    // ("newzealand", "cotedivoire", "curacao").
    let key = country_key(t);
    let c = celes::Country::from_str(t)
        .or_else(|_| celes::Country::from_alpha2(t.to_ascii_uppercase()))
        .or_else(|_| celes::Country::from_alpha3(t.to_ascii_uppercase()))
        .or_else(|_| celes::Country::from_str(&key))
        .or_else(|_| celes::Country::from_name(&key))
        .or_else(|_| celes::Country::from_alias(&key))
        .or_else(|_| celes::Country::from_name(format!("the{key}")))
        .ok()?;
    Some(c.alpha2)
}

/// Lower-case letters and digits of `s`, with Latin accents dropped
/// ("Côte d'Ivoire" -> "cotedivoire").
fn country_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            c if c.is_alphanumeric() => c,
            _ => continue,
        };
        out.push(plain);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_from_crm_exports() {
        for (h, f) in [
            ("Company Domain Name", "domain"),
            ("Number of Employees", "employees"),
            ("Annual Revenue", "revenue"),
            ("Country/Region", "country"),
            ("Billing Country", "country"),
            ("Account Name", "name"),
            ("Organization - Name", "name"),
            ("Organization - Number of employees", "employees"),
            ("Organization - Annual revenue", "revenue"),
            ("Organization - Industry", "industry"),
            ("Organization - Country of Address", "country"),
            (
                "Organization - City/town/village/locality of Address",
                "city",
            ),
            ("Industry", "industry"),
            ("Employees", "employees"),
            ("NumberOfEmployees", "employees"),
            ("Year Founded", "founded_year"),
            ("technologies", "technologies"),
        ] {
            assert_eq!(canonical_for_header(h), Some(f), "{h}");
        }
        assert_eq!(canonical_for_header("Lifecycle Stage"), None);
        assert_eq!(canonical_for_header("Organization - Owner"), None);
        assert_eq!(
            canonical_for_header("company_age"),
            None,
            "derived, never read"
        );
        assert_eq!(snake_case("Lifecycle Stage"), "lifecycle_stage");
        assert_eq!(snake_case("\u{feff}Record ID"), "record_id");
        assert_eq!(snake_case("NumberOfEmployees"), "number_of_employees");
        assert_eq!(
            snake_case("  Organization - Website "),
            "organization_website"
        );
    }

    #[test]
    fn industries_onto_the_taxonomy() {
        let ind = |raw: &str| parse_field("industry", Kind::Text, raw);
        assert_eq!(ind("COMPUTER_SOFTWARE"), Value::Text("software".into()));
        assert_eq!(ind("Computer Software"), Value::Text("software".into()));
        // A HubSpot option reads the same as a label and as an internal value.
        assert_eq!(
            ind("Health, Wellness and Fitness"),
            ind("HEALTH_WELLNESS_AND_FITNESS")
        );
        assert_eq!(
            ind("Health, Wellness and Fitness"),
            Value::Text("healthcare".into())
        );
        assert_eq!(
            ind("financial services"),
            Value::Text("financial services".into())
        );
        assert_eq!(
            ind("Hospital & Health Care"),
            Value::Text("healthcare".into())
        );
        // HubSpot's internal values drop the label's `&`, `/`, `-` and `,`.
        for (internal, label, canon) in [
            (
                "HOSPITAL_HEALTH_CARE",
                "Hospital & Health Care",
                "healthcare",
            ),
            (
                "COMPUTER_NETWORK_SECURITY",
                "Computer & Network Security",
                "information technology",
            ),
            (
                "VENTURE_CAPITAL_PRIVATE_EQUITY",
                "Venture Capital & Private Equity",
                "financial services",
            ),
            ("FOOD_BEVERAGES", "Food & Beverages", "hospitality"),
            ("E_LEARNING", "E-Learning", "education"),
            (
                "NON_PROFIT_ORGANIZATION_MANAGEMENT",
                "Non-Profit Organization Management",
                "nonprofit",
            ),
            ("OIL_ENERGY", "Oil & Energy", "energy"),
            (
                "PRIMARY_SECONDARY_EDUCATION",
                "Primary/Secondary Education",
                "education",
            ),
            (
                "RENEWABLES_ENVIRONMENT",
                "Renewables & Environment",
                "energy",
            ),
            (
                "ELECTRICAL_ELECTRONIC_MANUFACTURING",
                "Electrical/Electronic Manufacturing",
                "manufacturing",
            ),
            (
                "TRANSPORTATION_TRUCKING_RAILROAD",
                "Transportation/Trucking/Railroad",
                "transportation & logistics",
            ),
            (
                "AIRLINES_AVIATION",
                "Airlines/Aviation",
                "transportation & logistics",
            ),
            (
                "ARCHITECTURE_PLANNING",
                "Architecture & Planning",
                "construction",
            ),
        ] {
            assert_eq!(ind(internal), Value::Text(canon.into()), "{internal}");
            assert_eq!(ind(label), Value::Text(canon.into()), "{label}");
        }
        assert_eq!(
            ind("Underwater Basket Weaving"),
            Value::Text("underwater basket weaving".into())
        );
    }

    #[test]
    fn headcounts_with_dots_grouping_thousands() {
        let emp = |raw: &str| parse_field("employees", Kind::Number, raw);
        assert_eq!(emp("1.200"), Value::Num(1200.0));
        assert_eq!(emp("12.500"), Value::Num(12500.0));
        assert_eq!(emp("1.200.000"), Value::Num(1_200_000.0));
        assert_eq!(emp("10.001+"), Value::Range(10001.0, f64::INFINITY));
        assert_eq!(emp("1.001-5.000"), Value::Range(1001.0, 5000.0));
        assert_eq!(emp("1.5k"), Value::Num(1500.0));
        assert_eq!(emp("1.2"), Value::Num(1.2));
        assert_eq!(emp("1,200"), Value::Num(1200.0));
        assert_eq!(emp("1.2000"), Value::Num(1.2), "not a thousands group");
        assert_eq!(emp("-5"), Value::Missing, "a headcount is never negative");
        // Other numbers keep the dot as a decimal point.
        assert_eq!(
            parse_field("revenue", Kind::Number, "1.200"),
            Value::Num(1.2)
        );
    }

    #[test]
    fn countries_onto_iso_codes() {
        for (raw, code) in [
            ("Germany", "DE"),
            ("germany", "DE"),
            ("DE", "DE"),
            ("DEU", "DE"),
            ("United States", "US"),
            ("USA", "US"),
            ("United Kingdom", "GB"),
            ("UK", "GB"),
            ("france", "FR"),
            ("New Zealand", "NZ"),
            ("South Africa", "ZA"),
            ("Saudi Arabia", "SA"),
            ("Costa Rica", "CR"),
            ("Sri Lanka", "LK"),
            ("El Salvador", "SV"),
            ("Dominican Republic", "DO"),
            ("Puerto Rico", "PR"),
            ("Bosnia and Herzegovina", "BA"),
            ("Isle of Man", "IM"),
            ("Cayman Islands", "KY"),
            ("North Korea", "KP"),
            ("People's Republic of China", "CN"),
            ("Côte d'Ivoire", "CI"),
            ("Curaçao", "CW"),
            ("Réunion", "RE"),
            ("日本", "JP"),
            ("NEW ZEALAND", "NZ"),
        ] {
            assert_eq!(country_code(raw), Some(code), "{raw}");
        }
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(
            parse_field("country", Kind::Text, "Germany"),
            Value::Text("de".into())
        );
    }
}
