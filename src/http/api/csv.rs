//! A CSV download as an OpenAPI response: `text/csv` with a file name the browser saves it under
//! and whether the engine's caps cut the result.

use poem_openapi::ApiResponse;
use poem_openapi::payload::PlainText;

use crate::sql::{QueryOutput, csv};

#[derive(ApiResponse)]
pub enum CsvFile {
    /// The rows as CSV (UTF-8 with a byte-order mark, RFC 4180).
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Csv(
        PlainText<String>,
        /// `attachment` with the file name, ASCII and UTF-8 (RFC 6266).
        #[oai(header = "Content-Disposition")]
        String,
        /// `true` when the engine's row or byte cap cut the result.
        #[oai(header = "X-Truncated")]
        bool,
    ),
}

impl CsvFile {
    pub fn new(title: &str, out: &QueryOutput) -> Self {
        let name = csv::file_name(title);
        let ascii: String = name
            .chars()
            .map(|c| if c.is_ascii() { c } else { '_' })
            .collect();
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        Self::Csv(
            PlainText(csv::to_csv(out)),
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            out.truncated,
        )
    }
}
