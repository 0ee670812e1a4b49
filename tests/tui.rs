//! The TUI without a terminal: `update` driven by messages, every screen drawn on ratatui's
//! `TestBackend` and compared with a snapshot (insta), and the main loop fed from a channel.

use netlab::course::lesson::Step;
use netlab::course::progress::Progress;
use netlab::course::Course;
use netlab::lab::grade::{CheckResult, Status};
use netlab::lab::report::Report;
use netlab::lab::run::{ClientOutcome, ExitStatus};
use netlab::lab::Language;
use netlab::trace::{Entry, Event, Scope, WireDir};
use netlab::tui::app::{App, Cmd, Msg, Screen, Server, TIMELINE_CAP};
use netlab::workspace::Workspace;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEventKind};
use ratatui::Terminal;
use std::sync::Arc;

fn app() -> App {
    let course = Arc::new(Course::load(None).unwrap());
    let mut a = App::new(course, Progress::fresh());
    a.color = false;
    // Not the environment's: snapshots stay the same on every machine.
    a.workspace_home = "/home/learner/.local/share/netlab/workspace".into();
    a
}

fn key(a: &mut App, code: KeyCode) -> Vec<Cmd> {
    a.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ch(a: &mut App, c: char) -> Vec<Cmd> {
    key(a, KeyCode::Char(c))
}

fn draw(a: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(a, f.area())).unwrap();
    format!("{}", t.backend())
}

fn at(a: &mut App, lesson: &str, step: usize) {
    let (i, _) = a.course.find(lesson).unwrap();
    a.open(i, step - 1);
}

fn entry(seq: u64, t_ms: f64, scope: Scope, event: Event) -> Arc<Entry> {
    Arc::new(Entry {
        seq,
        t_ms,
        scope,
        event,
    })
}

fn echo_events(a: &mut App) {
    let conn = Scope::Conn { conn: 1 };
    let events = [
        (
            Scope::Server,
            Event::Listening {
                address: "127.0.0.1".into(),
                port: Some(8124),
                transport: "tcp".into(),
            },
        ),
        (
            Scope::Server,
            Event::Connection {
                peer: "127.0.0.1:50000".into(),
            },
        ),
        (conn, Event::data(b"hello\r\n")),
        (
            conn,
            Event::Write {
                bytes: 7,
                text: "hello\r\n".into(),
                truncated: false,
                returned: true,
            },
        ),
        (conn, Event::End),
        (conn, Event::EndCall { reason: None }),
        (conn, Event::Finish),
        (
            conn,
            Event::Close {
                had_error: Some(false),
            },
        ),
    ];
    for (i, (scope, event)) in events.into_iter().enumerate() {
        a.update(Msg::Event(entry(i as u64, i as f64 * 1.5, scope, event)));
    }
}

fn report(pass: bool) -> Box<Report> {
    let c = Course::load(None).unwrap();
    let lab = &c.labs.find("tcp-hello").unwrap().lab;
    let checks: Vec<CheckResult> = lab
        .checks
        .iter()
        .enumerate()
        .map(|(i, ch)| {
            let fails = !pass && i == 2;
            CheckResult {
                name: ch.name.clone(),
                status: if fails { Status::Fail } else { Status::Pass },
                points: if fails { 0 } else { ch.points },
                max_points: ch.points,
                message: fails.then(|| ch.fail.clone()),
                output: fails.then(|| "- hello\\r\\n\n+ hello\\n".to_string()),
            }
        })
        .collect();
    let client = ClientOutcome {
        status: ExitStatus::Exited { code: 0 },
        seconds: 0.12,
        stdout: b"hello\r\n".to_vec(),
        stdout_bytes: 7,
        stderr: Vec::new(),
        stderr_bytes: 0,
        leftovers_killed: 0,
        sandbox: "landlock+userns+seccomp".into(),
    };
    Box::new(Report::new(
        lab,
        checks,
        client,
        vec!["node".into(), "client.js".into()],
        String::new(),
        true,
    ))
}

fn lab_app(pass: bool) -> App {
    let mut a = app();
    a.workspace = Some(Workspace {
        root: "/home/learner/netlab-work".into(),
        language: Language::Node,
    });
    at(&mut a, "tcp-server", 7);
    let cmds = key(&mut a, KeyCode::Enter);
    assert_eq!(a.screen, Screen::Lab);
    assert_eq!(
        cmds,
        [Cmd::Watch(Some(
            "/home/learner/netlab-work/tcp-hello/client.js".into()
        ))]
    );
    a.update(Msg::CheckDone(Ok(report(pass))));
    a
}

// ---- snapshots of every screen ---------------------------------------------------------------

#[test]
fn snapshot_lesson_text_step() {
    let mut a = app();
    a.open(0, 0);
    insta::assert_snapshot!(draw(&a, 80, 24));
}

#[test]
fn snapshot_serve_step_with_a_live_timeline() {
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    assert_eq!(ch(&mut a, 's'), [Cmd::StartServer("tcp-echo".into())]);
    a.update(Msg::ServerStarted {
        scenario: "tcp-echo".into(),
        port: 8124,
        socket: String::new(),
        ca: String::new(),
    });
    echo_events(&mut a);
    insta::assert_snapshot!(draw(&a, 100, 30));
}

#[test]
fn snapshot_timeline_lanes_and_wide_layout() {
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    ch(&mut a, 's');
    a.update(Msg::ServerStarted {
        scenario: "tcp-echo".into(),
        port: 8124,
        socket: String::new(),
        ca: String::new(),
    });
    echo_events(&mut a);
    ch(&mut a, 't');
    ch(&mut a, 'l');
    insta::assert_snapshot!(draw(&a, 130, 24));
}

#[test]
fn snapshot_quiz_answered() {
    let mut a = app();
    at(&mut a, "layers", 3);
    ch(&mut a, 'b');
    key(&mut a, KeyCode::Enter);
    insta::assert_snapshot!(draw(&a, 80, 24));
}

#[test]
fn snapshot_lab_pass() {
    let a = lab_app(true);
    insta::assert_snapshot!(draw(&a, 80, 30));
}

#[test]
fn snapshot_lab_fail_with_diff() {
    let mut a = lab_app(false);
    // Scroll to the checks.
    for _ in 0..8 {
        key(&mut a, KeyCode::Down);
    }
    insta::assert_snapshot!(draw(&a, 80, 30));
}

#[test]
fn snapshot_course_map() {
    let mut a = lab_app(true);
    key(&mut a, KeyCode::Esc);
    ch(&mut a, 'm');
    insta::assert_snapshot!(draw(&a, 80, 24));
}

