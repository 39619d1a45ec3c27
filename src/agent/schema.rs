//! A small JSON-schema validator for tool arguments: the subset our tool schemas use (type,
//! properties, required, additionalProperties, enum, lengths, bounds, items, date format).
//! Errors read like instructions so the model can correct its call.

use serde_json::Value;

pub fn validate(value: &Value, schema: &Value) -> Result<(), String> {
    check(value, schema, "input")
}

fn check(value: &Value, schema: &Value, path: &str) -> Result<(), String> {
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(value)
    {
        return Err(format!(
            "{path} must be one of {}",
            Value::Array(options.clone())
        ));
    }
    match schema["type"].as_str() {
        Some("object") => {
            let obj = value
                .as_object()
                .ok_or_else(|| format!("{path} must be an object"))?;
            let props = schema["properties"].as_object();
            for required in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if obj.get(required).is_none_or(Value::is_null) {
                    return Err(format!("{path}.{required} is required"));
                }
            }
            for (key, v) in obj {
                match props.and_then(|p| p.get(key)) {
                    Some(_) if v.is_null() => {}
                    Some(sub) => check(v, sub, &format!("{path}.{key}"))?,
                    None if schema["additionalProperties"] == Value::Bool(false) => {
                        return Err(format!("{path}.{key} is not a known argument"));
                    }
                    None => {}
                }
            }
        }
        Some("string") => {
            let s = value
                .as_str()
                .ok_or_else(|| format!("{path} must be a string"))?;
            let len = s.chars().count() as u64;
            if let Some(min) = schema["minLength"].as_u64().filter(|m| len < *m) {
                return Err(format!("{path} must have at least {min} characters"));
            }
            if let Some(max) = schema["maxLength"].as_u64().filter(|m| len > *m) {
                return Err(format!("{path} must have at most {max} characters"));
            }
            if schema["format"] == "date"
                && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err()
            {
                return Err(format!("{path} must be a date like 2026-01-31"));
            }
        }
        Some("integer") => {
            let n = value
                .as_i64()
                .ok_or_else(|| format!("{path} must be an integer"))?;
            bounds(n as f64, schema, path)?;
        }
        Some("number") => {
            let n = value
                .as_f64()
                .ok_or_else(|| format!("{path} must be a number"))?;
            bounds(n, schema, path)?;
        }
        Some("boolean") => {
            value
                .as_bool()
                .ok_or_else(|| format!("{path} must be true or false"))?;
        }
        Some("array") => {
            let items = value
                .as_array()
                .ok_or_else(|| format!("{path} must be an array"))?;
            if let Some(min) = schema["minItems"]
                .as_u64()
                .filter(|m| (items.len() as u64) < *m)
            {
                return Err(format!("{path} needs at least {min} items"));
            }
            if let Some(max) = schema["maxItems"]
                .as_u64()
                .filter(|m| (items.len() as u64) > *m)
            {
                return Err(format!("{path} takes at most {max} items"));
            }
            for (i, item) in items.iter().enumerate() {
                check(item, &schema["items"], &format!("{path}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn bounds(n: f64, schema: &Value, path: &str) -> Result<(), String> {
    if let Some(min) = schema["minimum"].as_f64().filter(|m| n < *m) {
        return Err(format!("{path} must be at least {min}"));
    }
    if let Some(max) = schema["maximum"].as_f64().filter(|m| n > *m) {
        return Err(format!("{path} must be at most {max}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn explains_what_is_wrong() {
        let schema = json!({"type": "object", "additionalProperties": false, "required": ["sql"],
            "properties": {"sql": {"type": "string", "maxLength": 5}, "limit": {"type": "integer", "minimum": 1, "maximum": 10},
                           "kind": {"type": "string", "enum": ["bar", "line"]}, "since": {"type": "string", "format": "date"}}});
        assert!(
            validate(
                &json!({"sql": "x", "limit": 3, "kind": "bar", "since": "2026-01-31"}),
                &schema
            )
            .is_ok()
        );
        assert_eq!(
            validate(&json!({}), &schema).unwrap_err(),
            "input.sql is required"
        );
        assert!(
            validate(&json!({"sql": 5}), &schema)
                .unwrap_err()
                .contains("must be a string")
        );
        assert!(
            validate(&json!({"sql": "toolong"}), &schema)
                .unwrap_err()
                .contains("at most 5")
        );
        assert!(
            validate(&json!({"sql": "x", "limit": 0}), &schema)
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(
            validate(&json!({"sql": "x", "kind": "pie"}), &schema)
                .unwrap_err()
                .contains("one of")
        );
        assert!(
            validate(&json!({"sql": "x", "extra": 1}), &schema)
                .unwrap_err()
                .contains("not a known")
        );
        assert!(
            validate(&json!({"sql": "x", "since": "yesterday"}), &schema)
                .unwrap_err()
                .contains("date")
        );
        assert!(
            validate(&json!("nope"), &schema)
                .unwrap_err()
                .contains("object")
        );
    }
}
