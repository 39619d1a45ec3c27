//! Chart specs: the small description of a chart that the agent (or a person) attaches to a query
//! result — kind, x, y columns, series, stacked, number format. The browser maps it onto its chart
//! library; the server checks it against the result's columns first, so a chart that names a
//! missing or non-numeric column never reaches anyone.

use serde::{Deserialize, Serialize};

use super::ColumnInfo;

pub const MAX_Y: usize = 6;
const MAX_NAME: usize = 100;
const MAX_TITLE: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Bar,
    Line,
    Area,
    Pie,
    Funnel,
    /// One figure: the first row's value of the single y column.
    Number,
    Table,
}

impl ChartKind {
    fn has_axis(self) -> bool {
        matches!(self, Self::Bar | Self::Line | Self::Area)
    }

    fn needs_x(self) -> bool {
        !matches!(self, Self::Number | Self::Table)
    }

    fn label(self) -> &'static str {
        match self {
            Self::Bar => "bar",
            Self::Line => "line",
            Self::Area => "area",
            Self::Pie => "pie",
            Self::Funnel => "funnel",
            Self::Number => "number",
            Self::Table => "table",
        }
    }

    fn single_y(self) -> bool {
        matches!(self, Self::Pie | Self::Funnel | Self::Number)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueFormat {
    Number,
    Currency,
    Percent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartSpec {
    pub kind: ChartKind,
    /// Category (or time) column.
    #[serde(default)]
    pub x: Option<String>,
    /// Numeric columns plotted against x.
    #[serde(default)]
    pub y: Vec<String>,
    /// A column whose values split the single y column into one series each.
    #[serde(default)]
    pub series: Option<String>,
    #[serde(default)]
    pub stacked: bool,
    #[serde(default)]
    pub format: Option<ValueFormat>,
    #[serde(default)]
    pub title: Option<String>,
    /// Artifacts only: which of their named queries the chart draws (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// PostgreSQL types whose values a chart can plot (numeric values arrive as decimal strings).
pub(crate) fn is_numeric(type_name: &str) -> bool {
    matches!(
        type_name,
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" | "money" | "oid"
    )
}

fn column<'a>(columns: &'a [ColumnInfo], role: &str, name: &str) -> Result<&'a ColumnInfo, String> {
    columns.iter().find(|c| c.name == name).ok_or_else(|| {
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        format!(
            "chart.{role}: the result has no column {name:?} (columns: {})",
            names.join(", ")
        )
    })
}

impl ChartSpec {
    /// Parses an untrusted chart spec (tool input, request body).
    pub fn parse(value: &serde_json::Value) -> Result<Self, String> {
        serde_json::from_value(value.clone()).map_err(|e| format!("chart: {e}"))
    }

    /// Checks the spec against the columns of the result it draws; returns it with blanks
    /// trimmed away.
    pub fn validate(mut self, columns: &[ColumnInfo]) -> Result<Self, String> {
        let trim = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        self.x = trim(self.x.take());
        self.series = trim(self.series.take());
        self.title = trim(self.title.take());
        if self
            .title
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TITLE)
        {
            return Err(format!("chart.title: at most {MAX_TITLE} characters"));
        }
        for name in self.x.iter().chain(&self.y).chain(&self.series) {
            if name.chars().count() > MAX_NAME {
                return Err(format!(
                    "chart: column names have at most {MAX_NAME} characters"
                ));
            }
        }
        let kind = self.kind;
        if kind == ChartKind::Table {
            // A table shows every column; axes mean nothing there.
            self.x = None;
            self.y.clear();
            self.series = None;
            self.stacked = false;
            return Ok(self);
        }
        match (&self.x, kind.needs_x()) {
            (None, true) => {
                return Err(format!(
                    "chart.x: a {} chart needs an x column",
                    kind.label()
                ));
            }
            (Some(x), true) => {
                column(columns, "x", x)?;
            }
            (_, false) => self.x = None,
        }
        if self.y.is_empty() {
            return Err("chart.y: name at least one numeric column".into());
        }
        if self.y.len() > MAX_Y {
            return Err(format!("chart.y: at most {MAX_Y} columns"));
        }
        if kind.single_y() && self.y.len() != 1 {
            return Err(format!(
                "chart.y: a {} chart plots exactly one column",
                kind.label()
            ));
        }
        for y in &self.y {
            let c = column(columns, "y", y)?;
            if !is_numeric(&c.r#type) {
                return Err(format!(
                    "chart.y: column {y:?} is {}, not a number; cast it or pick a numeric column",
                    c.r#type
                ));
            }
        }
        if let Some(series) = &self.series {
            if !kind.has_axis() {
                return Err("chart.series: only bar, line and area charts have series".into());
            }
            column(columns, "series", series)?;
            if self.x.as_ref() == Some(series) {
                return Err("chart.series: must differ from x".into());
            }
            if self.y.len() != 1 {
                return Err(
                    "chart.series: with a series column, y names exactly one column".into(),
                );
            }
        }
        if self.stacked && !matches!(kind, ChartKind::Bar | ChartKind::Area) {
            self.stacked = false;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cols() -> Vec<ColumnInfo> {
        [
            ("stage", "text"),
            ("owner", "text"),
            ("total", "numeric"),
            ("n", "int8"),
        ]
        .iter()
        .map(|(n, t)| ColumnInfo {
            name: (*n).into(),
            r#type: (*t).into(),
        })
        .collect()
    }

    fn check(spec: serde_json::Value) -> Result<ChartSpec, String> {
        ChartSpec::parse(&spec)?.validate(&cols())
    }

    #[test]
    fn valid_specs_pass_normalised() {
        let bar =
            check(json!({"kind": "bar", "x": " stage ", "y": ["total", "n"], "stacked": true}))
                .unwrap();
        assert_eq!(bar.x.as_deref(), Some("stage"));
        assert!(bar.stacked);
        let line = check(json!({"kind": "line", "x": "stage", "y": ["total"], "stacked": true, "series": "owner"}))
            .unwrap();
        assert!(!line.stacked, "only bar and area stack");
        let number =
            check(json!({"kind": "number", "x": "stage", "y": ["n"], "format": "currency"}))
                .unwrap();
        assert_eq!(number.x, None);
        let table = check(json!({"kind": "table", "y": ["nope"]})).unwrap();
        assert!(table.y.is_empty());
    }

    #[test]
    fn bad_specs_say_what_to_fix() {
        let cases = [
            (json!({"kind": "bar", "y": ["total"]}), "needs an x column"),
            (
                json!({"kind": "bar", "x": "stage", "y": ["amount"]}),
                "no column \"amount\" (columns: stage, owner, total, n)",
            ),
            (
                json!({"kind": "bar", "x": "stage", "y": ["owner"]}),
                "is text, not a number",
            ),
            (
                json!({"kind": "pie", "x": "stage", "y": ["total", "n"]}),
                "exactly one column",
            ),
            (
                json!({"kind": "bar", "x": "stage", "y": []}),
                "at least one",
            ),
            (
                json!({"kind": "pie", "x": "stage", "y": ["n"], "series": "owner"}),
                "only bar, line and area",
            ),
            (
                json!({"kind": "bar", "x": "stage", "y": ["n", "total"], "series": "owner"}),
                "exactly one column",
            ),
            (
                json!({"kind": "bar", "x": "stage", "y": ["n"], "series": "stage"}),
                "must differ",
            ),
            (
                json!({"kind": "donut", "x": "stage", "y": ["n"]}),
                "unknown variant",
            ),
            (
                json!({"kind": "bar", "x": "stage", "y": ["n"], "colour": "red"}),
                "unknown field",
            ),
            (
                json!({"kind": "bar", "x": "stage", "y": ["n", "n", "n", "n", "n", "n", "n"]}),
                "at most 6",
            ),
        ];
        for (spec, expected) in cases {
            let err = check(spec.clone()).unwrap_err();
            assert!(err.contains(expected), "{spec}: {err}");
        }
    }
}