#[test]
fn snapshot_help() {
    let mut a = app();
    a.open(0, 0);
    ch(&mut a, '?');
    insta::assert_snapshot!(draw(&a, 80, 24));
}

#[test]
fn snapshot_too_small() {
    let mut a = app();
    a.open(0, 0);
    insta::assert_snapshot!(draw(&a, 40, 10));
}

// ---- update ----------------------------------------------------------------------------------

#[test]
fn arrows_walk_steps_and_lessons_and_save_the_position() {
    let mut a = app();
    a.open(0, 0);
    let n = a.steps().len();
    for _ in 0..n - 1 {
        key(&mut a, KeyCode::Right);
    }
    assert_eq!((a.lesson, a.step), (0, n - 1));
    let cmds = ch(&mut a, 'n');
    assert_eq!((a.lesson, a.step), (1, 0));
    assert!(
        matches!(cmds[0], Cmd::SaveProgress(ref p) if p.position.as_ref().unwrap().lesson == "tcp-server")
    );
    ch(&mut a, 'p');
    assert_eq!((a.lesson, a.step), (0, n - 1));
    key(&mut a, KeyCode::Left);
    assert_eq!((a.lesson, a.step), (0, n - 2));
    // The first step of the course: nothing before it.
    a.open(0, 0);
    assert!(key(&mut a, KeyCode::Left).is_empty());
}

#[test]
fn s_starts_and_stops_and_leaving_the_lesson_stops_the_server() {
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    assert_eq!(ch(&mut a, 's'), [Cmd::StartServer("tcp-echo".into())]);
    assert_eq!(a.server, Server::Starting("tcp-echo".into()));
    a.update(Msg::ServerStarted {
        scenario: "tcp-echo".into(),
        port: 8124,
        socket: String::new(),
        ca: String::new(),
    });
    assert!(matches!(a.server, Server::Running { port: 8124, .. }));
    assert_eq!(ch(&mut a, 's'), [Cmd::StopServer]);
    ch(&mut a, 's');
    // Moving to another lesson stops it.
    a.update(Msg::ServerStarted {
        scenario: "tcp-echo".into(),
        port: 8124,
        socket: String::new(),
        ca: String::new(),
    });
    let n = a.steps().len();
    for _ in a.step..n - 1 {
        key(&mut a, KeyCode::Right);
    }
    let cmds = key(&mut a, KeyCode::Right);
    assert!(cmds.contains(&Cmd::StopServer), "{cmds:?}");
    assert_eq!(a.server, Server::Stopped);
    // A text step has no server to start.
    a.open(0, 0);
    assert!(ch(&mut a, 's').is_empty());
    assert!(a.status.is_some());
}

#[test]
fn q_and_ctrl_c_quit_stopping_the_server_and_saving() {
    let mut a = app();
    at(&mut a, "udp", 3);
    ch(&mut a, 's');
    let cmds = ch(&mut a, 'q');
    assert!(a.quit);
    assert_eq!(cmds.first(), Some(&Cmd::StopServer));
    assert!(matches!(cmds[1], Cmd::SaveProgress(_)));
    assert_eq!(cmds.last(), Some(&Cmd::Quit));
    let mut b = app();
    b.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(b.quit);
    let mut c = app();
    c.update(Msg::Quit); // SIGTERM
    assert!(c.quit);
}

#[test]
fn quizzes_record_right_and_wrong_answers() {
    let mut a = app();
    at(&mut a, "layers", 3); // "Which layer do TCP and UDP belong to?" — (a) is right
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Up);
    ch(&mut a, ' ');
    let cmds = key(&mut a, KeyCode::Enter);
    assert!(matches!(&cmds[..], [Cmd::SaveProgress(_)]));
    assert!(a.quiz.submitted);
    let q = &a.progress.lessons["layers"].quizzes["3"];
    assert_eq!((q.chosen.clone(), q.right), (vec![0], true));
    // A multiple-answer quiz answered with only one of the right ones is wrong.
    key(&mut a, KeyCode::Enter); // next step
    ch(&mut a, 'a');
    key(&mut a, KeyCode::Enter);
    assert!(!a.progress.lessons["layers"].quizzes["4"].right);
    // Coming back shows the saved answer.
    key(&mut a, KeyCode::Left);
    key(&mut a, KeyCode::Right);
    assert!(a.quiz.submitted);
}

#[test]
fn demo_steps_run_the_demo_once_at_a_time() {
    let mut a = app();
    at(&mut a, "layers", 5);
    assert_eq!(ch(&mut a, 'd'), [Cmd::RunDemo("http-get".into())]);
    assert!(ch(&mut a, 'd').is_empty(), "one demo at a time");
    a.update(Msg::DemoDone(Ok(vec!["GET /hello → 200".into()])));
    assert!(!a.demo_running);
    assert_eq!(a.notes, ["GET /hello → 200"]);
}

#[test]
fn watch_mode_checks_on_save_and_reruns_after_a_running_check() {
    let mut a = lab_app(true);
    assert!(a.lab.watching);
    assert_eq!(
        a.update(Msg::FileChanged),
        [Cmd::RunCheck("tcp-hello".into())]
    );
    assert!(a.lab.running);
    // A save during the run: one more check when it ends, not two at once.
    assert!(a.update(Msg::FileChanged).is_empty());
    let cmds = a.update(Msg::CheckDone(Ok(report(false))));
    assert!(
        cmds.contains(&Cmd::RunCheck("tcp-hello".into())),
        "{cmds:?}"
    );
    // A pass is remembered even if a later check fails.
    a.update(Msg::CheckDone(Ok(report(false))));
    assert!(a.progress.lab_passed("tcp-hello"));
    // w stops watching; saves no longer check.
    assert_eq!(ch(&mut a, 'w'), [Cmd::Watch(None)]);
    assert!(a.update(Msg::FileChanged).is_empty());
    // Where watching is impossible, the learner is told and checks by hand.
    ch(&mut a, 'w');
    a.update(Msg::WatchFailed("inotify limit reached".into()));
    assert!(!a.lab.watching);
    assert_eq!(ch(&mut a, 'c'), [Cmd::RunCheck("tcp-hello".into())]);
    // e opens the file; h reveals hints one by one.
    assert_eq!(
        ch(&mut a, 'e'),
        [Cmd::OpenEditor(
            "/home/learner/netlab-work/tcp-hello/client.js".into()
        )]
    );
    ch(&mut a, 'h');
    assert_eq!(a.lab.hints, 1);
}

