//! Result cells to JSON, driven by each column's PostgreSQL type, without loss: numeric stays an
//! exact decimal string, int8 an exact integer, timestamps RFC 3339, arrays JSON arrays, jsonb JSON.
//! Results arrive in binary format, so each type is decoded here rather than by string parsing.

use std::error::Error;

use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime};
use fallible_iterator::FallibleIterator;
use postgres_protocol::types as wire;
use serde_json::{Number, Value, json};
use tokio_postgres::types::{FromSql, Kind, Type};

type BoxError = Box<dyn Error + Sync + Send>;

/// A cell of any type, converted to JSON.
pub struct Cell(pub Value);

/// The size of a cell on the wire, read without decoding it, so oversized results are cut before
/// any expensive conversion.
pub struct WireLen(pub usize);

impl<'a> FromSql<'a> for WireLen {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(WireLen(raw.len()))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(WireLen(4))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A column type the engine cannot return; the message tells the model how to fix the query.
#[derive(Debug)]
pub struct UnsupportedType(pub String);

impl std::fmt::Display for UnsupportedType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "values of type {} cannot be returned; cast the column to text (`column::text`)",
            self.0
        )
    }
}

impl Error for UnsupportedType {}

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        decode(ty, raw).map(Cell)
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

fn epoch() -> DateTime<chrono::Utc> {
    DateTime::from_timestamp(946_684_800, 0).expect("2000-01-01 is representable")
}

fn float(v: f64) -> Value {
    Number::from_f64(v).map(Value::Number).unwrap_or_else(|| {
        Value::String(if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        })
    })
}

fn decode(ty: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    Ok(match *ty {
        Type::BOOL => Value::Bool(wire::bool_from_sql(raw)?),
        Type::INT2 => json!(wire::int2_from_sql(raw)?),
        Type::INT4 => json!(wire::int4_from_sql(raw)?),
        Type::INT8 => json!(wire::int8_from_sql(raw)?),
        Type::OID => json!(wire::oid_from_sql(raw)?),
        Type::FLOAT4 => float(f64::from(wire::float4_from_sql(raw)?)),
        Type::FLOAT8 => float(wire::float8_from_sql(raw)?),
        Type::NUMERIC => Value::String(numeric_to_string(raw)?),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            Value::String(wire::text_from_sql(raw)?.to_owned())
        }
        Type::CHAR => Value::String(char::from(wire::char_from_sql(raw)? as u8).to_string()),
        Type::UUID => Value::String(uuid::Uuid::from_bytes(wire::uuid_from_sql(raw)?).to_string()),
        Type::JSON => serde_json::from_slice(raw)?,
        Type::JSONB => match raw.split_first() {
            Some((1, rest)) => serde_json::from_slice(rest)?,
            _ => return Err("unsupported jsonb version".into()),
        },
        Type::DATE => match wire::date_from_sql(raw)? {
            i32::MAX => "infinity".into(),
            i32::MIN => "-infinity".into(),
            days => {
                let base = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
                let date = base
                    .checked_add_signed(Duration::days(days.into()))
                    .ok_or("date out of range")?;
                Value::String(date.to_string())
            }
        },
        Type::TIMESTAMPTZ | Type::TIMESTAMP => match wire::timestamp_from_sql(raw)? {
            i64::MAX => "infinity".into(),
            i64::MIN => "-infinity".into(),
            us => {
                let t = epoch()
                    .checked_add_signed(Duration::microseconds(us))
                    .ok_or("timestamp out of range")?;
                if *ty == Type::TIMESTAMPTZ {
                    Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
                } else {
                    Value::String(t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string())
                }
            }
        },
        Type::TIME => {
            let us = wire::time_from_sql(raw)?;
            let t = NaiveTime::MIN + Duration::microseconds(us);
            Value::String(t.format("%H:%M:%S%.f").to_string())
        }
        Type::INTERVAL => Value::String(interval_to_string(raw)?),
        Type::BYTEA => Value::String(
            base64::engine::general_purpose::STANDARD.encode(wire::bytea_from_sql(raw)),
        ),
        _ => match ty.kind() {
            Kind::Array(element) => array(element, raw)?,
            Kind::Domain(inner) => decode(inner, raw)?,
            Kind::Enum(_) => Value::String(wire::text_from_sql(raw)?.to_owned()),
            _ => return Err(Box::new(UnsupportedType(ty.name().to_owned()))),
        },
    })
}

