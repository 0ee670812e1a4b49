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
//! Results form a [`Gradebook`], written by [`format`] as a table, JSON, JUnit, CSV or
//! Markdown; [`merge`] combines gradebooks and `netlab check --format json` reports made
//! elsewhere (one CI job per student) into one.

pub mod format;

use crate::lab::grade::CheckResult;
use crate::lab::report::{Report, Verdict};
use crate::lab::{Catalog, LabEntry, Language};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How one lab went for one student.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// netlab could not grade it (no language, an unreadable file…): not the student's score.
    Error,
    /// The student has no client file for this lab.
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Missing => "missing",
        }
    }
}

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
/// contains.
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
        let student = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let cfg = dir.join(crate::workspace::CONFIG);
        let lang = crate::workspace::Workspace::open(&dir)
            .ok()
            .map(|ws| ws.language);
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
        for lab in wanted {
            let kind = match lang {
                None => TaskKind::Error(format!(
                    "{} is missing or has no valid `language = \"node|python|shell\"`",
                    cfg.display()
                )),
                Some(lang) => {
                    let file = dir.join(&lab).join(format!("client.{}", lang.ext()));
                    if file.is_file() {
                        TaskKind::Run {
                            lang,
                            dir: dir.join(&lab),
                        }
                    } else {
                        TaskKind::Missing(format!("{} does not exist", file.display()))
                    }
                }
            };
            tasks.push(Task {
                student: student.clone(),
                lab,
                kind,
            });
        }
    }
    Ok(tasks)
}

/// Largest lab folder file copied into a run's working directory; larger files are skipped.
const MAX_COPY: u64 = 4 << 20;

/// Copy the files of `from` (not sub-folders; symlinks not followed) into `to`.
fn copy_lab(from: &Path, to: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(from)?.flatten() {
        let meta = std::fs::symlink_metadata(e.path())?;
        if meta.is_file() && meta.len() <= MAX_COPY {
            std::fs::copy(e.path(), to.join(e.file_name()))?;
        }
    }
    Ok(())
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
    if let Err(e) = copy_lab(dir, work.path()) {
        return simple(Status::Error, format!("cannot copy {}: {e}", dir.display()));
    }
    let client = work.path().join(format!("client.{}", lang.ext()));
    let command = crate::workspace::client_argv(lang, &client);
    let limit = crate::lab::check::time_limit(entry, limit);
    match crate::lab::check::check_one(entry, &command, work.path(), limit).await {
        Ok(r) => from_report(&r),
        Err(e) => simple(Status::Error, e.to_string()),
    }
}

/// A `netlab check` report as one lab's grade.
pub fn from_report(r: &Report) -> LabGrade {
    LabGrade {
        lab: r.lab.clone(),
        status: match r.status {
            Verdict::Pass => Status::Pass,
            Verdict::Fail => Status::Fail,
            Verdict::Error => Status::Error,
        },
        points: r.points,
        max_points: r.max_points,
        checks: r.checks.clone(),
        report: r.text(false),
        seconds: r.client.seconds,
    }
}

/// Called after each graded task with (done, total, task, grade): a progress bar.
pub type Progress = Arc<dyn Fn(usize, usize, &Task, &LabGrade) + Send + Sync>;

/// Grade every task, `jobs` at a time; `progress` is called after each with (done, total).
pub async fn run(
    tasks: Vec<Task>,
    catalog: &Catalog,
    jobs: usize,
    limit: Option<f64>,
    progress: Progress,
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
    while let Some(r) = set.join_next().await {
        if let Ok((i, task, grade)) = r {
            progress(results.len() + 1, total, &task, &grade);
            results.push((i, task, grade));
        }
    }
    results.sort_by_key(|(i, ..)| *i);
    let mut book = Gradebook::default();
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
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            bad(format!(
                "not JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        if v.get("students").is_some() {
            let g: Gradebook =
                serde_json::from_value(v).map_err(|e| bad(format!("not a gradebook: {e}")))?;
            book.absorb(g);
            continue;
        }
        let lab = v["lab"]
            .as_str()
            .ok_or_else(|| bad("neither a gradebook (students) nor a check report (lab)".into()))?;
        let student = v["student"]
            .as_str()
            .map(str::to_string)
            .or_else(|| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let status = match v["status"].as_str() {
            Some("pass") => Status::Pass,
            Some("fail") => Status::Fail,
            _ => Status::Error,
        };
        let grade = LabGrade {
            lab: lab.to_string(),
            status,
            points: v["points"].as_u64().unwrap_or(0) as u32,
            max_points: v["max_points"].as_u64().unwrap_or(0) as u32,
            checks: serde_json::from_value(v["checks"].clone()).unwrap_or_default(),
            report: String::new(),
            seconds: v["client"]["seconds"].as_f64().unwrap_or(0.0),
        };
        book.absorb(Gradebook {
            students: vec![StudentGrades {
                student,
                labs: vec![grade],
            }],
        });
    }
    Ok(book)
}
