//! Schedule arithmetic for `icp schedule`, free of clocks and processes:
//! every function takes `now` and returns what is due.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use icp_engine::config::OnMissed;

/// A job's checked schedule: the cron pattern and its time zone.
pub type Schedule = (Cron, Tz);

/// The job's first fire strictly after `after`, or None when it has no
/// schedule (never due) or the pattern never matches again.
///
/// Times are wall-clock times in the schedule's zone. A time that does not
/// exist (the hour skipped when clocks go forward) is skipped, not moved;
/// an ambiguous one (the hour repeated when clocks go back) fires once, at
/// its first occurrence.
pub fn next_fire(schedule: Option<&Schedule>, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (cron, tz) = schedule?;
    let mut from = after.with_timezone(tz);
    // croner moves a fixed time that falls into a DST gap to the end of the
    // gap, where the pattern no longer matches: look past such times.
    for _ in 0..1000 {
        let t = cron.find_next_occurrence(&from, false).ok()?;
        if cron.is_time_matching(&t).unwrap_or(false) {
            return Some(t.with_timezone(&Utc));
        }
        from = t;
    }
    None
}

/// What start-up does about fires missed while the daemon was down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missed {
    /// Nothing was missed (or nothing is known: no last fire).
    Nothing,
    /// Fires were missed since `first` and the policy skips them.
    Skip { first: DateTime<Utc> },
    /// Fires were missed since `first`: run once now, however many.
    RunOnce { first: DateTime<Utc> },
}

/// Whether a fire fell between the job's last fire and `now` (inclusive),
/// and what `on_missed` makes of it. A job that never fired has missed
/// nothing: its first run is its next scheduled time.
pub fn missed(
    schedule: Option<&Schedule>,
    policy: OnMissed,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Missed {
    let Some(last) = last else {
        return Missed::Nothing;
    };
    match next_fire(schedule, last) {
        Some(first) if first <= now => match policy {
            OnMissed::Skip => Missed::Skip { first },
            OnMissed::RunOnce => Missed::RunOnce { first },
        },
        _ => Missed::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sched(pattern: &str, tz: &str) -> Schedule {
        (pattern.parse().unwrap(), tz.parse().unwrap())
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn monday_six_berlin_follows_the_clock_change() {
        let s = sched("0 6 * * MON", "Europe/Berlin");
        // Sunday 2026-03-22, winter time (UTC+1): Monday 06:00 is 05:00 UTC.
        let a = next_fire(Some(&s), utc(2026, 3, 22, 12, 0)).unwrap();
        assert_eq!(a, utc(2026, 3, 23, 5, 0));
        // Clocks go forward on Sunday 2026-03-29: the next Monday 06:00 is
        // summer time (UTC+2), 04:00 UTC.
        let b = next_fire(Some(&s), a).unwrap();
        assert_eq!(b, utc(2026, 3, 30, 4, 0));
        // And back on Sunday 2026-10-25.
        let c = next_fire(Some(&s), utc(2026, 10, 20, 0, 0)).unwrap();
        assert_eq!(c, utc(2026, 10, 26, 5, 0));
        // Exactly at a fire time, the next one is a week later.
        assert_eq!(next_fire(Some(&s), b), Some(utc(2026, 4, 6, 4, 0)));
    }

    #[test]
    fn a_time_that_does_not_exist_is_skipped_an_ambiguous_one_fires_once() {
        let s = sched("30 2 * * *", "Europe/Berlin");
        // 2026-03-29 02:30 does not exist in Berlin: next is the 30th, 02:30 CEST.
        let t = next_fire(Some(&s), utc(2026, 3, 28, 12, 0)).unwrap();
        assert_eq!(t, utc(2026, 3, 30, 0, 30));
        // 2026-10-25 02:30 happens twice (CEST then CET): one fire, the first.
        let t = next_fire(Some(&s), utc(2026, 10, 24, 12, 0)).unwrap();
        assert_eq!(t, utc(2026, 10, 25, 0, 30));
        let t = next_fire(Some(&s), t).unwrap();
        assert_eq!(t, utc(2026, 10, 26, 1, 30));
    }

    #[test]
    fn no_schedule_is_never_due() {
        let now = utc(2026, 1, 1, 0, 0);
        assert_eq!(next_fire(None, now), None);
        assert_eq!(
            missed(None, OnMissed::RunOnce, Some(utc(2020, 1, 1, 0, 0)), now),
            Missed::Nothing
        );
    }

    #[test]
    fn missed_fires_follow_the_policy() {
        let s = sched("0 6 * * MON", "Europe/Berlin");
        let last = utc(2026, 3, 23, 5, 0);
        // Down for three Mondays: run once (or skip), from the first missed.
        let now = utc(2026, 4, 15, 9, 0);
        assert_eq!(
            missed(Some(&s), OnMissed::RunOnce, Some(last), now),
            Missed::RunOnce {
                first: utc(2026, 3, 30, 4, 0)
            }
        );
        assert_eq!(
            missed(Some(&s), OnMissed::Skip, Some(last), now),
            Missed::Skip {
                first: utc(2026, 3, 30, 4, 0)
            }
        );
        // Back before the next fire: nothing missed.
        let now = utc(2026, 3, 30, 3, 59);
        assert_eq!(
            missed(Some(&s), OnMissed::RunOnce, Some(last), now),
            Missed::Nothing
        );
        // Never fired: nothing missed.
        assert_eq!(
            missed(Some(&s), OnMissed::RunOnce, None, now),
            Missed::Nothing
        );
    }
}
