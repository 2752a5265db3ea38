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

/// Output captured from a command: its first and last bytes, and what was dropped in between.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CapturedOutput {
    pub(crate) head: Vec<u8>,
    pub(crate) tail: Vec<u8>,
    /// Bytes between `head` and `tail` that were never kept.
    pub(crate) dropped_bytes: usize,
    /// Line breaks (`\n`) among the dropped bytes.
    pub(crate) dropped_lines: usize,
}

impl CapturedOutput {
    /// The output as text for clients, decoded lossily, with a marker where bytes were dropped.
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::from_utf8_lossy(&self.head).into_owned();
        let mut tail = self.tail.as_slice();
        if self.dropped_bytes > 0 {
            out.push_str(&format!(
                "\n[… {} bytes ({}) of output omitted …]\n",
                self.dropped_bytes,
                plural(self.dropped_lines, "line")
            ));
            // Do not start in the middle of a character.
            let skip = tail.iter().take_while(|b| is_continuation(**b)).count();
            tail = &tail[skip..];
        }
        out.push_str(&String::from_utf8_lossy(tail));
        out
    }

    /// The length of the original output in bytes.
    fn total_bytes(&self) -> usize {
        self.head.len() + self.dropped_bytes + self.tail.len()
    }

    /// The line breaks of the original output.
    fn total_breaks(&self) -> usize {
        line_breaks(&self.head) + self.dropped_lines + line_breaks(&self.tail)
    }

    /// The lines of the original output (a last line without a line break counts).
    fn total_lines(&self) -> usize {
        let last = self.tail.last().or(self.head.last());
        self.total_breaks() + usize::from(last.is_some_and(|b| *b != b'\n'))
    }
}

/// Formats command output for the model: when it has more than `max_lines` lines or `max_bytes` bytes,
/// the first and the last `max_lines / 2` lines (and at most `max_bytes / 2` bytes each side) are kept,
/// cut at line boundaries when one is near, else at a character boundary. One marker in between states
/// what was omitted of the *original* output (including what the capture already dropped) and its size:
/// `[… B bytes (L lines) omitted of T bytes (N lines) …]`, where L counts the line breaks omitted.
#[must_use]
pub(crate) fn head_tail(out: &CapturedOutput, max_bytes: usize, max_lines: usize) -> String {
    let joined;
    let (head, tail): (&[u8], &[u8]) = if out.dropped_bytes == 0 {
        joined = [out.head.as_slice(), out.tail.as_slice()].concat();
        if joined.len() <= max_bytes && out.total_lines() <= max_lines {
            return String::from_utf8_lossy(&joined).into_owned();
        }
        (&joined, &joined)
    } else {
        (&out.head, &out.tail)
    };
    let head_end = head_cut(head, max_bytes / 2, max_lines / 2);
    let mut tail_start = tail_cut(tail, max_bytes / 2, max_lines / 2);
    if out.dropped_bytes == 0 {
        tail_start = tail_start.max(head_end);
    }
    let (kept_head, kept_tail) = (&head[..head_end], &tail[tail_start..]);
    let omitted_bytes = out.total_bytes() - kept_head.len() - kept_tail.len();
    let omitted_lines = out.total_breaks() - line_breaks(kept_head) - line_breaks(kept_tail);
    let mut text = String::from_utf8_lossy(kept_head).into_owned();
    if omitted_bytes == 0 {
        text.push_str(&String::from_utf8_lossy(kept_tail));
        return text;
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "[… {omitted_bytes} bytes ({}) omitted of {} bytes ({}) …]\n",
        plural(omitted_lines, "line"),
        out.total_bytes(),
        plural(out.total_lines(), "line"),
    ));
    text.push_str(&String::from_utf8_lossy(kept_tail));
    text
}

