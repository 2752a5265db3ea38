//! Token counts for people: a compact form with an SI suffix and an exact form with thousands separators.

/// Three significant figures with an SI suffix: `999`, `1.23K`, `45.6M`, `1.00G`. Rounding that would give
/// four digits moves up a unit (`999_950` → `1.00M`).
#[must_use]
pub fn format_tokens_compact(n: u64) -> String {
    if n < 1000 {
        return n.to_string();
    }
    const SUFFIXES: [&str; 5] = ["K", "M", "G", "T", "P"];
    let n = u128::from(n);
    let mut scale: u128 = 1000;
    for suffix in SUFFIXES {
        // Integer arithmetic, so that decimal halves (9,995 → 10.0K) round exactly.
        for decimals in [2u32, 1, 0] {
            let factor = 10u128.pow(decimals);
            let rounded = (n * factor + scale / 2) / scale;
            if rounded < 1000 {
                let int = rounded / factor;
                let frac = rounded % factor;
                return if decimals == 0 {
                    format!("{int}{suffix}")
                } else {
                    format!("{int}.{frac:0width$}{suffix}", width = decimals as usize)
                };
            }
        }
        scale *= 1000;
    }
    let scale = scale / 1000;
    format!("{}P", (n + scale / 2) / scale)
}

/// The exact count with `,` thousands separators: `1,234,567`.
#[must_use]
pub fn format_tokens_exact(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_form_keeps_three_significant_figures() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1.00K"),
            (1234, "1.23K"),
            (9_995, "10.0K"),
            (45_600_000, "45.6M"),
            (99_949, "99.9K"),
            (99_950, "100K"),
            (999_499, "999K"),
            (999_950, "1.00M"),
            (1_000_000_000, "1.00G"),
            (u64::MAX, "18447P"),
        ];
        for (n, want) in cases {
            assert_eq!(format_tokens_compact(n), want, "{n}");
        }
    }

    #[test]
    fn exact_form_groups_thousands() {
        assert_eq!(format_tokens_exact(0), "0");
        assert_eq!(format_tokens_exact(999), "999");
        assert_eq!(format_tokens_exact(1000), "1,000");
        assert_eq!(format_tokens_exact(1_234_567), "1,234,567");
    }
}
