//! The course: lessons (`lessons/NN-slug.toml`) and the lab catalogue, loaded and checked.
//!
//! The course is embedded in the binary, so `cargo install` users have it; `--course DIR`
//! loads `DIR/lessons` and `DIR/labs` instead. Loading checks everything a course author can get
//! wrong and names the place: TOML syntax and unknown keys (toml's spans), and references that
//! do not exist — a scenario, demo or lab, an event name in `look_for`, a quiz without a right
//! answer, a runnable code block without its run marker — each as `file:LINE:COL: message`
//! with the offending line and a caret. `netlab validate` reports them with exit code 3.
//!
//! - [`lesson`]: the lesson format.
//! - [`progress`]: what a learner has done, in their workspace.
//! - [`schema`]: JSON Schemas of the lesson and lab formats, for editors.
//! - [`snippet`]: code blocks in lessons that the test suite runs.

pub mod lesson;
pub mod progress;
pub mod schema;
pub mod snippet;

use crate::diag::locate;
pub use crate::diag::CourseError;
use crate::lab::Catalog;
use crate::trace::EventKind;
use include_dir::{include_dir, Dir};
use lesson::{Lesson, Step};
use std::path::Path;

static EMBEDDED_LESSONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/lessons");

/// A lesson with where it came from.
#[derive(Clone, Debug)]
pub struct LessonEntry {
    pub lesson: Lesson,
    /// `lessons/02-tcp-server.toml` or a path, for messages.
    pub origin: String,
}

/// Lessons in order, and the labs.
#[derive(Clone, Debug)]
pub struct Course {
    pub lessons: Vec<LessonEntry>,
    pub labs: Catalog,
}

impl Course {
    /// The embedded course, or the one in `dir`.
    pub fn load(dir: Option<&Path>) -> Result<Course, CourseError> {
        let labs = Catalog::load(dir)?;
        let files = match dir {
            None => EMBEDDED_LESSONS
                .files()
                .filter_map(|f| {
                    let name = f.path().to_str()?.to_string();
                    Some((format!("lessons/{name}"), f.contents_utf8()?.to_string()))
                })
                .collect::<Vec<_>>(),
            Some(dir) => read_dir(&dir.join("lessons"))?,
        };
        Course::from_files(files, labs)
    }

    /// Lessons from `(origin, text)` pairs (ordered by file name), checked against `labs`.
    pub fn from_files(
        mut files: Vec<(String, String)>,
        labs: Catalog,
    ) -> Result<Course, CourseError> {
        files.retain(|(name, _)| name.ends_with(".toml"));
        files.sort();
        let mut lessons: Vec<LessonEntry> = Vec::new();
        for (origin, text) in files {
            let lesson = parse(&origin, &text, &labs)?;
            for e in &lessons {
                let mut ids = std::iter::once(&e.lesson.id).chain(&e.lesson.aliases);
                if let Some(dup) = std::iter::once(&lesson.id)
                    .chain(&lesson.aliases)
                    .find(|id| ids.any(|x| x == *id))
                {
                    return Err(CourseError::Invalid {
                        path: origin,
                        message: format!("id `{dup}` is already used by {}", e.origin),
                    });
                }
            }
            lessons.push(LessonEntry { lesson, origin });
        }
        Ok(Course { lessons, labs })
    }

    /// A lesson by id, alias, or 1-based number.
    pub fn find(&self, id: &str) -> Option<(usize, &LessonEntry)> {
        if let Ok(n) = id.parse::<usize>() {
            if n >= 1 && n <= self.lessons.len() {
                return Some((n - 1, &self.lessons[n - 1]));
            }
        }
        self.lessons
            .iter()
            .enumerate()
            .find(|(_, e)| e.lesson.id == id || e.lesson.aliases.iter().any(|a| a == id))
    }

    /// The closest lesson id, for "did you mean".
    pub fn suggest(&self, id: &str) -> Option<&str> {
        crate::suggest::closest(id, self.lessons.iter().map(|e| e.lesson.id.as_str()))
    }
}

fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, CourseError> {
    let io = |p: &Path, e: std::io::Error| CourseError::Parse {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    let mut out = Vec::new();
    for f in std::fs::read_dir(dir).map_err(|e| io(dir, e))?.flatten() {
        let p = f.path();
        if p.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&p).map_err(|e| io(&p, e))?;
            out.push((p.display().to_string(), text));
        }
    }
    Ok(out)
}

