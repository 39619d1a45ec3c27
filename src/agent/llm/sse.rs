//! Server-sent events from a byte stream: `event:`/`data:` lines, blank-line terminated.

use std::io::BufRead;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
}

/// Reads the next event; `Ok(None)` at end of stream. Comment lines (`:`) and unknown fields
/// are skipped; multi-line data is joined with `\n`, as the SSE spec says.
pub fn next_event(reader: &mut impl BufRead) -> std::io::Result<Option<SseEvent>> {
    let mut event = String::new();
    let mut data: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok((!data.is_empty()).then(|| SseEvent {
                event,
                data: data.join("\n"),
            }));
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            if data.is_empty() && event.is_empty() {
                continue;
            }
            return Ok(Some(SseEvent {
                event,
                data: data.join("\n"),
            }));
        }
        if l.starts_with(':') {
            continue;
        }
        let (field, value) = l
            .split_once(':')
            .map_or((l, ""), |(f, v)| (f, v.strip_prefix(' ').unwrap_or(v)));
        match field {
            "event" => event = value.to_owned(),
            "data" => data.push(value.to_owned()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_events_across_awkward_chunks() {
        let raw = b"event: ping\ndata: {}\n\n: comment\nevent: delta\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\ndata: tail";
        let mut reader = std::io::BufReader::with_capacity(3, &raw[..]);
        let e1 = next_event(&mut reader).unwrap().unwrap();
        assert_eq!(
            e1,
            SseEvent {
                event: "ping".into(),
                data: "{}".into()
            }
        );
        let e2 = next_event(&mut reader).unwrap().unwrap();
        assert_eq!(
            e2,
            SseEvent {
                event: "delta".into(),
                data: "{\"a\":\n1}".into()
            }
        );
        let e3 = next_event(&mut reader).unwrap().unwrap();
        assert_eq!(e3.data, "tail");
        assert_eq!(next_event(&mut reader).unwrap(), None);
    }
}
