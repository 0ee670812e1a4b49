//! Classroom grading: every student's clients for one or more labs, in parallel, safely.
//!
//! A class directory holds one workspace per student (what `netlab init` writes): the folder
//! name is the student id, `netlab.toml` names the language, `<lab>/client.<ext>` is the client.
//! [`plan`] turns that into one task per (student, lab); [`run`] grades them with `jobs` at a
//! time, each exactly as `netlab check` would — its own server instance on its own ephemeral
//! port (or socket path, or CA), its own process group killed entirely at the limit (escaped
//! processes included), capped output — plus its own temporary copy of the lab folder as the
//! working directory, so a client that writes or deletes files cannot touch the class
//! directory or another student's run.
//!
//! What a student handed in is checked first (`submission`: symbolic links, size cap,
//! `netlab.toml`). Results form a [`Gradebook`], written by [`format`] as a table, JSON,
//! JUnit, CSV or Markdown through [`output`] (atomic writes, a journal of finished grades,
//! safe file names); an interrupted run keeps what finished. [`merge`] combines gradebooks and
//! `netlab check --format json` reports made elsewhere (one CI job per student) into one.

pub mod format;
pub mod output;
mod submission;

use crate::lab::report::{strip_controls, Report};
use crate::lab::{Catalog, LabEntry, Language};
pub use crate::lab::{CheckResult, Status};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use submission::{copy_lab, workspace_language, Unsafe, MAX_COPY_TOTAL};
use tokio_util::sync::CancellationToken;

/// One lab's grade.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LabGrade {
    pub lab: String,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    #[serde(default)]
    pub checks: Vec<CheckResult>,
    /// The full `netlab check` report (text), or why there is none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub report: String,
    /// Seconds the client ran.
    #[serde(default)]
    pub seconds: f64,
    /// The sandbox the client ran in (`landlock+userns+seccomp`, `rlimits only`, `off`);
    /// empty when nothing ran.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sandbox: String,
}

/// One student's grades.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StudentGrades {
    pub student: String,
    pub labs: Vec<LabGrade>,
}

/// The whole class.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Gradebook {
    pub students: Vec<StudentGrades>,
    /// Set when grading was interrupted (Ctrl-C, SIGTERM): how far it got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<Incomplete>,
}

/// How much of an interrupted grading run finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incomplete {
    /// (student, lab) pairs graded.
    pub graded: usize,
    /// (student, lab) pairs planned.
    pub total: usize,
}

/// A class directory problem.
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    #[error("{0}: not a directory of student workspaces")]
    NotAClass(String),
    #[error("unknown lab `{0}`")]
    UnknownLab(String),
    #[error("{path}: {message}")]
    Input { path: String, message: String },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One thing to grade.
#[derive(Clone, Debug)]
pub struct Task {
    pub student: String,
    pub lab: String,
    /// What to do: run this client, or record a grade without running anything.
    pub kind: TaskKind,
}

#[derive(Clone, Debug)]
pub enum TaskKind {
    Run { lang: Language, dir: PathBuf },
    Missing(String),
    Error(String),
}

/// The tasks for `class` (sorted by student, then lab). `labs` empty: every lab a workspace
/// contains. A student folder or lab folder that is a symbolic link is graded `error` (it
/// could point at another student's work).
pub fn plan(class: &Path, catalog: &Catalog, labs: &[String]) -> Result<Vec<Task>, GradeError> {
    for l in labs {
        if catalog.find(l).is_none() {
            return Err(GradeError::UnknownLab(l.clone()));
        }
    }
    let mut students: Vec<PathBuf> = std::fs::read_dir(class)
        .map_err(|_| GradeError::NotAClass(class.display().to_string()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && !p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_none_or(|n| n.starts_with('.'))
        })
        .collect();
    students.sort();
    let mut tasks = Vec::new();
    for dir in students {
        let student = strip_controls(
            &dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let wanted: Vec<String> = if labs.is_empty() {
            let mut found: Vec<String> = catalog
                .labs
                .iter()
                .map(|e| e.lab.id.clone())
                .filter(|id| dir.join(id).is_dir())
                .collect();
            found.sort();
            found
        } else {
            labs.to_vec()
        };
        let lang = workspace_language(&dir);
        for lab in wanted {
            let program = |l: Language| {
                catalog
                    .find(&lab)
                    .map_or_else(|| format!("client.{}", l.ext()), |e| e.lab.program_file(l))
            };
            tasks.push(Task {
                student: student.clone(),
                kind: task_kind(&dir, &lab, &lang, program),
                lab,
            });
        }
    }
    Ok(tasks)
}

/// What to do for one lab of the workspace `dir`.
fn task_kind(
    dir: &Path,
    lab: &str,
    lang: &Result<Language, String>,
    program: impl Fn(Language) -> String,
) -> TaskKind {
    let link = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_symlink());
    if link(dir) {
        return TaskKind::Error(format!(
            "{} is a symbolic link, not a student's own folder: netlab does not grade it",
            dir.display()
        ));
    }
    let lab_dir = dir.join(lab);
    if link(&lab_dir) {
        return TaskKind::Error(format!(
            "{} is a symbolic link, not the student's own lab folder: netlab does not grade it",
            lab_dir.display()
        ));
    }
    match lang {
        Err(why) => TaskKind::Error(why.clone()),
        Ok(lang) => {
            let file = lab_dir.join(program(*lang));
            if std::fs::symlink_metadata(&file).is_ok() {
                TaskKind::Run {
                    lang: *lang,
                    dir: lab_dir,
                }
            } else {
                TaskKind::Missing(format!("{} does not exist", file.display()))
            }
        }
    }
}

