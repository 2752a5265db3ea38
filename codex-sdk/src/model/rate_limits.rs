//! Rate-limit state from the `x-codex-{primary,secondary}-*` response headers.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

use crate::protocol::{RateLimitSnapshot, RateLimitWindow};

/// Reads the rate-limit snapshot from response headers.
///
/// For each window (`primary`, `secondary`) the headers are `x-codex-<window>-used-percent`,
/// `x-codex-<window>-window-minutes` and `x-codex-<window>-reset-after-seconds`; `x-codex-<window>-reset-at`
/// (unix seconds) is accepted instead of the last and converted to seconds from now. A window is present when
/// its `used-percent` is a finite, non-negative number; unparsable optional values are left out. Returns
/// `None` when neither window is present.
#[must_use]
pub fn parse_rate_limit_headers(headers: &HeaderMap) -> Option<RateLimitSnapshot> {
    let primary = parse_window(headers, "primary");
    let secondary = parse_window(headers, "secondary");
    (primary.is_some() || secondary.is_some()).then_some(RateLimitSnapshot { primary, secondary })
}

fn parse_window(headers: &HeaderMap, window: &str) -> Option<RateLimitWindow> {
    let number = |suffix: &str| -> Option<f64> {
        let value = headers.get(format!("x-codex-{window}-{suffix}"))?;
        let n: f64 = value.to_str().ok()?.trim().parse().ok()?;
        (n.is_finite() && n >= 0.0).then_some(n)
    };
    let used_percent = number("used-percent")?;
    let window_minutes = number("window-minutes").map(round_u64);
    let resets_in_seconds = number("reset-after-seconds").map(round_u64).or_else(|| {
        let at = number("reset-at")?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        Some(round_u64((at - now).max(0.0)))
    });
    Some(RateLimitWindow {
        used_percent,
        window_minutes,
        resets_in_seconds,
    })
}

/// Rounds a finite, non-negative number to `u64`, saturating.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn round_u64(n: f64) -> u64 {
    // `as` saturates for floats out of range.
    n.round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn none_without_headers() {
        assert_eq!(parse_rate_limit_headers(&HeaderMap::new()), None);
        assert_eq!(
            parse_rate_limit_headers(&headers(&[("x-other", "1")])),
            None
        );
    }

    #[test]
    fn both_windows() {
        let h = headers(&[
            ("x-codex-primary-used-percent", "12.5"),
            ("x-codex-primary-window-minutes", "300"),
            ("x-codex-primary-reset-after-seconds", "42"),
            ("x-codex-secondary-used-percent", "80"),
            ("x-codex-secondary-window-minutes", "10080"),
            ("x-codex-secondary-reset-after-seconds", "3600"),
        ]);
        assert_eq!(
            parse_rate_limit_headers(&h),
            Some(RateLimitSnapshot {
                primary: Some(RateLimitWindow {
                    used_percent: 12.5,
                    window_minutes: Some(300),
                    resets_in_seconds: Some(42),
                }),
                secondary: Some(RateLimitWindow {
                    used_percent: 80.0,
                    window_minutes: Some(10080),
                    resets_in_seconds: Some(3600),
                }),
            })
        );
    }

    #[test]
    fn bad_numbers_are_ignored() {
        let h = headers(&[
            ("x-codex-primary-used-percent", " 5 "),
            ("x-codex-primary-window-minutes", "soon"),
            ("x-codex-primary-reset-after-seconds", "-3"),
            ("x-codex-secondary-used-percent", "NaN"),
            ("x-codex-secondary-window-minutes", "60"),
        ]);
        assert_eq!(
            parse_rate_limit_headers(&h),
            Some(RateLimitSnapshot {
                primary: Some(RateLimitWindow {
                    used_percent: 5.0,
                    window_minutes: None,
                    resets_in_seconds: None,
                }),
                secondary: None,
            })
        );
        let h = headers(&[("x-codex-primary-used-percent", "lots")]);
        assert_eq!(parse_rate_limit_headers(&h), None);
    }

    #[test]
    fn reset_at_becomes_seconds_from_now() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let h = headers(&[
            ("x-codex-secondary-used-percent", "1"),
            ("x-codex-secondary-reset-at", &(now + 120).to_string()),
            ("x-codex-primary-used-percent", "2"),
            ("x-codex-primary-reset-at", &(now - 50).to_string()),
        ]);
        let snap = parse_rate_limit_headers(&h).unwrap();
        let secs = snap.secondary.unwrap().resets_in_seconds.unwrap();
        assert!((118..=121).contains(&secs), "{secs}");
        assert_eq!(snap.primary.unwrap().resets_in_seconds, Some(0));
    }

    #[test]
    fn reset_after_wins_over_reset_at() {
        let h = headers(&[
            ("x-codex-primary-used-percent", "2"),
            ("x-codex-primary-reset-after-seconds", "7"),
            ("x-codex-primary-reset-at", "1"),
        ]);
        let snap = parse_rate_limit_headers(&h).unwrap();
        assert_eq!(snap.primary.unwrap().resets_in_seconds, Some(7));
    }
}