/// Where a head of at most `max_bytes` bytes and `max_lines` lines of `buf` ends.
fn head_cut(buf: &[u8], max_bytes: usize, max_lines: usize) -> usize {
    let by_lines = if max_lines == 0 {
        0
    } else {
        buf.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(max_lines - 1)
            .map_or(buf.len(), |(i, _)| i + 1)
    };
    if by_lines <= max_bytes {
        return by_lines;
    }
    let mut cut = max_bytes;
    if let Some(nl) = buf[..cut].iter().rposition(|b| *b == b'\n')
        && nl + 1 >= cut - cut / 4
    {
        return nl + 1;
    }
    while cut > 0 && is_continuation(buf[cut]) {
        cut -= 1;
    }
    cut
}

/// Where a tail of at most `max_bytes` bytes and `max_lines` lines of `buf` starts.
fn tail_cut(buf: &[u8], max_bytes: usize, max_lines: usize) -> usize {
    let len = buf.len();
    let body = buf.strip_suffix(b"\n").unwrap_or(buf);
    let by_lines = if max_lines == 0 {
        len
    } else {
        body.iter()
            .enumerate()
            .rev()
            .filter(|(_, b)| **b == b'\n')
            .nth(max_lines - 1)
            .map_or(0, |(i, _)| i + 1)
    };
    let mut start = if len - by_lines <= max_bytes {
        by_lines
    } else {
        let start = len - max_bytes;
        match buf[start..].iter().position(|b| *b == b'\n') {
            Some(nl) if nl < max_bytes / 4 => start + nl + 1,
            _ => start,
        }
    };
    // Do not start in the middle of a character.
    while start < len && is_continuation(buf[start]) {
        start += 1;
    }
    start
}

fn line_breaks(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
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

    fn captured(text: &str) -> CapturedOutput {
        CapturedOutput {
            head: text.as_bytes().to_vec(),
            ..CapturedOutput::default()
        }
    }

    #[test]
    fn head_tail_keeps_short_output_whole() {
        assert_eq!(head_tail(&captured("a\nb\n"), 100, 10), "a\nb\n");
    }

    #[test]
    fn head_tail_elides_lines_and_counts_them() {
        let text: String = (0..1000).map(|i| format!("{i}\n")).collect();
        let out = head_tail(&captured(&text), 1 << 20, 10);
        let omitted: usize = (5..995).map(|i: usize| i.to_string().len() + 1).sum();
        assert_eq!(
            out,
            format!(
                "0\n1\n2\n3\n4\n[… {omitted} bytes (990 lines) omitted of {} bytes (1000 lines) …]\n\
                 995\n996\n997\n998\n999\n",
                text.len()
            )
        );
    }

    #[test]
    fn head_tail_adds_what_the_capture_dropped() {
        // Original: "h1\nh2\n" + 100 dropped bytes holding 7 line breaks + "t1\nt2\n".
        let out = CapturedOutput {
            head: b"h1\nh2\n".to_vec(),
            tail: b"t1\nt2\n".to_vec(),
            dropped_bytes: 100,
            dropped_lines: 7,
        };
        assert_eq!(
            head_tail(&out, 1000, 2),
            "h1\n[… 106 bytes (9 lines) omitted of 112 bytes (11 lines) …]\nt2\n"
        );
        assert_eq!(
            out.to_text(),
            "h1\nh2\n\n[… 100 bytes (7 lines) of output omitted …]\nt1\nt2\n"
        );
    }

    #[test]
    fn head_tail_cuts_long_lines_at_char_boundaries() {
        let text = "é".repeat(1000);
        let out = head_tail(&captured(&text), 101, 10);
        assert!(out.starts_with('é') && out.ends_with('é'), "{out}");
        let kept = out.matches('é').count() * 2;
        assert!(out.contains(&format!(
            "[… {} bytes (0 lines) omitted of 2000 bytes (1 line) …]",
            2000 - kept
        )));
    }

    #[test]
    fn truncate_chars_is_char_safe() {
        assert_eq!(truncate_chars("añb", 2), "añ");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }
}
