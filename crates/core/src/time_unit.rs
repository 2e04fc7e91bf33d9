//! Units of time since infusion. Everything inside cartpk is in days.

use std::fmt;
use std::str::FromStr;

/// The unit a time column was recorded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TimeUnit {
    /// Minutes (1/1440 day).
    Minutes,
    /// Hours (1/24 day).
    Hours,
    /// Days, cartpk's internal unit.
    Days,
    /// Weeks (7 days).
    Weeks,
}

impl TimeUnit {
    /// Parses `min`, `h`/`hr`/`hours`, `d`/`day`/`days`, `w`/`wk`/`weeks` (any case).
    /// Months and years are refused: their length in days is a convention, not a unit.
    pub fn parse(text: &str) -> Option<TimeUnit> {
        let norm = text.trim().to_ascii_lowercase();
        Some(match norm.as_str() {
            "min" | "mins" | "minute" | "minutes" => TimeUnit::Minutes,
            "h" | "hr" | "hrs" | "hour" | "hours" => TimeUnit::Hours,
            "d" | "day" | "days" | "dy" => TimeUnit::Days,
            "w" | "wk" | "wks" | "week" | "weeks" => TimeUnit::Weeks,
            _ => return None,
        })
    }

    /// How many days one of this unit is.
    pub fn days_per_unit(self) -> f64 {
        match self {
            TimeUnit::Minutes => 1.0 / 1440.0,
            TimeUnit::Hours => 1.0 / 24.0,
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
        }
    }

    /// Converts a time in this unit to days. Divides for sub-day units so that whole hours
    /// convert exactly as `h / 24`, the way a user would check it by hand.
    pub fn to_days(self, value: f64) -> f64 {
        match self {
            TimeUnit::Minutes => value / 1440.0,
            TimeUnit::Hours => value / 24.0,
            TimeUnit::Days => value,
            TimeUnit::Weeks => value * 7.0,
        }
    }

    /// The canonical label.
    pub fn label(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "min",
            TimeUnit::Hours => "h",
            TimeUnit::Days => "day",
            TimeUnit::Weeks => "week",
        }
    }
}

impl FromStr for TimeUnit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TimeUnit::parse(s).ok_or_else(|| {
            format!("unknown time unit '{s}'; expected one of min, hours, days, weeks")
        })
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_to_days() {
        // Hand calculation: 36 h = 1.5 d; 2 weeks = 14 d; 720 min = 0.5 d.
        assert_eq!(TimeUnit::parse("Hours").unwrap().to_days(36.0), 1.5);
        assert_eq!(TimeUnit::parse("wk").unwrap().to_days(2.0), 14.0);
        assert_eq!(TimeUnit::parse("min").unwrap().to_days(720.0), 0.5);
        assert_eq!(TimeUnit::parse("DAYS").unwrap().to_days(28.0), 28.0);
        assert_eq!(TimeUnit::parse("months"), None);
    }
}
