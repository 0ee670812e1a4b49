//! Gradebook writers: a table for the terminal, JSON for programs, JUnit for CI dashboards,
//! CSV for spreadsheets and LMS imports, Markdown for a CI step summary, and one feedback file
//! per student.
//!
//! Every text that comes from a student (folder names, reports quoting their output) is
//! written without control characters, so no ESC sequence reaches a terminal or a file; CSV
//! cells that a spreadsheet would run as a formula are neutralised; feedback files are written
//! atomically under safe names ([`super::output`]).

use super::output::{feedback_name, write_atomic};
use super::{Gradebook, Status};
use crate::lab::report::strip_controls as clean;
use std::fmt::Write as _;
use std::path::Path;

/// Output formats of `netlab grade` and `netlab grade merge`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Junit,
    Csv,
    Markdown,
}

/// The gradebook in `format`.
pub fn render(book: &Gradebook, format: Format) -> String {
    match format {
        Format::Table => table(book),
        Format::Json => json(book),
        Format::Junit => junit(book),
        Format::Csv => csv(book),
        Format::Markdown => markdown(book),
    }
}

/// Every lab id that appears, sorted.
fn lab_ids(book: &Gradebook) -> Vec<String> {
    let mut labs: Vec<String> = book
        .students
        .iter()
        .flat_map(|s| s.labs.iter().map(|l| l.lab.clone()))
        .collect();
    labs.sort();
    labs.dedup();
    labs
}

fn cell(book: &Gradebook, student: usize, lab: &str) -> String {
    match book.students[student].labs.iter().find(|l| l.lab == lab) {
        None => "–".to_string(),
        Some(l) => match l.status {
            Status::Pass => format!("✓ {}/{}", l.points, l.max_points),
            Status::Fail => format!("✗ {}/{}", l.points, l.max_points),
            Status::Missing | Status::Skip => "missing".to_string(),
            Status::Error => "error".to_string(),
        },
    }
}

fn totals(book: &Gradebook, student: usize) -> (u32, u32) {
    book.students[student]
        .labs
        .iter()
        .fold((0, 0), |(p, m), l| (p + l.points, m + l.max_points))
}

