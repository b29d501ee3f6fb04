//! Event types: snake_case ids, the spellings exports use for them, and
//! their built-in weights.

use icp_core::fields::snake_case;

/// One known event type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventType {
    /// The snake_case id delivered in the events' `type`.
    pub id: &'static str,
    /// The built-in weight of one event (`weights` in the settings
    /// overrides it; a weight column of the file wins over both).
    pub weight: f64,
    /// Other spellings, compared ignoring case, spaces and punctuation
    /// (`Page View`, `page-view`, `PageView` and `pageview` are one).
    pub aliases: &'static [&'static str],
}

/// The type of every event of a file without an event type column (a
/// topic-research file such as a Bombora- or 6sense-style export).
pub const TOPIC_RESEARCH: &str = "topic_research";

/// The known event types, strongest signals first.
pub const EVENT_TYPES: &[EventType] = &[
    EventType {
        id: "demo_request",
        weight: 5.0,
        aliases: &[
            "demo",
            "demo_requested",
            "request_demo",
            "requested_demo",
            "book_demo",
            "demo_booked",
        ],
    },
    EventType {
        id: "trial_signup",
        weight: 5.0,
        aliases: &[
            "trial",
            "signup",
            "sign_up",
            "signed_up",
            "free_trial",
            "trial_started",
            "start_trial",
        ],
    },
    EventType {
        id: "review_site_research",
        weight: 4.0,
        aliases: &[
            "review_site",
            "review_sites",
            "g2",
            "g2_research",
            "g2_buyer_intent",
            "capterra",
            "trustradius",
            "review",
            "reviews",
            "review_research",
            "product_comparison",
            "comparison",
        ],
    },
    EventType {
        id: "pricing_page_visit",
        weight: 3.0,
        aliases: &[
            "pricing_page",
            "pricing_view",
            "pricing",
            "pricing_page_view",
            "pricing_page_viewed",
            "pricing_viewed",
            "viewed_pricing",
            "pricing_visit",
        ],
    },
    EventType {
        id: "funding_news",
        weight: 3.0,
        aliases: &[
            "funding",
            "funding_round",
            "raised",
            "fundraise",
            "funding_announcement",
            "investment",
        ],
    },
    EventType {
        id: "job_posting",
        weight: 2.0,
        aliases: &[
            "hiring",
            "job_post",
            "job_opening",
            "job_postings",
            "job_listing",
            "job",
        ],
    },
    EventType {
        id: "content_download",
        weight: 2.0,
        aliases: &[
            "download",
            "downloads",
            "ebook",
            "whitepaper",
            "white_paper",
            "asset_download",
            "content",
        ],
    },
    EventType {
        id: "webinar_attended",
        weight: 2.0,
        aliases: &["webinar", "webinar_attendance", "attended_webinar"],
    },
    EventType {
        id: TOPIC_RESEARCH,
        weight: 2.0,
        aliases: &[
            "research",
            "intent",
            "topic",
            "topic_surge",
            "surge",
            "company_surge",
            "intent_surge",
            "keyword_research",
            "topic_interest",
        ],
    },
    EventType {
        id: "page_visit",
        weight: 1.0,
        aliases: &[
            "page_view",
            "pageview",
            "page_views",
            "page_viewed",
            "page",
            "visit",
            "visits",
            "web_visit",
            "website_visit",
            "site_visit",
        ],
    },
    EventType {
        id: "community_activity",
        weight: 1.0,
        aliases: &[
            "community",
            "forum",
            "forum_post",
            "community_post",
            "community_message",
        ],
    },
    EventType {
        id: "email_click",
        weight: 1.0,
        aliases: &["email_clicked", "email_link_click", "click", "clicked"],
    },
    EventType {
        id: "email_open",
        weight: 0.5,
        aliases: &["email_opened", "open", "opened"],
    },
];

/// Lowercase letters and digits only: the form aliases are compared in.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The known type `raw` names (its id or an alias), if any.
pub fn known_event_type(raw: &str) -> Option<&'static EventType> {
    let s = squash(raw);
    if s.is_empty() {
        return None;
    }
    EVENT_TYPES
        .iter()
        .find(|t| squash(t.id) == s || t.aliases.iter().any(|a| squash(a) == s))
}

/// The event type id of a cell: a known type's id for its id or an alias
/// (`Page View` -> `page_visit`, `G2` -> `review_site_research`), else the
/// cell in snake_case (`Product Tour` -> `product_tour`). `None` when the
/// cell has no letter or digit.
pub fn normalize_event_type(raw: &str) -> Option<String> {
    if let Some(t) = known_event_type(raw) {
        return Some(t.id.to_string());
    }
    let s = snake_case(raw);
    (!s.is_empty()).then_some(s)
}

/// The built-in weight of a type id, `None` for types without one.
pub fn builtin_weight(id: &str) -> Option<f64> {
    EVENT_TYPES.iter().find(|t| t.id == id).map(|t| t.weight)
}

/// The words of a type id: `pricing_page_visit` -> `pricing page visit`.
pub fn label(id: &str) -> String {
    id.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_spellings() {
        for (raw, id) in [
            ("page_visit", "page_visit"),
            ("Page View", "page_visit"),
            ("pageview", "page_visit"),
            ("PageView", "page_visit"),
            ("website-visit", "page_visit"),
            ("PRICING", "pricing_page_visit"),
            ("Pricing Page", "pricing_page_visit"),
            ("G2", "review_site_research"),
            ("TrustRadius", "review_site_research"),
            ("trustradius", "review_site_research"),
            ("Hiring", "job_posting"),
            ("Funding Round", "funding_news"),
            ("forum post", "community_activity"),
            ("Whitepaper", "content_download"),
            ("webinar", "webinar_attended"),
            ("Demo Requested", "demo_request"),
            ("Free Trial", "trial_signup"),
            ("E-mail click", "email_click"),
            ("email_open", "email_open"),
            ("surge", "topic_research"),
            ("Product Tour", "product_tour"),
            ("ProductTour", "product_tour"),
        ] {
            assert_eq!(normalize_event_type(raw).as_deref(), Some(id), "{raw}");
        }
        assert_eq!(normalize_event_type(" -- "), None);
        assert_eq!(normalize_event_type(""), None);
    }

    #[test]
    fn no_alias_names_two_types() {
        let mut seen: Vec<(String, &str)> = Vec::new();
        for t in EVENT_TYPES {
            for name in std::iter::once(&t.id).chain(t.aliases) {
                let s = squash(name);
                // Spellings that squash alike within one type are fine.
                if let Some((_, other)) = seen.iter().find(|(k, id)| *k == s && *id != t.id) {
                    panic!("{name} names {other} and {}", t.id);
                }
                seen.push((s, t.id));
            }
        }
    }

    #[test]
    fn weights_and_labels() {
        assert_eq!(builtin_weight("pricing_page_visit"), Some(3.0));
        assert_eq!(builtin_weight("review_site_research"), Some(4.0));
        assert_eq!(builtin_weight("email_open"), Some(0.5));
        assert_eq!(builtin_weight("product_tour"), None);
        assert_eq!(label("pricing_page_visit"), "pricing page visit");
    }
}
