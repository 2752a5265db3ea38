use super::*;

fn ev(event: Option<&str>, data: &str) -> SseEvent {
    SseEvent {
        event: event.map(str::to_owned),
        data: data.to_owned(),
    }
}

/// Feeds `chunks` one by one, draining events after each, then finishes.
fn parse_chunks(chunks: &[&[u8]]) -> Result<Vec<SseEvent>> {
    let mut p = SseParser::new();
    let mut out = Vec::new();
    for chunk in chunks {
        p.feed(chunk);
        while let Some(e) = p.next_event()? {
            out.push(e);
        }
    }
    if let Some(e) = p.finish()? {
        out.push(e);
    }
    Ok(out)
}

fn parse_all(input: &[u8]) -> Result<Vec<SseEvent>> {
    parse_chunks(&[input])
}

const SAMPLE: &[u8] = b"\xEF\xBB\xBF: keep-alive\r\n\
event: response.created\r\n\
data: {\"type\":\"response.created\"}\r\n\
\r\n\
id: 7\n\
retry: 1000\n\
data:first\n\
data:  second\n\
data\n\
\n\
event: x\r\
data: caf\xC3\xA9 \xE2\x9C\x93\r\
\r\
\n\
event: ignored-without-data\n\
\n\
data: last\n\n";

fn sample_events() -> Vec<SseEvent> {
    vec![
        ev(Some("response.created"), "{\"type\":\"response.created\"}"),
        ev(None, "first\n second\n"),
        ev(Some("x"), "café ✓"),
        ev(None, "last"),
    ]
}

#[test]
fn sample_parses() {
    assert_eq!(parse_all(SAMPLE).unwrap(), sample_events());
}

#[test]
fn every_split_position_gives_the_same_events() {
    for i in 0..=SAMPLE.len() {
        let got = parse_chunks(&[&SAMPLE[..i], &SAMPLE[i..]]).unwrap();
        assert_eq!(got, sample_events(), "split at {i}");
    }
    for i in 0..=SAMPLE.len() {
        for j in i..=SAMPLE.len() {
            let got = parse_chunks(&[&SAMPLE[..i], &SAMPLE[i..j], &SAMPLE[j..]]).unwrap();
            assert_eq!(got, sample_events(), "split at {i}, {j}");
        }
    }
}

#[test]
fn byte_by_byte() {
    let chunks: Vec<&[u8]> = SAMPLE.chunks(1).collect();
    assert_eq!(parse_chunks(&chunks).unwrap(), sample_events());
}

#[test]
fn line_endings_crlf_cr_lf() {
    let want = vec![ev(Some("a"), "1\n2")];
    assert_eq!(
        parse_all(b"event: a\r\ndata: 1\r\ndata: 2\r\n\r\n").unwrap(),
        want
    );
    assert_eq!(parse_all(b"event: a\rdata: 1\rdata: 2\r\r").unwrap(), want);
    assert_eq!(parse_all(b"event: a\ndata: 1\ndata: 2\n\n").unwrap(), want);
    // `\r` then `\n` in the next chunk is one terminator, not a blank line.
    assert_eq!(
        parse_chunks(&[b"data: 1\r", b"\ndata: 2\r", b"\n\r", b"\n"]).unwrap(),
        vec![ev(None, "1\n2")]
    );
}

#[test]
fn comments_and_garbage_lines_are_ignored() {
    let input =
        b": comment\n:another\ngarbage line\nfoo: bar\nid: 1\nretry: x\ndata: ok\n: between\n\n";
    assert_eq!(parse_all(input).unwrap(), vec![ev(None, "ok")]);
}

#[test]
fn blank_lines_without_data_dispatch_nothing_and_reset_the_name() {
    let input = b"\n\n\nevent: a\n\ndata: b\n\n";
    assert_eq!(parse_all(input).unwrap(), vec![ev(None, "b")]);
}

#[test]
fn empty_data_field_dispatches_empty_data() {
    assert_eq!(
        parse_all(b"event: ping\ndata:\n\n").unwrap(),
        vec![ev(Some("ping"), "")]
    );
    assert_eq!(parse_all(b"data\ndata\n\n").unwrap(), vec![ev(None, "\n")]);
}