/// A student × lab matrix with totals, and a summary line.
pub fn table(book: &Gradebook) -> String {
    let labs = lab_ids(book);
    let sw = book
        .students
        .iter()
        .map(|s| clean(&s.student).chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let widths: Vec<usize> = labs.iter().map(|l| l.len().max(9)).collect();
    let mut o = String::new();
    let _ = write!(o, "{:<sw$}", "student");
    for (l, w) in labs.iter().zip(&widths) {
        let _ = write!(o, "  {l:<w$}");
    }
    let _ = writeln!(o, "  total");
    for (i, s) in book.students.iter().enumerate() {
        let _ = write!(o, "{:<sw$}", clean(&s.student));
        for (l, w) in labs.iter().zip(&widths) {
            let c = cell(book, i, l);
            let pad = w.saturating_sub(c.chars().count());
            let _ = write!(o, "  {c}{}", " ".repeat(pad));
        }
        let (p, m) = totals(book, i);
        let _ = writeln!(o, "  {p}/{m}");
    }
    let _ = writeln!(o, "\n{}", summary(book));
    o
}

/// `N students, M checks: P pass, F fail, E error, X missing`.
pub fn summary(book: &Gradebook) -> String {
    let mut n = [0usize; 4];
    for l in book.students.iter().flat_map(|s| &s.labs) {
        n[match l.status {
            Status::Pass => 0,
            Status::Fail => 1,
            Status::Error => 2,
            Status::Missing | Status::Skip => 3,
        }] += 1;
    }
    let mut levels: Vec<&str> = book
        .students
        .iter()
        .flat_map(|s| &s.labs)
        .map(|l| l.sandbox.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    levels.sort_unstable();
    levels.dedup();
    let sandbox = if levels.is_empty() {
        String::new()
    } else {
        format!(" — sandbox: {}", levels.join(", "))
    };
    let incomplete = book
        .incomplete
        .map(|i| {
            format!(
                " — incomplete: {} of {} graded (grading was interrupted)",
                i.graded, i.total
            )
        })
        .unwrap_or_default();
    format!(
        "{} students, {} graded: {} pass, {} fail, {} error, {} missing{sandbox}{incomplete}",
        book.students.len(),
        n.iter().sum::<usize>(),
        n[0],
        n[1],
        n[2],
        n[3]
    )
}

/// `{"students":[{"student","labs":[{"lab","status","points","max_points","seconds","checks":[…],
/// "report","sandbox"}]}]}` — `sandbox` is the level the run had (empty when nothing ran).
pub fn json(book: &Gradebook) -> String {
    let mut v = serde_json::json!({
        "students": book.students.iter().map(|s| serde_json::json!({
            "student": clean(&s.student),
            "labs": s.labs.iter().map(|l| serde_json::json!({
                "lab": l.lab,
                "status": l.status.as_str(),
                "points": l.points,
                "max_points": l.max_points,
                "seconds": l.seconds,
                "checks": l.checks,
                "report": clean(&l.report),
                "sandbox": l.sandbox,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    if let Some(i) = book.incomplete {
        v["incomplete"] = serde_json::json!(i);
    }
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// JUnit XML: a testsuite per student, a testcase per lab, points as properties, the check
/// report as the failure text.
pub fn junit(book: &Gradebook) -> String {
    use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("netlab");
    for s in &book.students {
        let student = clean(&s.student);
        let mut suite = TestSuite::new(student.as_str());
        let (p, m) = s
            .labs
            .iter()
            .fold((0, 0), |(p, m), l| (p + l.points, m + l.max_points));
        suite.add_property(Property::new("points", p.to_string()));
        suite.add_property(Property::new("max_points", m.to_string()));
        for l in &s.labs {
            let mut status = match l.status {
                Status::Pass => TestCaseStatus::success(),
                Status::Fail => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    st.set_message(format!("{}/{} points", l.points, l.max_points));
                    st.set_description(clean(&l.report));
                    st
                }
                Status::Error => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
                    st.set_message("netlab could not grade this lab");
                    st.set_description(clean(&l.report));
                    st
                }
                Status::Missing | Status::Skip => {
                    let mut st = TestCaseStatus::skipped();
                    st.set_message(format!("missing: {}", clean(&l.report)));
                    st
                }
            };
            if l.status == Status::Pass {
                status = TestCaseStatus::success();
            }
            let mut case = TestCase::new(l.lab.as_str(), status);
            case.set_classname(format!("netlab.{student}"));
            case.set_time(std::time::Duration::from_secs_f64(l.seconds.max(0.0)));
            case.add_property(Property::new("points", l.points.to_string()));
            case.add_property(Property::new("max_points", l.max_points.to_string()));
            if !l.sandbox.is_empty() {
                case.add_property(Property::new("sandbox", l.sandbox.as_str()));
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot write JUnit: {e} -->\n"))
}

/// One CSV cell: control characters dropped, a leading `=`, `+`, `-`, `@`, tab or CR
/// (a formula to a spreadsheet) prefixed with `'`, quoted when needed.
fn csv_field(s: &str) -> String {
    let mut v = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    v = clean(&v).replace(['\n', '\t'], " ");
    if v.contains([',', '"']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// `student,lab,status,points,max_points`, one row per graded lab.
pub fn csv(book: &Gradebook) -> String {
    let mut o = String::from("student,lab,status,points,max_points\n");
    for s in &book.students {
        for l in &s.labs {
            let _ = writeln!(
                o,
                "{},{},{},{},{}",
                csv_field(&s.student),
                csv_field(&l.lab),
                l.status.as_str(),
                l.points,
                l.max_points
            );
        }
    }
    o
}

/// A Markdown table cell: no control characters or line breaks, `|` escaped.
fn md_escape(s: &str) -> String {
    clean(s).replace(['\n', '\t'], " ").replace('|', "\\|")
}

/// A Markdown table (e.g. for `$GITHUB_STEP_SUMMARY`).
pub fn markdown(book: &Gradebook) -> String {
    let labs = lab_ids(book);
    let mut o = String::from("## netlab grades\n\n| student |");
    for l in &labs {
        let _ = write!(o, " {} |", md_escape(l));
    }
    o.push_str(" total |\n|---|");
    for _ in &labs {
        o.push_str("---|");
    }
    o.push_str("---|\n");
    for (i, s) in book.students.iter().enumerate() {
        let _ = write!(o, "| {} |", md_escape(&s.student));
        for l in &labs {
            let _ = write!(o, " {} |", cell(book, i, l));
        }
        let (p, m) = totals(book, i);
        let _ = writeln!(o, " {p}/{m} |");
    }
    let _ = writeln!(o, "\n{}", summary(book));
    o
}

/// `DIR/<student>.md`: every lab's full report, for the student to read.
pub fn feedback(book: &Gradebook, dir: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    for s in &book.students {
        let mut o = format!("# netlab feedback for {}\n", md_escape(&s.student));
        for l in &s.labs {
            let _ = writeln!(
                o,
                "\n## {} — {} ({}/{} points)\n",
                l.lab,
                l.status.as_str(),
                l.points,
                l.max_points
            );
            let report = clean(&l.report).replace("```", "'''");
            let _ = writeln!(o, "```text\n{}\n```", report.trim_end());
        }
        let name = feedback_name(&s.student);
        write_atomic(&dir.join(format!("{name}.md")), o.as_bytes())?;
    }
    Ok(book.students.len())
}
