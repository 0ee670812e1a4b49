//! JSON Schemas of the lesson and lab file formats, generated from the Rust types (schemars).
//!
//! The generated files live in `schema/` and each lesson or lab file points to its schema with
//! a `#:schema` comment on its first line, which taplo and VS Code's Even Better TOML read to
//! complete keys and flag mistakes while a course author types. `netlab dev schema` rewrites
//! them; a test fails when the committed files differ from what the types generate.

/// The lesson schema, pretty-printed with a trailing newline.
pub fn lesson() -> String {
    render(schemars::schema_for!(super::lesson::Lesson))
}

/// The lab schema.
pub fn lab() -> String {
    render(schemars::schema_for!(crate::lab::Lab))
}

/// `(file name under schema/, contents)` for every schema.
pub fn all() -> Vec<(&'static str, String)> {
    vec![("lesson.schema.json", lesson()), ("lab.schema.json", lab())]
}

fn render(schema: schemars::Schema) -> String {
    // Serialising a schema (plain JSON values) cannot fail.
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