#[test]
fn bom_only_skipped_at_start() {
    assert_eq!(
        parse_chunks(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"]).unwrap(),
        vec![ev(None, "a")]
    );
    // A second BOM is part of the field name, so the line is an unknown field.
    assert_eq!(
        parse_all(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n").unwrap(),
        vec![ev(None, "b")]
    );
    // A lone `\xEF` that is not a BOM is just bad UTF-8 in an ignored field.
    assert_eq!(
        parse_all(b"\xEFx\ndata: c\n\n").unwrap(),
        vec![ev(None, "c")]
    );
}

#[test]
fn finish_dispatches_terminated_lines_and_drops_partial_ones() {
    assert_eq!(
        parse_all(b"data: [DONE]\n").unwrap(),
        vec![ev(None, "[DONE]")]
    );
    assert_eq!(parse_all(b"data: {\"a\":1}\ndata: {\"tr").unwrap(), vec![]);
    assert_eq!(parse_all(b"data: x").unwrap(), vec![]);
    assert_eq!(parse_all(b"").unwrap(), vec![]);
    assert_eq!(parse_all(b"\xEF\xBB").unwrap(), vec![]);
}

#[test]
fn invalid_utf8_in_data_is_a_stream_error() {
    let err = parse_all(b"data: \xFF\xFE\n\n").unwrap_err();
    assert!(matches!(err, Error::Stream { .. }), "{err:?}");
    let err = parse_all(b"event: \xC3\n\n").unwrap_err();
    assert!(matches!(err, Error::Stream { .. }), "{err:?}");
}

#[test]
fn parser_stays_failed_after_an_error() {
    let mut p = SseParser::new();
    p.feed(b"data: \xFF\n\ndata: ok\n\n");
    assert!(p.next_event().is_err());
    assert!(p.next_event().is_err());
}

#[test]
fn oversized_events_are_stream_errors() {
    let mut p = SseParser::with_max_event_size(16);
    p.feed(b"data: 0123456789\n");
    assert_eq!(p.next_event().unwrap(), None);
    p.feed(b"data: 0123456789\n");
    assert!(matches!(p.next_event(), Err(Error::Stream { .. })));

    // An endless line without terminator.
    let mut p = SseParser::with_max_event_size(16);
    p.feed(b"data: 0123456789");
    assert_eq!(p.next_event().unwrap(), None);
    p.feed(b"0123456789");
    assert!(matches!(p.next_event(), Err(Error::Stream { .. })));

    // Events under the limit keep working, and the limit is per event.
    let mut p = SseParser::with_max_event_size(16);
    for _ in 0..10 {
        p.feed(b"data: 0123456789\n\n");
        assert_eq!(p.next_event().unwrap(), Some(ev(None, "0123456789")));
    }
}

#[test]
fn long_lines_across_many_chunks() {
    let payload = "x".repeat(100_000);
    let input = format!("data: {payload}\n\n");
    let chunks: Vec<&[u8]> = input.as_bytes().chunks(7).collect();
    assert_eq!(parse_chunks(&chunks).unwrap(), vec![ev(None, &payload)]);
}

#[test]
fn find_line_end_matches_naive_search() {
    let mut data = vec![b'a'; 40];
    assert_eq!(find_line_end(&data), None);
    for i in 0..data.len() {
        for term in [b'\n', b'\r'] {
            data[i] = term;
            assert_eq!(find_line_end(&data), Some(i));
            assert_eq!(find_line_end(&data[..i]), None);
            data[i] = b'a';
        }
    }
    // Bytes that differ from the terminators by the high bit must not match.
    assert_eq!(
        find_line_end(&[0x8A, 0x8D, 0x0B, 0x0C, 0x09, 0xFF, 0, 1, 2]),
        None
    );
}

fn chunk_stream(chunks: Vec<Result<Bytes>>) -> BoxedBody {
    Box::pin(futures::stream::iter(chunks))
}

#[tokio::test]
async fn stream_adapter_yields_events_then_ends() {
    let body = chunk_stream(vec![
        Ok(Bytes::from_static(b"data: a\n")),
        Ok(Bytes::from_static(b"\ndata: b\n\n")),
    ]);
    let got: Vec<_> = events_with_idle_timeout(body, Duration::from_secs(5))
        .collect()
        .await;
    let got: Vec<SseEvent> = got.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(got, vec![ev(None, "a"), ev(None, "b")]);
}

#[tokio::test]
async fn stream_adapter_stops_after_a_body_error() {
    let body = chunk_stream(vec![
        Ok(Bytes::from_static(b"data: a\n\n")),
        Err(Error::Stream {
            message: "cut".into(),
            retry_after: None,
        }),
        Ok(Bytes::from_static(b"data: b\n\n")),
    ]);
    let got: Vec<_> = events_with_idle_timeout(body, Duration::from_secs(5))
        .collect()
        .await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].as_ref().unwrap(), &ev(None, "a"));
    assert!(matches!(got[1], Err(Error::Stream { .. })));
}

#[tokio::test]
async fn stream_adapter_times_out_when_idle() {
    let body: BoxedBody = Box::pin(
        futures::stream::iter(vec![Ok(Bytes::from_static(b"data: a\n\n"))])
            .chain(futures::stream::pending()),
    );
    let idle = Duration::from_millis(20);
    let got: Vec<_> = events_with_idle_timeout(body, idle).collect().await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].as_ref().unwrap(), &ev(None, "a"));
    assert!(matches!(got[1], Err(Error::IdleTimeout(d)) if d == idle));
}