#[test]
fn labs_without_a_workspace_offer_init() {
    let mut a = app();
    at(&mut a, "tcp-server", 7);
    assert!(key(&mut a, KeyCode::Enter).is_empty());
    assert_eq!(a.screen, Screen::Lab);
    assert!(ch(&mut a, 'c').is_empty());
    // `i` asks for the language first, and says where the workspace will be.
    assert!(ch(&mut a, 'i').is_empty());
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        assert!(s.contains("n node · p python · s shell"), "{s}");
        assert!(
            s.contains("/home/learner/.local/share/netlab/workspace"),
            "{s}"
        );
        insta::assert_snapshot!(format!("init_asks_the_language_{w}x{h}"), s);
    }
    // Any other key cancels.
    assert!(ch(&mut a, 'x').is_empty());
    assert!(a.confirm.is_none());
    ch(&mut a, 'i');
    assert_eq!(ch(&mut a, 'p'), [Cmd::InitWorkspace(Language::Python)]);
    let ws = Workspace {
        root: "/w".into(),
        language: Language::Python,
    };
    a.workspace = Some(ws.clone());
    let cmds = a.update(Msg::WorkspaceReady(ws));
    // The lab view follows the workspace's language: its file and the command a check runs.
    assert_eq!(cmds, [Cmd::Watch(Some("/w/tcp-hello/client.py".into()))]);
    let s = draw(&a, 100, 30);
    assert!(s.contains("/w/tcp-hello/client.py"), "{s}");
    assert!(s.contains("Each check runs: python3 client.py"), "{s}");
    // With a workspace, `i` only says where it is.
    assert!(ch(&mut a, 'i').is_empty());
    assert!(a.confirm.is_none());
}

#[test]
fn map_resets_need_confirmation() {
    let mut a = lab_app(true);
    assert!(a.progress.lab_passed("tcp-hello"));
    ch(&mut a, 'm');
    ch(&mut a, 'R');
    ch(&mut a, 'n'); // anything but y
    assert!(a.progress.lab_passed("tcp-hello"));
    ch(&mut a, 'R');
    ch(&mut a, 'y');
    assert!(!a.progress.lab_passed("tcp-hello"));
    // Enter on a lesson row opens it.
    a.map_cursor = 3;
    key(&mut a, KeyCode::Enter);
    assert_eq!((a.screen, a.lesson, a.step), (Screen::Lesson, 3, 0));
}

#[test]
fn a_flood_keeps_the_timeline_bounded_and_counted() {
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    for i in 0..(TIMELINE_CAP as u64 * 3) {
        a.update(Msg::Event(entry(
            i,
            0.0,
            Scope::Conn { conn: 1 },
            Event::data(b"x"),
        )));
    }
    a.update(Msg::Lagged(500));
    assert_eq!(a.timeline.entries.len(), TIMELINE_CAP);
    assert_eq!(a.timeline.dropped, TIMELINE_CAP as u64 * 2);
    assert_eq!(a.timeline.counts["data"], TIMELINE_CAP as u64 * 3);
    assert_eq!(a.timeline.lagged, 500);
    // Filter and pause.
    ch(&mut a, 't');
    ch(&mut a, 'f');
    assert_eq!(a.timeline.filter, Some(1));
    ch(&mut a, ' ');
    assert!(a.timeline.paused);
    a.update(Msg::Event(entry(
        0,
        0.0,
        Scope::Conn { conn: 1 },
        Event::End,
    )));
    assert_eq!(
        a.timeline.scroll, 1,
        "a paused view stays on the same lines"
    );
}

#[test]
fn the_loop_applies_messages_and_stops_on_quit() {
    let mut a = app();
    a.open(0, 0);
    let (tx, rx) = std::sync::mpsc::sync_channel(16);
    for c in ['n', 'n', 'q'] {
        tx.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )))
        .unwrap();
    }
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut seen = Vec::new();
    netlab::tui::run_loop(&mut t, &mut a, &rx, |cmd, _, _| seen.push(cmd)).unwrap();
    assert!(a.quit);
    assert_eq!(a.step, 2);
    assert_eq!(seen.last(), Some(&Cmd::Quit));
    // And it stops when every sender is gone.
    let mut b = app();
    drop(tx);
    netlab::tui::run_loop(&mut t, &mut b, &rx, |_, _, _| {}).unwrap();
}

#[test]
fn lesson_12_connect_look_for_ticks_on_a_connect_request() {
    let mut a = app();
    at(&mut a, "http-server-events", 2);
    ch(&mut a, 's');
    a.update(Msg::ServerStarted {
        scenario: "http".into(),
        port: 8080,
        socket: String::new(),
        ca: String::new(),
    });
    let before = draw(&a, 120, 40);
    assert!(before.contains("· connect"), "{before}");
    a.update(Msg::Event(entry(
        1,
        1.0,
        Scope::Request { conn: 1, req: 1 },
        Event::ConnectRequest {
            url: "echo.netlab:7".into(),
            http_version: "1.1".into(),
        },
    )));
    let after = draw(&a, 120, 40);
    assert!(after.contains("✓ connect"), "{after}");
    assert!(after.contains("· checkContinue"), "{after}");
}

// ---- issue 14, item 6: layout and quiz fixes ----------------------------------------------

/// Enter on a quiz with nothing marked answers nothing (the cursor is not a choice) and says
/// what to do in the status line.
#[test]
fn enter_on_an_unmarked_quiz_needs_an_explicit_choice() {
    let mut a = app();
    at(&mut a, "layers", 3);
    let cmds = key(&mut a, KeyCode::Enter);
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(!a.quiz.submitted);
    assert!(!a.progress.lessons["layers"].quizzes.contains_key("3"));
    let status = a.status.as_ref().map(|s| s.0.clone()).unwrap_or_default();
    assert!(status.contains("Mark an answer first"), "{status}");
    insta::assert_snapshot!("unmarked_quiz_80x24", draw(&a, 80, 24));
    insta::assert_snapshot!("unmarked_quiz_120x40", draw(&a, 120, 40));
}

/// "Not quite" is about its own quiz: the next step starts with a clear status line.
#[test]
fn a_verdict_is_cleared_on_step_change() {
    let mut a = app();
    at(&mut a, "layers", 3);
    ch(&mut a, 'b'); // wrong
    key(&mut a, KeyCode::Enter);
    let status = a.status.as_ref().map(|s| s.0.clone()).unwrap_or_default();
    assert!(status.starts_with("Not quite"), "{status}");
    key(&mut a, KeyCode::Right);
    assert_eq!(a.status, None);
    assert!(!draw(&a, 80, 24).contains("Not quite"));
    insta::assert_snapshot!("after_not_quite_80x24", draw(&a, 80, 24));
    insta::assert_snapshot!("after_not_quite_120x40", draw(&a, 120, 40));
}