/// Grade one task.
pub async fn grade_one(task: &Task, entry: &LabEntry, limit: Option<f64>) -> LabGrade {
    let max = entry.lab.max_points();
    let simple = |status, report: String| LabGrade {
        lab: task.lab.clone(),
        status,
        points: 0,
        max_points: max,
        checks: Vec::new(),
        report,
        seconds: 0.0,
        sandbox: String::new(),
    };
    let (lang, dir) = match &task.kind {
        TaskKind::Missing(why) => return simple(Status::Missing, why.clone()),
        TaskKind::Error(why) => return simple(Status::Error, why.clone()),
        TaskKind::Run { lang, dir } => (*lang, dir),
    };
    let work = match tempfile::Builder::new().prefix("netlab-grade-").tempdir() {
        Ok(w) => w,
        Err(e) => return simple(Status::Error, format!("cannot make a work folder: {e}")),
    };
    let client_name = entry.lab.program_file(lang);
    let copied = match copy_lab(dir, work.path(), &client_name) {
        Ok(c) => c,
        Err(Unsafe::Symlink(p)) => {
            return simple(
                Status::Error,
                format!(
                    "{} is a symbolic link: lab folders must hold only the student's own files, so netlab does not grade this one",
                    p.display()
                ),
            )
        }
        Err(Unsafe::TooBig(n)) => {
            return simple(
                Status::Error,
                format!(
                    "{} is {n} bytes, over the {} MiB limit for a lab folder",
                    dir.join(&client_name).display(),
                    MAX_COPY_TOTAL >> 20
                ),
            )
        }
        Err(Unsafe::Io(e)) => {
            return simple(Status::Error, format!("cannot copy {}: {e}", dir.display()))
        }
    };
    let client = work.path().join(&client_name);
    let command = crate::workspace::client_argv(lang, &client);
    let limit = crate::lab::check::time_limit(entry, limit);
    let mut grade = match crate::lab::check::check_one(entry, &command, work.path(), limit).await {
        Ok(r) => from_report(&r),
        Err(e) => simple(Status::Error, e.to_string()),
    };
    if !copied.left_out.is_empty() {
        grade.report = format!(
            "note: {} file(s) of the lab folder were left out of the run (over the {} MiB limit): {}\n\n{}",
            copied.left_out.len(),
            MAX_COPY_TOTAL >> 20,
            strip_controls(&copied.left_out.join(", ")),
            grade.report
        );
    }
    grade
}

/// A `netlab check` report as one lab's grade.
pub fn from_report(r: &Report) -> LabGrade {
    LabGrade {
        lab: r.lab.clone(),
        status: r.status,
        points: r.points,
        max_points: r.max_points,
        checks: r.checks.clone(),
        report: r.text(false),
        seconds: r.client.seconds,
        sandbox: r.client.sandbox.clone(),
    }
}

/// Called after each graded task with (done, total, task, grade): a progress bar.
pub type Progress = Arc<dyn Fn(usize, usize, &Task, &LabGrade) + Send + Sync>;