/// Byte offset of the `n`-th `[[steps]]` header (0-based), to search a step's own lines.
fn step_start(text: &str, n: usize) -> usize {
    text.match_indices("[[steps]]").nth(n).map_or(0, |(i, _)| i)
}

/// Reject control characters other than newline and tab in any string of a (parsed) lesson or
/// lab file: a `\r` escape in a basic string becomes a real carriage return, which terminals,
/// READMEs and the book show as a broken line, so a learner never sees the `\r\n` the text
/// means. Write `\\r\\n` (or a literal `'…'` string) to show the escape itself.
pub fn check_control_chars(path: &str, text: &str) -> Result<(), CourseError> {
    match control_escape(text) {
        None => Ok(()),
        Some((offset, what)) => Err(CourseError::Invalid {
            path: path.to_string(),
            message: crate::diag::at(
                text,
                offset,
                &format!(
                    "`{what}` puts a raw control character in the text, which readers see as a \
                     broken line; write `\\\\{}` to show the escape itself",
                    &what[1..]
                ),
            ),
        }),
    }
}

/// The byte offset and spelling of the first escape in a TOML basic string (`"…"`, `"""…"""`)
/// that decodes to a control character other than `\n` and `\t`, or of a raw one anywhere in
/// a string. Comments and literal strings are skipped (they have no escapes).
fn control_escape(text: &str) -> Option<(usize, String)> {
    #[derive(PartialEq)]
    enum S {
        Out,
        Comment,
        Basic { multi: bool },
        Literal { multi: bool },
    }
    let b = text.as_bytes();
    let mut state = S::Out;
    let mut i = 0;
    let raw_bad = |c: u8| (c < 0x20 && c != b'\n' && c != b'\t' && c != b'\r') || c == 0x7f;
    while i < b.len() {
        let c = b[i];
        match state {
            S::Out => {
                if b[i..].starts_with(b"\"\"\"") {
                    state = S::Basic { multi: true };
                    i += 3;
                    continue;
                } else if b[i..].starts_with(b"'''") {
                    state = S::Literal { multi: true };
                    i += 3;
                    continue;
                } else if c == b'"' {
                    state = S::Basic { multi: false };
                } else if c == b'\'' {
                    state = S::Literal { multi: false };
                } else if c == b'#' {
                    state = S::Comment;
                }
            }
            S::Comment => {
                if c == b'\n' {
                    state = S::Out;
                }
            }
            S::Literal { multi } => {
                if raw_bad(c) {
                    return Some((i, format!("\\x{c:02x}")));
                }
                if multi && b[i..].starts_with(b"'''") {
                    // A closing `'''` may be followed by up to two more quotes of content.
                    let mut end = i + 3;
                    while end < b.len() && b[end] == b'\'' && end < i + 5 {
                        end += 1;
                    }
                    state = S::Out;
                    i = end;
                    continue;
                } else if !multi && c == b'\'' {
                    state = S::Out;
                }
            }
            S::Basic { multi } => {
                if raw_bad(c) {
                    return Some((i, format!("\\x{c:02x}")));
                }
                if c == b'\\' {
                    let e = b.get(i + 1).copied().unwrap_or(b' ');
                    let hex = |n: usize| {
                        let h = text.get(i + 2..i + 2 + n)?;
                        u32::from_str_radix(h, 16)
                            .ok()
                            .map(|v| (v, &text[i..i + 2 + n]))
                    };
                    let bad = match e {
                        b'r' | b'b' | b'f' | b'e' => Some(text[i..i + 2].to_string()),
                        b'u' => hex(4)
                            .filter(|(v, _)| is_bad(*v))
                            .map(|(_, s)| s.to_string()),
                        b'U' => hex(8)
                            .filter(|(v, _)| is_bad(*v))
                            .map(|(_, s)| s.to_string()),
                        b'x' => hex(2)
                            .filter(|(v, _)| is_bad(*v))
                            .map(|(_, s)| s.to_string()),
                        _ => None,
                    };
                    if let Some(s) = bad {
                        return Some((i, s));
                    }
                    // Any other escape (`\\`, `\"`, `\n`, line-ending backslash) is two bytes.
                    i += 2;
                    continue;
                }
                if multi && b[i..].starts_with(b"\"\"\"") {
                    let mut end = i + 3;
                    while end < b.len() && b[end] == b'"' && end < i + 5 {
                        end += 1;
                    }
                    state = S::Out;
                    i = end;
                    continue;
                } else if !multi && c == b'"' {
                    state = S::Out;
                }
            }
        }
        i += 1;
    }
    None
}