/// A lesson whose steps were all seen but whose lab has not passed gets no ✓ on the map; a
/// very long lesson title is cut with "…" and leaves the count column in place.
#[test]
fn map_ticks_need_the_lab_and_long_titles_keep_the_columns() {
    let mut course = Course::load(None).unwrap();
    let (li, _) = course.find("tcp-server").unwrap();
    course.lessons[0].lesson.title =
        "A very long lesson title that goes on and on well past any column the map has".into();
    let labs: Vec<String> = course.lessons[li]
        .lesson
        .steps
        .iter()
        .filter_map(|s| match s {
            netlab::course::lesson::Step::Lab { lab, .. } => Some(lab.clone()),
            _ => None,
        })
        .collect();
    assert!(!labs.is_empty(), "tcp-server sets a lab");
    let id = course.lessons[li].lesson.id.clone();
    let steps = course.lessons[li].lesson.steps.len();
    let mut a = App::new(Arc::new(course), Progress::fresh());
    a.color = false;
    for s in 1..=steps {
        a.progress.visit(&id, s);
    }
    assert!(a.progress.lesson_done(&id, steps));
    assert!(!a.lesson_complete(li), "a ✓ with the lab undone");
    a.screen = Screen::Map;
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        let row = s
            .lines()
            .find(|l| l.contains(&format!("{:>2}. ", li + 1)))
            .unwrap()
            .to_string();
        assert!(!row.contains('✓'), "{row}");
        // Every lesson row ends its count in the same column.
        let ends: std::collections::BTreeSet<usize> = s
            .lines()
            .filter(|l| l.contains(". ") && l.contains('/'))
            .map(|l| l.trim_end_matches([' ', '│', '"']).chars().count())
            .collect();
        assert_eq!(ends.len(), 1, "count columns differ at {w}x{h}:\n{s}");
        assert!(s.contains("A very long lesson title"), "{s}");
        assert!(s.contains('…'), "{s}");
        insta::assert_snapshot!(format!("map_long_title_lab_undone_{w}x{h}"), s);
    }
    for lab in &labs[..labs.len() - 1] {
        a.progress.lab(lab, true, 1, 1);
    }
    assert!(!a.lesson_complete(li), "a ✓ with one of its labs undone");
    a.progress.lab(&labs[labs.len() - 1], true, 1, 1);
    assert!(a.lesson_complete(li));
    let s = draw(&a, 120, 40);
    let row = s
        .lines()
        .find(|l| l.contains(&format!("{:>2}. ", li + 1)))
        .unwrap();
    assert!(row.contains('✓'), "{row}");
}

/// At 80×24 a long step says "more below" on its bottom border; scrolled to the end, or on a
/// tall terminal where it fits, it does not.
#[test]
fn more_below_when_the_step_is_below_the_fold() {
    let mut a = app();
    at(&mut a, "tcp-server", 5);
    let s = draw(&a, 80, 24);
    assert!(s.contains("↓ more below"), "{s}");
    insta::assert_snapshot!("more_below_80x24", s);
    let tall = draw(&a, 120, 40);
    assert!(!tall.contains("↓ more below"), "{tall}");
    insta::assert_snapshot!("more_below_120x40", tall);
    for _ in 0..40 {
        key(&mut a, KeyCode::Down);
    }
    assert!(!draw(&a, 80, 24).contains("↓ more below"));
}

/// Lesson 2 step 5: with the step-3 server still running, `NETLAB_PORT=<port>` carries its
/// real port.
#[test]
fn netlab_port_is_filled_while_the_server_runs() {
    let mut a = app();
    at(&mut a, "tcp-server", 5);
    assert!(draw(&a, 120, 40).contains("NETLAB_PORT=<port>"));
    a.server = Server::Running {
        scenario: "tcp-echo".into(),
        port: 40123,
        socket: String::new(),
        ca: String::new(),
    };
    let s = draw(&a, 120, 40);
    assert!(s.contains("NETLAB_PORT=40123 node client.js"), "{s}");
    assert!(!s.contains("<port>"), "{s}");
}

/// The "Try" commands sit on lines of their own, broken only at spaces with a ` \` shell
/// continuation (or cut with "…"): no row runs into the border mid-word.
#[test]
fn try_commands_never_wrap_mid_word() {
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    for (w, h) in [(80, 24), (120, 40)] {
        a.scroll = 8;
        let s = draw(&a, w, h);
        assert!(
            s.contains("    printf 'hello\\r\\n' | nc -N 127.0.0.1 8124"),
            "{s}"
        );
        // Code is shown as code, not in literal backticks.
        assert!(s.contains("to start netlab serve tcp-echo"), "{s}");
        // A command row ends in a continuation, "…", or the end of the command — never
        // a word cut by the border.
        for row in s.lines().filter(|l| l.contains("node -e")) {
            let inner = row.split('│').find(|c| c.contains("node -e")).unwrap();
            let inner = inner.trim_end();
            assert!(
                inner.ends_with('\\') || inner.ends_with('…') || inner.ends_with('"'),
                "{row}"
            );
        }
        insta::assert_snapshot!(format!("try_commands_{w}x{h}"), s);
    }
}

/// The help popup is as wide as its text, and wraps (never cuts) where the screen is narrower.
#[test]
fn the_help_popup_shows_all_of_its_text() {
    let mut a = app();
    ch(&mut a, '?');
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        assert!(s.contains("heads, G follow)"), "{s}");
        assert!(s.contains("Any key closes this help."), "{s}");
        insta::assert_snapshot!(format!("help_{w}x{h}"), s);
    }
    // The longest entry's last word, wrapped onto its own row rather than cut.
    let narrow = draw(&a, 60, 30);
    assert!(narrow.contains("│              follow)"), "{narrow}");
}

/// Lesson 1 step 2's layer table is wider than the pane: its cells re-flow within their
/// columns, so every row keeps its separators and nothing wraps back to column 0.
#[test]
fn a_wide_table_keeps_its_columns() {
    let mut a = app();
    at(&mut a, "layers", 2);
    for (w, h) in [(80, 24), (100, 30), (120, 40)] {
        let s = draw(&a, w, h);
        let rows: Vec<&str> = s.lines().collect();
        let head = rows
            .iter()
            .position(|l| l.contains("layer ") && l.contains("OSI"))
            .unwrap_or_else(|| panic!("{s}"));
        let chars = |l: &str| l.chars().collect::<Vec<char>>();
        let head_chars = chars(rows[head]);
        let sep = (1..head_chars.len())
            .find(|&i| head_chars[i] == '│' && head_chars[i - 1] == ' ')
            .unwrap();
        let body: Vec<&str> = rows[head..]
            .iter()
            .take_while(|l| l.contains('│') && !l.trim_matches(['"', '│', ' ']).is_empty())
            .copied()
            .collect();
        assert!(body.len() >= 6, "{s}");
        for l in &body {
            let c = chars(l).get(sep).copied();
            assert!(matches!(c, Some('│' | '┼')), "{w}x{h}: {l}\n{s}");
        }
        assert!(s.contains("HTTP, SMTP"), "{s}");
        if w != 100 {
            insta::assert_snapshot!(format!("wide_table_{w}x{h}"), s);
        }
    }
}

