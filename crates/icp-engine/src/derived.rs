//! What enriched values become on the way to scoring and output: cells
//! (`value_text`), the source field behind a profile field
//! (`needed_field`), and the intent columns derived at scoring time from
//! the dated events sources deliver (`intent_events`): the decayed score
//! with the profile's half-life, the surge, last seen and top topics,
//! against the run's as_of. Shared by `icp enrich` and `icp serve`.

use icp_core::intent::{Event, summarise};
use icp_core::value::{date_from_days, parse_date};

/// The field sources deliver events in.
pub const EVENTS_FIELD: &str = "intent_events";

/// The columns derived from it, in output order.
pub const INTENT_COLUMNS: [&str; 4] = [
    "intent_score",
    "intent_surge",
    "intent_last_seen",
    "intent_topics",
];

/// The events of an `intent_events` value; entries without a readable
/// date are left out (the conformance kit holds sources to the shape).
pub fn events_of(value: &serde_json::Value) -> Vec<Event> {
    let Some(items) = value.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|e| {
            let day = parse_date(e.get("date")?.as_str()?)?;
            let weight = e.get("weight").and_then(|w| w.as_f64()).unwrap_or(1.0);
            let topic = e
                .get("topic")
                .and_then(|t| t.as_str())
                .filter(|t| !t.trim().is_empty())
                .map(str::to_string);
            Some(Event { day, weight, topic })
        })
        .collect()
}

/// The four cells, as [`INTENT_COLUMNS`]; blanks where there is nothing
/// to say (no event before as_of, no baseline for a surge).
pub fn intent_cells(events: &[Event], as_of: i32, half_life_days: f64) -> [String; 4] {
    let i = summarise(events, as_of, half_life_days);
    if i.last_seen.is_none() {
        return Default::default();
    }
    [
        format!("{:.2}", i.score),
        i.surge.map(|s| format!("{s:.2}")).unwrap_or_default(),
        i.last_seen
            .and_then(date_from_days)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        i.topics.join("; "),
    ]
}

/// The source field behind a profile field (`company_age` comes from
/// `founded_year`, `industry_raw` from `industry`, the intent columns from
/// dated events).
pub fn needed_field(name: &str) -> String {
    if name == "company_age" {
        return "founded_year".into();
    }
    if INTENT_COLUMNS.contains(&name) {
        return EVENTS_FIELD.into();
    }
    name.strip_suffix("_raw").unwrap_or(name).to_string()
}

/// A field value as a cell: lists joined with `; `.
pub fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(value_text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_become_the_four_intent_cells() {
        let v = json!([
            {"date": "2026-11-15", "type": "pricing_page_visit", "topic": "pricing", "weight": 6.0, "count": 2},
            {"date": "2026-10-14", "type": "page_visit", "topic": "crm software", "weight": 1.0},
            {"date": "not a date", "weight": 100.0},
            {"date": "2026-12-01", "weight": 50.0}
        ]);
        let evs = events_of(&v);
        assert_eq!(evs.len(), 3);
        let as_of = parse_date("2026-11-20").unwrap();
        let cells = intent_cells(&evs, as_of, 30.0);
        // 6 x 0.5^(5/30) + 1 x 0.5^(37/30) = 5.35 + 0.43
        assert_eq!(cells[0], "5.77");
        // 6 in the last 7 days vs 1 in the 90 before: (6/7)/(1/90)
        assert_eq!(cells[1], "77.14");
        assert_eq!(cells[2], "2026-11-15");
        assert_eq!(cells[3], "pricing; crm software");
    }

    #[test]
    fn no_past_event_means_blank_cells() {
        let as_of = parse_date("2026-11-20").unwrap();
        assert_eq!(
            intent_cells(&events_of(&json!([{"date": "2027-01-01"}])), as_of, 30.0),
            <[String; 4]>::default()
        );
        assert!(events_of(&json!("junk")).is_empty());
    }
}