/// A code point that is a control character a text must not hold (newline and tab are fine).
fn is_bad(v: u32) -> bool {
    (v < 0x20 && v != 0x0a && v != 0x09) || (0x7f..0xa0).contains(&v)
}

/// Parse and check one lesson file.
pub fn parse(origin: &str, text: &str, labs: &Catalog) -> Result<Lesson, CourseError> {
    let lesson: Lesson = toml::from_str(text).map_err(|e| CourseError::Parse {
        path: origin.to_string(),
        message: crate::diag::toml_message(text, &e),
    })?;
    check_control_chars(origin, text)?;
    let bad = |from: usize, pattern: &str, message: String| CourseError::Invalid {
        path: origin.to_string(),
        message: locate(text, from, pattern, &message),
    };
    if lesson.format_version != lesson::FORMAT_VERSION {
        return Err(bad(
            0,
            r"format_version",
            format!(
                "format_version {} is not supported (this netlab reads {})",
                lesson.format_version,
                lesson::FORMAT_VERSION
            ),
        ));
    }
    let id_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if !id_ok(&lesson.id) {
        return Err(bad(
            0,
            r"(?m)^id\b",
            format!(
                "id `{}` must be lowercase letters, digits and dashes",
                lesson.id
            ),
        ));
    }
    if lesson.steps.is_empty() {
        return Err(bad(
            0,
            r"(?m)^id\b",
            "a lesson needs at least one step".into(),
        ));
    }
    for (i, step) in lesson.steps.iter().enumerate() {
        let from = step_start(text, i);
        let quoted = |key: &str, v: &str| format!(r#"{key}\s*=\s*"{}""#, regex::escape(v));
        match step {
            Step::Serve {
                scenario,
                try_,
                look_for,
                body,
                ..
            } => {
                if crate::scenario::find(scenario).is_none() {
                    let hint = crate::scenario::suggest(scenario)
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    return Err(bad(
                        from,
                        &quoted("scenario", scenario),
                        format!("unknown scenario `{scenario}`{hint}"),
                    ));
                }
                for t in try_ {
                    if let Some(p) = unknown_placeholder(&t.cmd) {
                        return Err(bad(
                            from,
                            &regex::escape(&p),
                            format!("unknown placeholder `{p}` (use {{host}}, {{port}}, {{socket}}, {{ca}})"),
                        ));
                    }
                }
                check_events(look_for, from, &bad)?;
                check_snippets(body, from, &bad)?;
            }
            Step::Demo {
                demo,
                look_for,
                body,
                ..
            } => {
                if crate::demo::find(demo).is_none() {
                    return Err(bad(
                        from,
                        &quoted("demo", demo),
                        format!(
                            "unknown demo `{demo}`; demos: {}",
                            crate::demo::DEMOS
                                .iter()
                                .map(|d| d.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                check_events(look_for, from, &bad)?;
                check_snippets(body, from, &bad)?;
            }
            Step::Lab { lab, body, .. } => {
                if labs.find(lab).is_none() {
                    return Err(bad(
                        from,
                        &quoted("lab", lab),
                        format!("unknown lab `{lab}`"),
                    ));
                }
                check_snippets(body, from, &bad)?;
            }
            Step::Quiz { choices, .. } => {
                if choices.len() < 2 {
                    return Err(bad(
                        from,
                        r"question",
                        "a quiz needs at least two choices".into(),
                    ));
                }
                if !choices.iter().any(|c| c.correct) {
                    return Err(bad(
                        from,
                        r"question",
                        "this quiz has no right answer: mark at least one choice `correct = true`"
                            .into(),
                    ));
                }
            }
            Step::Text { body, .. } => check_snippets(body, from, &bad)?,
        }
    }
    Ok(lesson)
}

fn check_events(
    look_for: &[String],
    from: usize,
    bad: &dyn Fn(usize, &str, String) -> CourseError,
) -> Result<(), CourseError> {
    let known = EventKind::names();
    for e in look_for {
        if !known.contains(&e.as_str()) {
            return Err(bad(
                from,
                &format!(r#""{}""#, regex::escape(e)),
                format!(
                    "`{e}` is not an event netlab shows (it shows: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn check_snippets(
    body: &str,
    from: usize,
    bad: &dyn Fn(usize, &str, String) -> CourseError,
) -> Result<(), CourseError> {
    for s in snippet::extract(body) {
        if let Err(why) = s.runnable() {
            return Err(bad(from, &regex::escape(&s.info), why));
        }
    }
    Ok(())
}

fn unknown_placeholder(cmd: &str) -> Option<String> {
    let re = regex::Regex::new(r"\{[a-z_]+\}").ok()?;
    let found = re
        .find_iter(cmd)
        .map(|m| m.as_str().to_string())
        .find(|p| !["{host}", "{port}", "{socket}", "{ca}"].contains(&p.as_str()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
format_version = 1
id = "x"
title = "X"
summary = "x"

[[steps]]
kind = "serve"
scenario = "tcp-echo"
body = "go"
look_for = ["data"]

[[steps]]
kind = "quiz"
question = "?"
[[steps.choices]]
text = "a"
correct = true
why = "because"
[[steps.choices]]
text = "b"
why = "no"
"#;

    fn labs() -> Catalog {
        Catalog::embedded().unwrap()
    }

    #[test]
    fn look_for_accepts_every_event_name_and_nothing_else() {
        let with =
            |name: &str| OK.replace(r#"look_for = ["data"]"#, &format!("look_for = [{name:?}]"));
        for kind in <EventKind as strum::IntoEnumIterator>::iter() {
            let name = kind.name();
            assert!(
                parse("x.toml", &with(name), &labs()).is_ok(),
                "`{name}` rejected"
            );
        }
        // JSON-only spellings and near misses are not timeline names.
        for name in ["connect_request", "Connect", "request()", "headers"] {
            let e = parse("x.toml", &with(name), &labs())
                .unwrap_err()
                .to_string();
            assert!(e.contains("is not an event netlab shows"), "{e}");
        }
    }

    #[test]
    fn a_good_lesson_parses() {
        let l = parse("x.toml", OK, &labs()).unwrap();
        assert_eq!(l.steps.len(), 2);
    }

    #[test]
    fn errors_point_at_the_line_and_column() {
        let e = parse("x.toml", &OK.replace("tcp-echo", "tcp-ecoh"), &labs())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("x.toml:9:1: unknown scenario `tcp-ecoh` (did you mean `tcp-echo`?)"),
            "{e}"
        );
        assert!(e.contains("  9 | scenario = \"tcp-ecoh\""), "{e}");
        let e = parse("x.toml", &OK.replace("correct = true", ""), &labs())
            .unwrap_err()
            .to_string();
        assert!(e.contains("15:1: this quiz has no right answer"), "{e}");
        let e = parse(
            "x.toml",
            &OK.replace("body = \"go\"", "body = \"go\"\ncolour = 1"),
            &labs(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown field `colour`"), "{e}");
        assert!(e.contains("x.toml:7:1: "), "{e}");
        let e = parse("x.toml", &OK.replace("[\"data\"]", "[\"dara\"]"), &labs())
            .unwrap_err()
            .to_string();
        assert!(e.contains("11:13: `dara` is not an event"), "{e}");
        let e = parse("x.toml", "format_version = [", &labs())
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.toml:1:"), "{e}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// The loader never panics, whatever a lesson file holds: byte edits of a real lesson
        /// either parse or give an error naming the file.
        #[test]
        fn the_loader_never_panics(
            edits in crate::fuzzing::edits(6),
        ) {
            let data = crate::fuzzing::mutate(OK.as_bytes(), &edits);
            let text = String::from_utf8_lossy(&data);
            if let Err(e) = parse("x.toml", &text, &labs()) {
                proptest::prop_assert!(e.to_string().starts_with("x.toml:"));
            }
        }
    }

    #[test]
    fn control_characters_in_texts_are_rejected_with_their_place() {
        // The escape a course author means to show, and its visible spellings, pass.
        for ok in [
            r#"body = "send `hello\\r\\n`""#,
            "body = 'send `hello\\r\\n`'",
            "body = '''send `hello\\r\\n`'''",
            "body = \"tab\\tnew\\nline\"",
            "# a comment may say \\r\nbody = \"x\"",
        ] {
            let text = OK.replace("body = \"go\"", ok);
            assert!(parse("x.toml", &text, &labs()).is_ok(), "{ok}");
        }
        let placed = regex::Regex::new(r"^x\.toml:\d+:\d+: ").unwrap();
        for (bad, what) in [
            (r#"body = "send `hello\r\n`""#, r"\r"),
            ("body = \"\"\"\nsay\n`bye\\r\\n`\n\"\"\"", r"\r"),
            (r#"body = "bell \u0007""#, r"\u0007"),
            (r#"body = "back \b space""#, r"\b"),
        ] {
            let text = OK.replace("body = \"go\"", bad);
            let e = parse("x.toml", &text, &labs()).unwrap_err().to_string();
            assert!(placed.is_match(&e), "{e}");
            assert!(
                e.contains(&format!("`{what}` puts a raw control character")),
                "{e}"
            );
            assert!(e.contains('^'), "{e}");
        }
        let e = parse(
            "x.toml",
            &OK.replace("body = \"go\"", r#"body = "send `hello\r\n`""#),
            &labs(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("x.toml:10:20: `\\r`"), "{e}");
        // Labs are held to the same rule.
        let lab = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/labs/tcp-hello/lab.toml"
        ))
        .unwrap();
        let broken = lab.replacen(r"`hello\\r\\n`", r"`hello\r\n`", 1);
        assert_ne!(lab, broken);
        let e = crate::lab::Lab::parse("labs/tcp-hello/lab.toml", &broken)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("lab.toml:12:24: `\\r` puts a raw control"),
            "{e}"
        );
    }

    #[test]
    fn wire_is_an_optional_flag_of_serve_and_demo_steps() {
        // Absent: false.
        let l = parse("x.toml", OK, &labs()).unwrap();
        assert!(!l.steps[0].wire());
        // On a serve step.
        let on = OK.replace(
            r#"look_for = ["data"]"#,
            "look_for = [\"data\"]\nwire = true",
        );
        let l = parse("x.toml", &on, &labs()).unwrap();
        assert!(l.steps[0].wire());
        assert!(!l.steps[1].wire(), "a quiz is never a wire step");
        // On a demo step.
        let demo = on.replace(
            "kind = \"serve\"\nscenario = \"tcp-echo\"",
            "kind = \"demo\"\ndemo = \"tcp-echo\"",
        );
        let l = parse("x.toml", &demo, &labs()).unwrap();
        assert_eq!(l.steps[0].kind(), "demo");
        assert!(l.steps[0].wire());
        // Explicitly false is fine too.
        let off = OK.replace(r#"look_for = ["data"]"#, "wire = false");
        assert!(!parse("x.toml", &off, &labs()).unwrap().steps[0].wire());
        // Not a boolean: placed at the step (toml buffers a tagged step, so its header).
        let e = parse(
            "x.toml",
            &OK.replace(r#"look_for = ["data"]"#, "wire = \"yes\""),
            &labs(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("x.toml:7:1: "), "{e}");
        assert!(e.contains("expected a boolean"), "{e}");
        // On a step that runs nothing it is an unknown field, still at file:LINE:COL.
        let quiz = OK.replace("question = \"?\"", "question = \"?\"\nwire = true");
        let e = parse("x.toml", &quiz, &labs()).unwrap_err().to_string();
        assert!(e.contains("unknown field `wire`"), "{e}");
        assert!(
            regex::Regex::new(r"^x\.toml:\d+:\d+: ")
                .unwrap()
                .is_match(&e),
            "{e}"
        );
        // A misspelling is an unknown field too, and the message lists `wire`.
        let typo = OK.replace(r#"look_for = ["data"]"#, "wrie = true");
        let e = parse("x.toml", &typo, &labs()).unwrap_err().to_string();
        assert!(
            e.contains("unknown field `wrie`") && e.contains("wire"),
            "{e}"
        );
        assert!(e.starts_with("x.toml:7:1: "), "{e}");
        // The JSON Schema documents it.
        let schema = schema::lesson();
        assert!(schema.contains("\"wire\""), "{schema}");
        assert!(schema.contains("--wire"), "{schema}");
    }

    #[test]
    fn the_embedded_course_loads() {
        let c = Course::load(None).unwrap();
        assert!(!c.lessons.is_empty());
    }
}