/// A code line wider than the pane continues on rows under the block's gutter.
#[test]
fn wrapped_code_keeps_its_gutter() {
    let mut a = app();
    at(&mut a, "tcp-server", 5);
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        // The client's `data` line is wider than the 80-column pane: its tail sits under the
        // gutter, at the line's indentation; at 120 columns it fits on one row.
        let data = s
            .lines()
            .position(|l| l.contains("client.on('data'"))
            .unwrap();
        let next = s.lines().nth(data + 1).unwrap();
        if w == 80 {
            assert!(next.starts_with("\"│  │ nts: echo"), "{w}x{h}: {next}\n{s}");
        } else {
            assert!(next.contains("client.on('end'"), "{w}x{h}: {next}\n{s}");
        }
        insta::assert_snapshot!(format!("code_gutter_{w}x{h}"), s);
    }
}

/// An HTTP exchange on the timeline: a request and a response head.
fn http_events(a: &mut App) {
    let events = [
        (
            Scope::Server,
            Event::Connection {
                peer: "127.0.0.1:50000".into(),
            },
        ),
        (
            Scope::Request { conn: 1, req: 1 },
            Event::Request {
                method: "GET".into(),
                url: "/hello".into(),
                http_version: "1.1".into(),
                headers: vec![
                    ("Host".into(), "127.0.0.1:8080".into()),
                    ("User-Agent".into(), "curl/8.5.0".into()),
                ],
            },
        ),
        (
            Scope::Response { conn: 1, req: 1 },
            Event::WriteHead {
                status: 200,
                reason: "OK".into(),
                headers: vec![("Content-Length".into(), "6".into())],
            },
        ),
        (Scope::Response { conn: 1, req: 1 }, Event::Finish),
    ];
    for (i, (scope, event)) in events.into_iter().enumerate() {
        a.update(Msg::Event(entry(i as u64, i as f64 * 1.5, scope, event)));
    }
}

/// The timeline shows HTTP heads as `>`/`<` lines under their events, as `netlab serve`
/// prints them; `h` (timeline focused) hides and shows them again.
#[test]
fn the_timeline_shows_http_heads_and_h_toggles_them() {
    let mut a = app();
    let (i, l) = a.course.find("curl-v").unwrap();
    let serve = l
        .lesson
        .steps
        .iter()
        .position(|s| s.scenario() == Some("http"))
        .unwrap();
    a.open(i, serve);
    ch(&mut a, 's');
    a.update(Msg::ServerStarted {
        scenario: "http".into(),
        port: 8080,
        socket: String::new(),
        ca: String::new(),
    });
    http_events(&mut a);
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        // The pane shows the newest rows: at 80×24 the request line has scrolled off.
        let first = if h == 40 {
            "> GET /hello HTTP/1.1"
        } else {
            "> User-Agent: curl/8.5.0"
        };
        for want in [
            first,
            "> Host: 127.0.0.1:8080",
            "< HTTP/1.1 200 OK",
            "< Content-Length: 6",
        ] {
            assert!(s.contains(want), "{want} at {w}x{h}:\n{s}");
        }
        insta::assert_snapshot!(format!("http_heads_{w}x{h}"), s);
    }
    ch(&mut a, 't');
    assert!(draw(&a, 120, 40).contains("h heads"));
    ch(&mut a, 'h');
    let s = draw(&a, 120, 40);
    assert!(!s.contains("> Host:"), "{s}");
    assert!(s.contains("writeHead()"), "{s}");
    ch(&mut a, 'h');
    ch(&mut a, 'l');
    let s = draw(&a, 120, 40);
    assert!(s.contains("│ < HTTP/1.1 200 OK"), "{s}");
}

/// After a check the lab view shows the server's timeline of that run, beside the report at
/// 120 columns and below it at 80; `t` focuses it and ↑↓ scroll it, Esc leaves it.
#[test]
fn the_lab_view_shows_the_runs_own_timeline() {
    let mut a = lab_app(false);
    let mut r = report(false);
    let conn = Scope::Conn { conn: 1 };
    let events = [
        (
            Scope::Server,
            Event::Connection {
                peer: "127.0.0.1:50000".into(),
            },
        ),
        (conn, Event::data(b"hel")),
        (
            conn,
            Event::Write {
                bytes: 3,
                text: "hel".into(),
                truncated: false,
                returned: true,
            },
        ),
        (conn, Event::data(b"lo\n")),
        (
            conn,
            Event::Write {
                bytes: 3,
                text: "lo\n".into(),
                truncated: false,
                returned: true,
            },
        ),
        (conn, Event::End),
        (conn, Event::EndCall { reason: None }),
        (conn, Event::Finish),
        (
            conn,
            Event::Close {
                had_error: Some(false),
            },
        ),
    ];
    r.timeline = events
        .into_iter()
        .enumerate()
        .map(|(i, (scope, event))| entry(i as u64, i as f64 * 0.5, scope, event))
        .collect();
    a.update(Msg::CheckDone(Ok(r)));
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        assert!(
            s.contains("Your run · the server's timeline · 9 events"),
            "{s}"
        );
        assert!(s.contains("connection"), "{s}");
        assert!(s.contains("Last check: FAIL"), "{s}");
        insta::assert_snapshot!(format!("lab_run_timeline_{w}x{h}"), s);
    }
    // Beside at 120 columns: the report and the run share rows.
    let wide = draw(&a, 120, 40);
    assert!(wide
        .lines()
        .any(|l| l.contains("Lab tcp-hello") && l.contains("Your run")));
    // Focus it and scroll: the first event leaves the view.
    ch(&mut a, 't');
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    assert_eq!(a.lab.run_scroll, 2);
    let s = draw(&a, 80, 24);
    assert!(s.contains("· ↓2"), "{s}");
    assert!(!s.contains("from 127.0.0.1:50000"), "{s}");
    for _ in 0..50 {
        key(&mut a, KeyCode::Down);
    }
    assert_eq!(a.lab.run_scroll, 8, "bounded by the rows there are");
    // Scrolled to the end, the view shows the last rows (the close).
    assert!(draw(&a, 80, 24).contains("hadError=false"));
    // The report's own scroll did not move; Esc leaves the timeline, then the lab.
    assert_eq!(a.lab.scroll, 0);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.screen, Screen::Lab);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.screen, Screen::Lesson);
}

