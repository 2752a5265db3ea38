//! Output truncation for the model: keep the head and the tail, elide the middle. UTF-8 safe.

/// The largest index `<= i` that is a char boundary of `s`.
pub(crate) fn floor_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest index `>= i` that is a char boundary of `s`.
pub(crate) fn ceil_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Cuts `s` to at most `max_chars` characters.
pub(crate) fn truncate_chars(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((idx, _)) => &s[..idx],
        None => s,
    }
}

/// Shortens `text` to about `max_bytes` by keeping its beginning and end and replacing the middle with a
/// marker naming how much was removed. Cuts fall on char boundaries and, when a newline lies in the outer
/// quarter of each half, on line boundaries. Returns the text unchanged when it fits.
#[must_use]
pub fn truncate_middle(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let half = max_bytes / 2;
    // Head: up to `half` bytes, ending after a newline when one is near the cut.
    let mut head_end = floor_boundary(text, half);
    if let Some(nl) = text[..head_end].rfind('\n')
        && nl + 1 >= head_end - head_end / 4
    {
        head_end = nl + 1;
    }
    // Tail: the last `half` bytes, starting after a newline when one is near the cut.
    let mut tail_start = ceil_boundary(text, text.len() - half).max(head_end);
    if let Some(nl) = text[tail_start..].find('\n')
        && nl < half / 4
    {
        tail_start += nl + 1;
    }
    let removed = tail_start - head_end;
    let removed_lines = text[head_end..tail_start].matches('\n').count();
    format!(
        "{}…{removed} bytes ({removed_lines} lines) truncated…\n{}",
        &text[..head_end],
        &text[tail_start..]
    )
}

/// Formats command output for the model: past `max_lines` lines, the first and last `max_lines / 2` are kept
/// with a marker in between; the result is then capped at `max_bytes` with [`truncate_middle`].
#[must_use]
pub(crate) fn head_tail(text: &str, max_bytes: usize, max_lines: usize) -> String {
    let total_lines = text.lines().count();
    let by_lines = if total_lines > max_lines {
        let keep = max_lines / 2;
        let lines: Vec<&str> = text.lines().collect();
        let head = lines[..keep].join("\n");
        let tail = lines[total_lines - keep..].join("\n");
        format!(
            "{head}\n[… omitted {} of {total_lines} lines …]\n{tail}",
            total_lines - 2 * keep
        )
    } else {
        text.to_owned()
    };
    truncate_middle(&by_lines, max_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(truncate_middle("hello", 10), "hello");
    }

    #[test]
    fn keeps_head_and_tail_at_char_boundaries() {
        let text = "é".repeat(1000);
        let out = truncate_middle(&text, 101);
        assert!(out.starts_with('é') && out.ends_with('é'));
        assert!(out.contains("truncated"));
        assert!(out.len() < 200);
    }

    #[test]
    fn prefers_newline_boundaries() {
        let text: String = (0..100).map(|i| format!("line {i:03}\n")).collect();
        let out = truncate_middle(&text, 100);
        let head = out.split('…').next().unwrap_or_default();
        assert!(head.ends_with('\n'), "{out}");
        assert!(out.ends_with("line 099\n"));
        for line in out.lines().filter(|l| l.starts_with("line")) {
            assert_eq!(line.len(), 8, "cut mid-line: {out}");
        }
    }

    #[test]
    fn head_tail_elides_lines() {
        let text: String = (0..1000).map(|i| format!("{i}\n")).collect();
        let out = head_tail(&text, 1 << 20, 10);
        assert!(out.starts_with("0\n1\n"));
        assert!(out.contains("omitted 990 of 1000 lines"));
        assert!(out.ends_with("999"));
    }

    #[test]
    fn truncate_chars_is_char_safe() {
        assert_eq!(truncate_chars("añb", 2), "añ");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }
}