fn array(element: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    let array = wire::array_from_sql(raw)?;
    let dims: Vec<usize> = array
        .dimensions()
        .map(|d| Ok(usize::try_from(d.len).unwrap_or(0)))
        .collect()?;
    let flat: Vec<Value> = array
        .values()
        .map(|v| match v {
            Some(bytes) => decode(element, bytes),
            None => Ok(Value::Null),
        })
        .collect()?;
    Ok(nest(&dims, &mut flat.into_iter()))
}

/// Rebuilds a multi-dimensional array from its row-major flattening.
fn nest(dims: &[usize], values: &mut impl Iterator<Item = Value>) -> Value {
    match dims.split_first() {
        None => Value::Array(vec![]),
        Some((n, [])) => Value::Array(values.take(*n).collect()),
        Some((n, rest)) => Value::Array((0..*n).map(|_| nest(rest, values)).collect()),
    }
}

fn read_i16(raw: &[u8], at: usize) -> Result<i16, BoxError> {
    raw.get(at..at + 2)
        .map(|b| i16::from_be_bytes([b[0], b[1]]))
        .ok_or_else(|| "truncated numeric".into())
}

/// NUMERIC's binary form: ndigits, weight, sign, dscale, then base-10000 digits.
pub fn numeric_to_string(raw: &[u8]) -> Result<String, BoxError> {
    let ndigits = usize::try_from(read_i16(raw, 0)?).map_err(|_| "bad numeric")?;
    let weight = i32::from(read_i16(raw, 2)?);
    let sign = read_i16(raw, 4)? as u16;
    let dscale = usize::try_from(read_i16(raw, 6)?).map_err(|_| "bad numeric")?;
    match sign {
        0xC000 => return Ok("NaN".into()),
        0xD000 => return Ok("Infinity".into()),
        0xF000 => return Ok("-Infinity".into()),
        _ => {}
    }
    let digits: Vec<i16> = (0..ndigits)
        .map(|i| read_i16(raw, 8 + 2 * i))
        .collect::<Result<_, _>>()?;
    let digit = |i: i32| {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i))
            .copied()
            .unwrap_or(0)
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    // Integer part: groups 0..=weight.
    if weight < 0 {
        out.push('0');
    } else {
        for i in 0..=weight {
            let d = digit(i);
            if i == 0 {
                out.push_str(&d.to_string())
            } else {
                out.push_str(&format!("{d:04}"))
            }
        }
    }
    if dscale > 0 {
        let mut frac = String::new();
        let mut i = weight + 1;
        while frac.len() < dscale {
            frac.push_str(&format!("{:04}", digit(i)));
            i += 1;
        }
        frac.truncate(dscale);
        out.push('.');
        out.push_str(&frac);
    }
    Ok(out)
}

/// INTERVAL's binary form (microseconds, days, months) as PostgreSQL's ISO 8601 style.
fn interval_to_string(raw: &[u8]) -> Result<String, BoxError> {
    let us = raw
        .get(0..8)
        .map(|b| i64::from_be_bytes(b.try_into().expect("8 bytes")))
        .ok_or("bad interval")?;
    let days = raw
        .get(8..12)
        .map(|b| i32::from_be_bytes(b.try_into().expect("4 bytes")))
        .ok_or("bad interval")?;
    let months = raw
        .get(12..16)
        .map(|b| i32::from_be_bytes(b.try_into().expect("4 bytes")))
        .ok_or("bad interval")?;
    let (years, months) = (months / 12, months % 12);
    let mut out = String::from("P");
    for (n, unit) in [(years, 'Y'), (months, 'M'), (days, 'D')] {
        if n != 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if us != 0 {
        let (h, rest) = (us / 3_600_000_000, us % 3_600_000_000);
        let (m, rest) = (rest / 60_000_000, rest % 60_000_000);
        out.push('T');
        if h != 0 {
            out.push_str(&format!("{h}H"));
        }
        if m != 0 {
            out.push_str(&format!("{m}M"));
        }
        if rest != 0 {
            let s = rest as f64 / 1_000_000.0;
            out.push_str(&format!("{s}S"));
        }
    }
    if out == "P" {
        out.push_str("T0S");
    }
    Ok(out)
}