/// After a pass, `s` shows the reference solution in the workspace's language beside the
/// report; before one it only says when it will.
#[test]
fn after_a_pass_s_shows_the_reference_solution() {
    let mut a = lab_app(false);
    ch(&mut a, 's');
    assert!(!a.lab.solution);
    assert!(draw(&a, 80, 24).contains("opens once your client passes"));
    let mut a = lab_app(true);
    let ws = Workspace {
        root: "/home/learner/netlab-work".into(),
        language: Language::Python,
    };
    a.workspace = Some(ws.clone());
    a.update(Msg::WorkspaceReady(ws));
    a.update(Msg::CheckDone(Ok(report(true))));
    assert!(draw(&a, 120, 40).contains("Passed! Press s to compare"));
    ch(&mut a, 's');
    assert!(a.lab.solution);
    let want = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("labs/tcp-hello/solution.py"),
    )
    .unwrap();
    let first = want.lines().find(|l| !l.trim().is_empty()).unwrap();
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        assert!(
            s.contains("Reference solution · solution.py (python)"),
            "{s}"
        );
        assert!(s.contains(first.trim()), "{s}");
        insta::assert_snapshot!(format!("solution_{w}x{h}"), s);
    }
    // It scrolls like the run's timeline, and s goes back to the run.
    ch(&mut a, 't');
    for _ in 0..500 {
        key(&mut a, KeyCode::Down);
    }
    assert_eq!(a.lab.run_scroll as usize, want.lines().count() - 1);
    let last = want.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert!(draw(&a, 80, 24).contains(last.trim()));
    // Its code scrolls sideways beside a gutter that stays.
    key(&mut a, KeyCode::Right);
    assert_eq!(a.lab.run_hscroll, 10);
    let s = draw(&a, 80, 24);
    assert!(s.contains("· →10"), "{s}");
    let n = want.lines().count();
    assert!(s.contains(&format!("{n} │ ")), "{s}");
    ch(&mut a, 's');
    assert_eq!(
        a.lab.run_hscroll, 0,
        "the run's timeline starts at its left edge"
    );
    assert!(!a.lab.solution);
    assert!(draw(&a, 80, 24).contains("Your run"));
}

/// OS errors read as Node names them, code first: in the status bar, a server that cannot
/// start, a failed check, and the report (TUI and text).
#[test]
fn os_errors_show_nodes_code_first() {
    let in_use = std::io::Error::from_raw_os_error(libc::EADDRINUSE).to_string();
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    ch(&mut a, 's');
    a.update(Msg::ServerFailed(in_use.clone()));
    let s = draw(&a, 100, 30);
    assert!(s.contains("EADDRINUSE (address already in use)"), "{s}");
    assert!(!s.contains("os error"), "{s}");

    let mut a = lab_app(false);
    let reset = std::io::Error::from_raw_os_error(libc::ECONNRESET).to_string();
    a.update(Msg::CheckDone(Err(format!(
        "cannot reach the launcher: {reset}"
    ))));
    let s = draw(&a, 100, 30);
    assert!(s.contains("ECONNRESET (connection reset by peer)"), "{s}");

    let mut r = report(false);
    r.client.status = ExitStatus::NotStarted {
        error: format!("node: {}", std::io::Error::from_raw_os_error(libc::ENOENT)),
    };
    assert!(
        r.text(false)
            .contains("did not start: node: ENOENT (no such file or directory)"),
        "{}",
        r.text(false)
    );
    a.update(Msg::CheckDone(Ok(r)));
    let s = draw(&a, 100, 30);
    assert!(s.contains("ENOENT (no such file or directory)"), "{s}");
}

/// A write longer than any pane: its timeline line must scroll sideways to be read.
fn long_write(a: &mut App) -> String {
    let text = "the quick brown fox jumps over the lazy dog; ".repeat(3) + "END";
    assert_eq!(text.len(), 138);
    a.update(Msg::Event(entry(
        99,
        9.0,
        Scope::Conn { conn: 1 },
        Event::Write {
            bytes: text.len() as u64,
            text: text.clone(),
            truncated: false,
            returned: true,
        },
    )));
    text
}

/// A timeline line longer than the pane ends in `»`; with the pane focused → scrolls it
/// sideways (the offset in the title, `«` where text is cut on the left), ← back, Home to
/// the lines' start, never past the widest line; unfocused, the arrows still walk the steps.
#[test]
fn long_timeline_lines_scroll_sideways() {
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    ch(&mut a, 's');
    a.update(Msg::ServerStarted {
        scenario: "tcp-echo".into(),
        port: 8124,
        socket: String::new(),
        ca: String::new(),
    });
    echo_events(&mut a);
    long_write(&mut a);
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        assert!(s.contains("the quick brown"), "{s}");
        assert!(s.contains("»│"), "the cut line is marked at {w}x{h}:\n{s}");
        // The line ends with the write's size, out of view.
        assert!(!s.contains("(138 B)"), "{s}");
        assert!(!s.contains("│«"), "nothing is cut on the left yet:\n{s}");
    }
    let step = a.step;
    ch(&mut a, 't');
    for _ in 0..3 {
        key(&mut a, KeyCode::Right);
    }
    assert_eq!(a.timeline.hscroll, 30);
    assert_eq!(a.step, step, "→ scrolls the focused pane, not the steps");
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        assert!(s.contains("· →30"), "the offset is in the title:\n{s}");
        assert!(s.contains("│«"), "{s}");
        assert!(s.contains("↑↓←→ scroll"), "{s}");
        insta::assert_snapshot!(format!("timeline_sideways_{w}x{h}"), s);
    }
    key(&mut a, KeyCode::Left);
    assert_eq!(a.timeline.hscroll, 20);
    // A sideways wheel does the same.
    let wheel = |kind| {
        Msg::Mouse(ratatui::crossterm::event::MouseEvent {
            kind,
            column: 60,
            row: 20,
            modifiers: KeyModifiers::NONE,
        })
    };
    a.update(wheel(MouseEventKind::ScrollRight));
    assert_eq!(a.timeline.hscroll, 30);
    a.update(wheel(MouseEventKind::ScrollLeft));
    assert_eq!(a.timeline.hscroll, 20);
    // Bounded by the widest line: its end comes into view, and further presses stop.
    for _ in 0..100 {
        key(&mut a, KeyCode::Right);
    }
    let max = a.timeline.hscroll;
    assert!((100..200).contains(&max), "{max}");
    key(&mut a, KeyCode::Right);
    assert_eq!(a.timeline.hscroll, max);
    let s = draw(&a, 80, 24);
    assert!(s.contains("(138 B)"), "{s}");
    assert!(s.contains(&format!("· →{max}")), "{s}");
    key(&mut a, KeyCode::Home);
    assert_eq!(a.timeline.hscroll, 0);
    assert!(!draw(&a, 80, 24).contains("│«"));
    key(&mut a, KeyCode::Left);
    assert_eq!(a.timeline.hscroll, 0, "never left of the lines' start");
    // Back in the text, → walks the steps again.
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Right);
    assert_eq!(a.step, step + 1);
}

