//! A query result as a CSV file: RFC 4180 (CRLF line ends; fields holding commas, quotes or line
//! breaks quoted, quotes doubled), UTF-8 with a byte-order mark so spreadsheet apps read accents
//! right. Values are the raw ones (exact decimals, ISO timestamps). Text that a spreadsheet would
//! run as a formula is prefixed with `'`; numeric columns are left alone so `-5` stays a number.
//! The browser's chat-step export (`ui/src/features/chat/steps/csv.ts`) writes the same format.

use serde_json::Value;

use super::QueryOutput;
use super::chart::is_numeric;

const BOM: &str = "\u{feff}";

fn push_field(out: &mut String, value: &Value, numeric: bool) {
    let text = match value {
        Value::Null => return,
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    let formula =
        !numeric && value.is_string() && text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = if formula { format!("'{text}") } else { text };
    if text.contains(['"', ',', '\r', '\n']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

fn push_line<'a>(out: &mut String, fields: impl Iterator<Item = (&'a Value, bool)>) {
    for (i, (value, numeric)) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, value, numeric);
    }
    out.push_str("\r\n");
}

/// The whole file: a header line of column names, then one line per row.
pub fn to_csv(out: &QueryOutput) -> String {
    let numeric: Vec<bool> = out.columns.iter().map(|c| is_numeric(&c.r#type)).collect();
    let header: Vec<Value> = out
        .columns
        .iter()
        .map(|c| Value::String(c.name.clone()))
        .collect();
    let mut csv = String::with_capacity(64 * (out.rows.len() + 1));
    csv.push_str(BOM);
    push_line(&mut csv, header.iter().map(|v| (v, false)));
    for row in &out.rows {
        push_line(&mut csv, row.iter().zip(numeric.iter().copied()));
    }
    csv
}

/// `"Won deals (Q3)"` → `won-deals-q3.csv`: a file name safe on every system.
pub fn file_name(title: &str) -> String {
    let mut name = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
        if name.chars().count() >= 80 {
            break;
        }
    }
    let name = name.trim_end_matches('-');
    format!("{}.csv", if name.is_empty() { "results" } else { name })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::sql::ColumnInfo;

    fn output(columns: &[(&str, &str)], rows: Vec<Vec<Value>>) -> QueryOutput {
        QueryOutput {
            columns: columns
                .iter()
                .map(|(n, t)| ColumnInfo {
                    name: (*n).into(),
                    r#type: (*t).into(),
                })
                .collect(),
            row_count: rows.len(),
            rows,
            truncated: false,
            elapsed_ms: 0.0,
        }
    }

    #[test]
    fn quotes_what_needs_quoting_and_nothing_else() {
        let out = output(
            &[("name", "text"), ("amount", "numeric"), ("note", "text")],
            vec![
                vec![
                    json!("Acme, Inc."),
                    json!("-1200.50"),
                    json!("said \"yes\"\nthen left"),
                ],
                vec![json!("Zoë"), Value::Null, json!(true)],
            ],
        );
        assert_eq!(
            to_csv(&out),
            "\u{feff}name,amount,note\r\n\
             \"Acme, Inc.\",-1200.50,\"said \"\"yes\"\"\nthen left\"\r\n\
             Zoë,,true\r\n"
        );
    }

    #[test]
    fn text_that_would_run_as_a_formula_is_defused_but_numbers_are_not() {
        let out = output(
            &[("cell", "text"), ("delta", "int4")],
            vec![
                vec![json!("=HYPERLINK(\"x\")"), json!(-5)],
                vec![json!("@sum"), json!("-7")],
            ],
        );
        assert_eq!(
            to_csv(&out),
            "\u{feff}cell,delta\r\n\"'=HYPERLINK(\"\"x\"\")\",-5\r\n'@sum,-7\r\n"
        );
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_name("Won deals (Q3) / EMEA"), "won-deals-q3-emea.csv");
        assert_eq!(file_name("../../etc"), "etc.csv");
        assert_eq!(file_name("  "), "results.csv");
        assert_eq!(file_name("Pipeline — Zürich"), "pipeline-zürich.csv");
    }
}