/// Grade every task, `jobs` at a time; `progress` is called after each with (done, total).
/// When `stop` is cancelled, the runs still going are dropped (their clients killed, their
/// temporary folders removed) and the gradebook holds what finished, marked incomplete.
pub async fn run(
    tasks: Vec<Task>,
    catalog: &Catalog,
    jobs: usize,
    limit: Option<f64>,
    progress: Progress,
    stop: CancellationToken,
) -> Gradebook {
    let total = tasks.len();
    let sem = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, task) in tasks.into_iter().enumerate() {
        let Some(entry) = catalog.find(&task.lab).cloned() else {
            continue;
        };
        let sem = sem.clone();
        set.spawn(async move {
            // Holding a permit for the whole check keeps at most `jobs` clients running.
            let _permit = sem.acquire_owned().await;
            let grade = grade_one(&task, &entry, limit).await;
            (i, task, grade)
        });
    }
    let mut results: Vec<(usize, Task, LabGrade)> = Vec::with_capacity(total);
    let mut stopped = false;
    loop {
        let next = tokio::select! {
            biased;
            _ = stop.cancelled(), if !stopped => {
                stopped = true;
                set.abort_all();
                continue;
            }
            r = set.join_next() => r,
        };
        match next {
            None => break,
            Some(Ok((i, task, grade))) => {
                progress(results.len() + 1, total, &task, &grade);
                results.push((i, task, grade));
            }
            Some(Err(_)) => {}
        }
    }
    if stopped {
        output::kill_leftovers();
    }
    let graded = results.len();
    results.sort_by_key(|(i, ..)| *i);
    let mut book = Gradebook {
        incomplete: (graded < total).then_some(Incomplete { graded, total }),
        ..Gradebook::default()
    };
    for (_, task, grade) in results {
        match book.students.last_mut() {
            Some(s) if s.student == task.student => s.labs.push(grade),
            _ => book.students.push(StudentGrades {
                student: task.student,
                labs: vec![grade],
            }),
        }
    }
    book
}

impl Gradebook {
    /// Every (student, lab) passed.
    pub fn all_pass(&self) -> bool {
        self.students
            .iter()
            .all(|s| s.labs.iter().all(|l| l.status == Status::Pass))
    }

    /// Add `other`'s grades; a later grade for the same (student, lab) replaces an earlier one.
    pub fn absorb(&mut self, other: Gradebook) {
        self.incomplete = self.incomplete.or(other.incomplete);
        for s in other.students {
            let i = match self.students.iter().position(|x| x.student == s.student) {
                Some(i) => i,
                None => {
                    self.students.push(StudentGrades {
                        student: s.student.clone(),
                        labs: Vec::new(),
                    });
                    self.students.len() - 1
                }
            };
            for l in s.labs {
                let labs = &mut self.students[i].labs;
                match labs.iter_mut().find(|x| x.lab == l.lab) {
                    Some(x) => *x = l,
                    None => labs.push(l),
                }
            }
        }
        self.students.sort_by(|a, b| a.student.cmp(&b.student));
        for s in &mut self.students {
            s.labs.sort_by(|a, b| a.lab.cmp(&b.lab));
        }
    }
}

/// A file `grade merge` reads: a gradebook, or one `netlab check --format json` report.
#[derive(Deserialize)]
#[serde(untagged)]
enum GradeFile {
    Book(Gradebook),
    Report(CheckedReport),
}

/// The fields of a serialised [`Report`] a gradebook keeps.
#[derive(Deserialize)]
struct CheckedReport {
    lab: String,
    /// Who it is for (`netlab check --student`).
    #[serde(default)]
    student: Option<String>,
    status: Status,
    points: u32,
    max_points: u32,
    #[serde(default)]
    checks: Vec<CheckResult>,
    client: CheckedClient,
}

/// The part of a report's `client` a gradebook keeps.
#[derive(Deserialize)]
struct CheckedClient {
    #[serde(default)]
    seconds: f64,
    #[serde(default)]
    sandbox: String,
}

impl CheckedReport {
    fn into_grade(self) -> LabGrade {
        LabGrade {
            lab: self.lab,
            status: self.status,
            points: self.points,
            max_points: self.max_points,
            checks: self.checks,
            report: String::new(),
            seconds: self.client.seconds,
            sandbox: self.client.sandbox,
        }
    }
}

/// Read grade files: gradebooks (`netlab grade --format json`) and single reports
/// (`netlab check --format json`, whose `student` field names the student, else the file name).
pub fn merge(files: &[PathBuf]) -> Result<Gradebook, GradeError> {
    let mut book = Gradebook::default();
    for f in files {
        let bad = |message: String| GradeError::Input {
            path: f.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(f).map_err(|e| bad(e.to_string()))?;
        let file: GradeFile = serde_json::from_str(&text).map_err(|e| {
            let what = if e.is_syntax() || e.is_eof() {
                format!("not JSON: {e}")
            } else {
                format!("neither a gradebook (`students`) nor a `netlab check` report (`lab`): {e}")
            };
            bad(format!("{what} (line {}, column {})", e.line(), e.column()))
        })?;
        match file {
            GradeFile::Book(g) => book.absorb(g),
            GradeFile::Report(r) => {
                let student = r
                    .student
                    .clone()
                    .or_else(|| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
                    .unwrap_or_default();
                book.absorb(Gradebook {
                    students: vec![StudentGrades {
                        student,
                        labs: vec![r.into_grade()],
                    }],
                    incomplete: None,
                });
            }
        }
    }
    Ok(book)
}