/// The lab's run timeline scrolls sideways too when focused (← no longer leaves the lab
/// there; Esc does), and its status bar says how.
#[test]
fn the_labs_run_timeline_scrolls_sideways() {
    let mut a = lab_app(false);
    let mut r = report(false);
    let text = "the quick brown fox jumps over the lazy dog; ".repeat(3) + "END";
    r.timeline = vec![
        entry(
            0,
            0.0,
            Scope::Server,
            Event::Connection {
                peer: "127.0.0.1:50000".into(),
            },
        ),
        entry(
            1,
            0.5,
            Scope::Conn { conn: 1 },
            Event::data(text.as_bytes()),
        ),
    ];
    a.update(Msg::CheckDone(Ok(r)));
    assert!(draw(&a, 80, 24).contains("»│"));
    ch(&mut a, 't');
    key(&mut a, KeyCode::Left);
    assert_eq!(a.screen, Screen::Lab, "← scrolls the focused pane, not out");
    assert_eq!(a.lab.run_hscroll, 0);
    for _ in 0..4 {
        key(&mut a, KeyCode::Right);
    }
    assert_eq!(a.lab.run_hscroll, 40);
    assert_eq!(a.lab.scroll, 0, "the report did not move");
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        assert!(s.contains("· →40"), "{s}");
        assert!(s.contains("│«"), "{s}");
        assert!(s.contains("↑↓←→ scroll · t/Esc back · q quit"), "{s}");
        insta::assert_snapshot!(format!("lab_run_sideways_{w}x{h}"), s);
    }
    key(&mut a, KeyCode::Home);
    assert_eq!(a.lab.run_hscroll, 0);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Left);
    assert_eq!(a.screen, Screen::Lesson, "unfocused, ← leaves the lab");
}

// ---- the wire view -------------------------------------------------------------------------

fn seg(
    t_ms: f64,
    conn: u32,
    dir: WireDir,
    flags: &str,
    seq: u32,
    ack: u32,
    len: u32,
) -> Arc<Entry> {
    entry(
        1000 + (t_ms * 10.0) as u64,
        t_ms,
        Scope::Wire { conn },
        Event::Segment {
            dir,
            flags: flags.into(),
            seq,
            ack,
            win: 65495,
            len,
            tls: None,
            peer: "127.0.0.1:50000".into(),
        },
    )
}

/// tcp-echo's socket events (every 1.5 ms) with its packets among them, the packets arriving
/// after the events they precede, as a child's output can (a batch of events, then the
/// packets): the timeline puts each at its `t_ms`.
fn echo_with_wire(a: &mut App) {
    use WireDir::{In, Out};
    echo_events(a);
    for s in [
        seg(0.9, 1, In, "SYN", 0, 0, 0),
        seg(1.0, 1, Out, "SYN-ACK", 0, 1, 0),
        seg(1.1, 1, In, "ACK", 1, 1, 0),
        seg(2.9, 1, In, "PSH-ACK", 1, 1, 7),
        seg(4.4, 1, Out, "PSH-ACK", 1, 8, 7),
        seg(5.9, 1, In, "FIN-ACK", 8, 8, 0),
        seg(8.9, 1, Out, "FIN-ACK", 8, 9, 0),
        seg(8.95, 1, In, "ACK", 9, 9, 0),
    ] {
        a.update(Msg::Event(s));
    }
}

fn wire_app() -> App {
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    assert!(ch(&mut a, 'w').is_empty());
    assert_eq!(ch(&mut a, 's'), [Cmd::StartServerWire("tcp-echo".into())]);
    a.update(Msg::ServerStarted {
        scenario: "tcp-echo".into(),
        port: 8124,
        socket: String::new(),
        ca: String::new(),
    });
    echo_with_wire(&mut a);
    a
}

/// Wire rows sit among the socket events in time order, `wire#1` with → toward the server
/// and ← from it; the try commands go through `netlab exec` with a line saying why.
#[test]
fn the_wire_view_shows_packets_among_the_events() {
    let a = wire_app();
    let order: Vec<String> = a
        .timeline
        .entries
        .iter()
        .map(|e| netlab::trace::render::label(&e.event))
        .collect();
    assert_eq!(
        order,
        [
            "listening",
            "SYN",
            "SYN-ACK",
            "ACK",
            "connection",
            "PSH-ACK",
            "data",
            "PSH-ACK",
            "write(7) → true",
            "FIN-ACK",
            "end",
            "end()",
            "FIN-ACK",
            "ACK",
            "finish",
            "close"
        ]
    );
    for (w, h) in [(80, 24), (120, 40)] {
        let s = draw(&a, w, h);
        // The newest rows: the closing handshake, the server's FIN-ACK before the last ACK.
        assert!(s.contains("wire#1   ←FIN-ACK"), "{s}");
        assert!(s.contains("wire#1   →ACK"), "{s}");
        assert!(
            s.contains("· wire ·"),
            "the title says the wire view is on:\n{s}"
        );
        insta::assert_snapshot!(format!("wire_timeline_{w}x{h}"), s);
    }
    let s = draw(&a, 120, 40);
    assert!(s.contains("wire#1   →SYN"), "{s}");
    assert!(
        s.contains("netlab exec -- nc"),
        "the learner's nc runs in the namespace:\n{s}"
    );
    assert!(s.contains("`netlab exec --` runs your client there"), "{s}");
}

/// Wire rows are dim, in their event's colour; the filter keeps a connection's packets with
/// its events; lanes draw packets as arrows; `h` (heads) leaves them alone.
#[test]
fn wire_rows_are_dim_filterable_and_cross_the_lanes() {
    let mut a = wire_app();
    a.color = true;
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| f.render_widget(&a, f.area())).unwrap();
    let buf = t.backend().buffer().clone();
    let (x, y) = netlab::tui::view::find_text(&buf, "SYN-ACK").unwrap();
    let cell = &buf[(x, y)];
    assert!(
        cell.modifier.contains(ratatui::style::Modifier::DIM),
        "{cell:?}"
    );
    a.color = false;
    ch(&mut a, 't');
    ch(&mut a, 'f');
    assert_eq!(a.timeline.filter, Some(1));
    assert_eq!(
        a.timeline.visible().count(),
        a.timeline.entries.len() - 2,
        "all but the server's listening and connection"
    );
    ch(&mut a, 'h');
    assert_eq!(
        a.timeline.visible().filter(|e| e.scope.is_wire()).count(),
        8
    );
    ch(&mut a, 'h');
    ch(&mut a, 'l');
    let s = draw(&a, 120, 40);
    assert!(s.contains("wire#1 SYN seq 0 win 654 ──▶"), "{s}");
    assert!(s.contains("◀── wire#1 SYN-ACK"), "{s}");
    insta::assert_snapshot!("wire_lanes_80x24", draw(&a, 80, 24));
}

