//! The API reference (docs/api.md), generated from the OpenAPI document so
//! the two cannot drift: a test compares them.

use std::fmt::Write as _;

use serde_json::Value;

/// Markdown for an OpenAPI 3.1 document: each route with its parameters,
/// body and responses, then each schema's properties.
pub fn markdown(doc: &Value) -> String {
    let mut out = String::new();
    let info = &doc["info"];
    let _ = writeln!(
        out,
        "# API reference\n\n<!-- Generated from crates/icp-server/src/openapi.json by \
         `ICP_BLESS=1 cargo test -p icp-server --test reference`; edit the JSON, not this file. -->\n"
    );
    let _ = writeln!(
        out,
        "{} {}: {}\n",
        text(&info["title"]),
        text(&info["version"]),
        text(&info["description"])
    );
    out.push_str(
        "Routes marked **token** need `Authorization: Bearer <token>` (the token from \
         `ICP_API_TOKEN` or `[serve] token`). Errors are JSON: \
         `{\"error\": {\"code\": \"...\", \"message\": \"...\"}}` ([Error](#error)).\n\n",
    );
    out.push_str("| method | path | token | summary |\n|---|---|---|---|\n");
    for (path, method, op) in operations(doc) {
        let _ = writeln!(
            out,
            "| {} | [`{path}`](#{}) | {} | {} |",
            method.to_uppercase(),
            anchor(&format!("{} {path}", method.to_uppercase())),
            if needs_token(doc, op) { "token" } else { "" },
            cell(&text(&op["summary"]))
        );
    }
    out.push_str("\n## Routes\n");
    for (path, method, op) in operations(doc) {
        let _ = writeln!(out, "\n### {} {path}\n", method.to_uppercase());
        let _ = writeln!(out, "{}", text(&op["summary"]));
        if let Some(d) = op["description"].as_str() {
            let _ = writeln!(out, "\n{d}");
        }
        if !needs_token(doc, op) {
            out.push_str("\nNo token needed.\n");
        }
        if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
            out.push_str(
                "\n| parameter | in | type | required | description |\n|---|---|---|---|---|\n",
            );
            for p in params {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} |",
                    text(&p["name"]),
                    text(&p["in"]),
                    type_of(&p["schema"]),
                    if p["required"].as_bool() == Some(true) {
                        "yes"
                    } else {
                        "no"
                    },
                    cell(&text(&p["description"]))
                );
            }
        }
        if let Some(content) = op["requestBody"]["content"].as_object() {
            for (media, body) in content {
                let schema = &body["schema"];
                let _ = writeln!(out, "\nBody: `{media}`, {}.", type_of(schema));
                if schema["properties"].is_object() {
                    out.push('\n');
                    properties(&mut out, schema);
                }
            }
        }
        if let Some(responses) = op["responses"].as_object() {
            out.push_str("\n| status | meaning | body |\n|---|---|---|\n");
            for (status, r) in responses {
                let r = resolve(doc, r);
                let body = r["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .map_or(String::new(), |c| type_of(&c["schema"]));
                let _ = writeln!(
                    out,
                    "| {status} | {} | {body} |",
                    cell(&text(&r["description"]))
                );
            }
        }
    }
    out.push_str("\n## Schemas\n");
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            let _ = writeln!(out, "\n### {name}\n");
            if let Some(d) = schema["description"].as_str() {
                let _ = writeln!(out, "{d}\n");
            }
            properties(&mut out, schema);
        }
    }
    out
}

/// (path, method, operation) in the document's order.
fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let mut ops = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            if let Some(methods) = item.as_object() {
                for (method, op) in methods {
                    ops.push((path.as_str(), method.as_str(), op));
                }
            }
        }
    }
    ops
}

fn properties(out: &mut String, schema: &Value) {
    let Some(props) = schema["properties"].as_object() else {
        let _ = writeln!(out, "{}.", type_of(schema));
        return;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str("| field | type | required | description |\n|---|---|---|---|\n");
    for (name, p) in props {
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} | {} |",
            type_of(p),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            },
            cell(&text(&p["description"]))
        );
    }
    if let Some(extra) = schema["additionalProperties"].as_object() {
        let _ = writeln!(
            out,
            "\nOther keys: {}.",
            type_of(&Value::Object(extra.clone()))
        );
    }
}

/// A schema's type as people read it: `string`, `integer or null`,
/// `array of string`, a link to a named schema, `"1", "2"` for enums.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("[{name}](#{})", anchor(name));
    }
    if let Some(values) = schema["enum"].as_array() {
        let v: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        return v.join(", ");
    }
    let ty = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts.iter().map(text).collect::<Vec<_>>().join(" or "),
        _ => "any".to_string(),
    };
    match ty.as_str() {
        "array" => format!("array of {}", type_of(&schema["items"])),
        _ => ty,
    }
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str().and_then(|r| r.strip_prefix("#/")) {
        Some(path) => path.split('/').fold(doc, |node, part| &node[part]),
        None => v,
    }
}

/// A route needs the token unless its `security` is an empty list.
fn needs_token(doc: &Value, op: &Value) -> bool {
    match op["security"].as_array() {
        Some(s) => !s.is_empty(),
        None => doc["security"].as_array().is_some_and(|s| !s.is_empty()),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Text that stays inside one table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// GitHub's heading anchor: lower case, spaces to dashes, punctuation gone.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_read_as_words() {
        assert_eq!(
            type_of(&json!({"type": ["string", "null"]})),
            "string or null"
        );
        assert_eq!(
            type_of(&json!({"type": "array", "items": {"type": "integer"}})),
            "array of integer"
        );
        assert_eq!(
            type_of(&json!({"$ref": "#/components/schemas/Run"})),
            "[Run](#run)"
        );
        assert_eq!(
            type_of(&json!({"enum": ["1", "excluded"]})),
            "`\"1\"`, `\"excluded\"`"
        );
        assert_eq!(type_of(&json!({})), "any");
        assert_eq!(anchor("GET /v1/runs/{id}"), "get-v1runsid");
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }

    #[test]
    fn routes_without_security_need_no_token() {
        let doc = json!({"security": [{"bearer": []}]});
        assert!(needs_token(&doc, &json!({})));
        assert!(!needs_token(&doc, &json!({"security": []})));
        assert!(needs_token(
            &json!({}),
            &json!({"security": [{"bearer": []}]})
        ));
    }
}
