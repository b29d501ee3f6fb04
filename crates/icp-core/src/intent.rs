//! Intent derived at scoring time from dated events: an exponentially
//! decayed score, the surge (last 7 days vs the 90-day baseline), last seen
//! and top topics. Sources deliver raw dated events; decay lives here so the
//! cache holds raw data and a rerun with the same `as_of` scores the same.

/// One intent event as a source delivers it.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Days since 0001-01-01.
    pub day: i32,
    pub weight: f64,
    pub topic: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Intent {
    /// Sum of weight x 0.5^(age / half-life) over past events.
    pub score: f64,
    /// Events per day in the last 7 days over events per day in the 90 days
    /// before them; `None` without a baseline.
    pub surge: Option<f64>,
    pub last_seen: Option<i32>,
    /// Topics by decayed weight, strongest first (at most 5).
    pub topics: Vec<String>,
}

pub fn summarise(events: &[Event], as_of: i32, half_life_days: f64) -> Intent {
    let mut out = Intent::default();
    let (mut recent, mut base) = (0.0, 0.0);
    let mut topics: Vec<(String, f64)> = Vec::new();
    for e in events
        .iter()
        .filter(|e| e.day <= as_of && e.weight.is_finite())
    {
        let age = f64::from(as_of - e.day);
        let w = e.weight * 0.5f64.powf(age / half_life_days.max(f64::MIN_POSITIVE));
        out.score += w;
        out.last_seen = out.last_seen.max(Some(e.day));
        if age < 7.0 {
            recent += e.weight;
        } else if age < 97.0 {
            base += e.weight;
        }
        if let Some(t) = &e.topic {
            match topics.iter_mut().find(|(name, _)| name == t) {
                Some((_, tw)) => *tw += w,
                None => topics.push((t.clone(), w)),
            }
        }
    }
    out.surge = (base > 0.0).then(|| (recent / 7.0) / (base / 90.0));
    topics.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.topics = topics.into_iter().take(5).map(|(t, _)| t).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(day: i32, weight: f64, topic: &str) -> Event {
        Event {
            day,
            weight,
            topic: Some(topic.into()),
        }
    }

    #[test]
    fn an_event_one_half_life_old_counts_half() {
        let i = summarise(&[ev(100, 4.0, "pricing")], 130, 30.0);
        assert!((i.score - 2.0).abs() < 1e-9);
        assert_eq!(i.last_seen, Some(100));
    }

    #[test]
    fn future_events_are_ignored_and_surge_needs_a_baseline() {
        let i = summarise(&[ev(200, 1.0, "x")], 100, 30.0);
        assert_eq!(i, Intent::default());
        let i = summarise(&[ev(99, 1.0, "x")], 100, 30.0);
        assert_eq!(i.surge, None);
    }

    #[test]
    fn surge_compares_daily_rates() {
        // 7 events in the last week, 9 in the 90 days before: 1/day vs 0.1/day.
        let mut evs: Vec<Event> = (0..7).map(|d| ev(1000 - d, 1.0, "a")).collect();
        evs.extend((0..9).map(|k| ev(1000 - 10 - k * 9, 1.0, "b")));
        let i = summarise(&evs, 1000, 30.0);
        assert!((i.surge.unwrap() - 10.0).abs() < 1e-9);
        assert_eq!(i.topics, vec!["a".to_string(), "b".to_string()]);
    }
}