/// `w` turns the wire view on (starting the server as a wire-mode child, or restarting a
/// running one), and off again (restarting it without); on a demo step it runs the demo with
/// it; on a text step it says what it is for; on a lab step it is still the lab's watch key.
#[test]
fn w_toggles_the_wire_view_with_the_right_commands() {
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    assert!(!a.wire);
    assert_eq!(ch(&mut a, 's'), [Cmd::StartServer("tcp-echo".into())]);
    a.update(Msg::ServerStarted {
        scenario: "tcp-echo".into(),
        port: 8124,
        socket: String::new(),
        ca: String::new(),
    });
    assert_eq!(
        ch(&mut a, 'w'),
        [Cmd::StopServer, Cmd::StartServerWire("tcp-echo".into())]
    );
    assert!(a.wire);
    assert_eq!(a.server, Server::Starting("tcp-echo".into()));
    a.update(Msg::ServerStarted {
        scenario: "tcp-echo".into(),
        port: 8124,
        socket: String::new(),
        ca: String::new(),
    });
    // `s` stops it and starts it again in the same mode.
    assert_eq!(ch(&mut a, 's'), [Cmd::StopServer]);
    assert_eq!(ch(&mut a, 's'), [Cmd::StartServerWire("tcp-echo".into())]);
    assert_eq!(
        ch(&mut a, 'w'),
        [Cmd::StopServer, Cmd::StartServer("tcp-echo".into())]
    );
    assert!(!a.wire);
    // With the server stopped, `w` only chooses the mode; `s` then starts it in that mode.
    ch(&mut a, 's');
    assert!(ch(&mut a, 'w').is_empty());
    assert!(a.wire);
    assert_eq!(ch(&mut a, 's'), [Cmd::StartServerWire("tcp-echo".into())]);
    ch(&mut a, 's');
    assert!(ch(&mut a, 'w').is_empty());
    assert!(!a.wire);
    // A demo step: on runs it with the wire view.
    at(&mut a, "layers", 5);
    assert!(!a.wire);
    assert_eq!(ch(&mut a, 'w'), [Cmd::RunDemoWire("http-get".into())]);
    assert!(ch(&mut a, 'd').is_empty(), "one demo at a time");
    a.update(Msg::DemoDone(Ok(vec![])));
    assert_eq!(ch(&mut a, 'd'), [Cmd::RunDemoWire("http-get".into())]);
    // A text step.
    a.open(0, 0);
    assert!(ch(&mut a, 'w').is_empty());
    assert!(a
        .status
        .as_ref()
        .is_some_and(|(s, _)| s.contains("wire view")));
    // The help lists it.
    ch(&mut a, '?');
    assert!(draw(&a, 120, 40).contains("the wire view, packets"));
    // On a lab step `w` is still the lab's watch key: it opens the lab.
    let mut a = lab_app(true);
    a.screen = Screen::Lesson;
    at(&mut a, "tcp-server", 7);
    assert!(a.lab.watching);
    assert_eq!(ch(&mut a, 'w'), [Cmd::Watch(None)], "watch mode off");
    assert_eq!(a.screen, Screen::Lab);
    assert!(!a.wire);
}

/// A fallback notice from the child (no namespace) is said on the status line, and the try
/// commands are shown as they are: the learner's nc reaches the server without `netlab exec`.
#[test]
fn a_wire_notice_goes_to_the_status_line() {
    let mut a = wire_app();
    let notice = "wire view unavailable: user namespaces are disabled; showing socket events only";
    a.update(Msg::WireNotice(notice.into()));
    assert!(a.wire_fallback);
    let s = draw(&a, 120, 40);
    assert!(s.contains("wire view unavailable"), "{s}");
    assert!(!s.contains("netlab exec"), "{s}");
}

/// A step with `wire = true` starts with the wire view on: its demo runs as a wire-mode child.
#[test]
fn a_wire_step_starts_in_wire_mode() {
    let mut a = app();
    let (lesson, step) = a
        .course
        .lessons
        .iter()
        .enumerate()
        .find_map(|(i, l)| {
            l.lesson
                .steps
                .iter()
                .position(|s| s.wire() && matches!(s, Step::Demo { .. }))
                .map(|n| (i, n))
        })
        .expect("the course has a wire step");
    a.open(lesson, step);
    assert!(a.wire);
    let Some(Step::Demo { demo, .. }) = a.current().cloned() else {
        unreachable!()
    };
    assert!(draw(&a, 120, 40).contains(&format!("netlab demo {demo} --wire")));
    assert_eq!(
        key(&mut a, KeyCode::Enter),
        [Cmd::RunDemoWire(demo.clone())]
    );
    // The step before it (not about packets) runs without.
    a.open(lesson, step - 1);
    assert!(!a.wire);
}

/// A restarted server's timeline starts at its `listening`: the previous run's last events
/// (its `server.close()` and `close`, which reach the UI after the restart) are left out.
#[test]
fn a_restart_leaves_the_previous_runs_last_events_out() {
    let mut a = app();
    at(&mut a, "tcp-server", 3);
    assert_eq!(ch(&mut a, 's'), [Cmd::StartServer("tcp-echo".into())]);
    a.update(Msg::ServerStarted {
        scenario: "tcp-echo".into(),
        port: 8124,
        socket: String::new(),
        ca: String::new(),
    });
    ch(&mut a, 's');
    assert_eq!(ch(&mut a, 's'), [Cmd::StartServer("tcp-echo".into())]);
    // The old server's shutdown, arriving late.
    a.update(Msg::Event(entry(
        1,
        9000.0,
        Scope::Server,
        Event::ServerClose,
    )));
    a.update(Msg::Event(entry(
        2,
        9000.1,
        Scope::Server,
        Event::Close { had_error: None },
    )));
    assert!(a.timeline.entries.is_empty(), "{:?}", a.timeline.entries);
    a.update(Msg::Event(entry(
        0,
        0.3,
        Scope::Server,
        Event::Listening {
            address: "127.0.0.1".into(),
            port: Some(8124),
            transport: "tcp".into(),
        },
    )));
    assert_eq!(a.timeline.entries.len(), 1);
}
