//! Every key the TUI knows, in one table: what it does where, what the status bar says about
//! it, and its line in the help screen. Key handling ([`action`]), the status bar ([`bar`]) and
//! the help overlay ([`help`]) all read [`KEYMAP`], so a key cannot work without being listed,
//! or be listed without working.

use ratatui::crossterm::event::KeyCode;

/// Where a key is pressed: the screen, and on a lesson screen the focus and the step's kind.
/// A binding names the contexts it works in; [`chain`] says which contexts apply at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// Everywhere (unless a more specific context binds the same key).
    Global,
    /// The course map.
    Map,
    /// A lab's screen.
    Lab,
    /// A lesson, any step, focus on the step's text.
    Lesson,
    /// A lesson with the focus on the timeline pane.
    Timeline,
    /// Any focused pane of events or code that scrolls sideways: the lesson's live timeline,
    /// the lab's run timeline or reference solution. Searched before the screen's own keys.
    Pane,
    /// A lab with the focus on the pane beside the report (status bar only).
    LabPane,
    /// A quiz step.
    Quiz,
    /// A step with a server (status bar only).
    Serve,
    /// A step with a demo (status bar only).
    Demo,
    /// A step that links a lab (status bar only).
    LabStep,
    /// Any other step (status bar only).
    Text,
}

/// What a key asks for; [`crate::tui::app::App`] carries it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    /// Toggle the course map.
    Map,
    /// Back out one level: map/lab → lesson, timeline → text.
    Back,
    NextStep,
    PrevStep,
    /// Up one line (or one quiz choice, or one map row).
    Up,
    Down,
    PageUp,
    PageDown,
    /// Mark or unmark the quiz choice under the cursor.
    Mark,
    /// Mark or unmark the quiz choice named by the key (`1`–`9`, `a`–`i`).
    Pick,
    /// Clear the quiz's marks.
    ResetQuiz,
    /// The step's main action: start the server, run the demo, answer, open the lab.
    Act,
    ToggleServer,
    RunDemo,
    /// The wire view on or off for the step's server or demo (on a lab step: the lab's
    /// watch mode, as `w` is on the lab's screen).
    Wire,
    /// Move the focus between the step's text and the timeline.
    Focus,
    Check,
    Watch,
    Edit,
    Hint,
    Init,
    /// Reset the lab's progress (asks first).
    ResetLab,
    /// Reset every lab's and lesson's progress (asks first).
    ResetAll,
    /// Open the lesson or lab under the map's cursor.
    Open,
    /// Leave the lab for the lesson, then go to the next step.
    LabNext,
    Pause,
    Filter,
    Lanes,
    /// After a pass: show (or hide) the lab's reference solution in the learner's language.
    Solution,
    /// Show or hide HTTP request/response heads (`>`/`<` lines) under their events.
    Heads,
    Follow,
    /// Scroll the focused pane sideways: left, right (by [`SIDEWAYS_STEP`] columns), or back
    /// to the lines' start.
    Left,
    Right,
    LineStart,
}

/// Columns one ←/→ moves a pane sideways: enough to bring a cut-off detail into view in a
/// few presses, little enough to keep the columns that were in view on screen.
pub const SIDEWAYS_STEP: usize = 10;

/// One line of the table.
pub struct Binding {
    /// The keys that trigger it.
    pub keys: &'static [KeyCode],
    /// The contexts it works in.
    pub on: &'static [Ctx],
    pub action: Action,
    /// What the status bar shows for it, per context (in table order).
    pub bar: &'static [(Ctx, &'static str)],
    /// Its line in the help screen: position, keys, what it does.
    pub help: Option<(u8, &'static str, &'static str)>,
}

use Action as A;
use Ctx as C;
use KeyCode as K;

const UP: &[KeyCode] = &[K::Up, K::Char('k')];
const DOWN: &[KeyCode] = &[K::Down, K::Char('j')];
const PICKS: &[KeyCode] = &[
    K::Char('1'),
    K::Char('2'),
    K::Char('3'),
    K::Char('4'),
    K::Char('5'),
    K::Char('6'),
    K::Char('7'),
    K::Char('8'),
    K::Char('9'),
    K::Char('a'),
    K::Char('b'),
    K::Char('c'),
    K::Char('d'),
    K::Char('e'),
    K::Char('f'),
    K::Char('g'),
    K::Char('h'),
    K::Char('i'),
];

/// Every binding. Order matters twice: the first binding of the most specific context wins a
/// key, and each status bar lists its bindings in this order.
pub static KEYMAP: &[Binding] = &[
    // ---- the course map ----------------------------------------------------------------
    Binding {
        keys: UP,
        on: &[C::Map],
        action: A::Up,
        bar: &[(C::Map, "↑↓ move")],
        help: None,
    },
    Binding {
        keys: DOWN,
        on: &[C::Map],
        action: A::Down,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::Enter],
        on: &[C::Map],
        action: A::Open,
        bar: &[(C::Map, "Enter open")],
        help: None,
    },
    Binding {
        keys: &[K::Char('r')],
        on: &[C::Map],
        action: A::ResetLab,
        bar: &[(C::Map, "r reset lab")],
        help: None,
    },
    Binding {
        keys: &[K::Char('R')],
        on: &[C::Map],
        action: A::ResetAll,
        bar: &[(C::Map, "R reset all")],
        help: None,
    },
    // ---- a lab ---------------------------------------------------------------------------
    Binding {
        keys: &[K::Char('c'), K::Enter],
        on: &[C::Lab],
        action: A::Check,
        bar: &[(C::Lab, "c check")],
        help: Some((7, "c", "check the lab now")),
    },
    Binding {
        keys: &[K::Char('w')],
        on: &[C::Lab],
        action: A::Watch,
        bar: &[(C::Lab, "w watch")],
        help: Some((8, "w  (lab)", "watch mode: check on every save")),
    },
    Binding {
        keys: &[K::Char('e')],
        on: &[C::Lab],
        action: A::Edit,
        bar: &[(C::Lab, "e edit")],
        help: Some((9, "e", "open your client file in $EDITOR")),
    },
    Binding {
        keys: &[K::Char('h')],
        on: &[C::Lab],
        action: A::Hint,
        bar: &[(C::Lab, "h hint")],
        help: Some((10, "h", "next hint")),
    },
    Binding {
        keys: &[K::Char('i')],
        on: &[C::Lab, C::Lesson],
        action: A::Init,
        bar: &[],
        help: Some((11, "i", "make a workspace (netlab init)")),
    },
    Binding {
        keys: &[K::Char('r')],
        on: &[C::Lab],
        action: A::ResetLab,
        bar: &[],
        help: Some((11, "r", "reset this lab's progress (asks first)")),
    },
    Binding {
        keys: UP,
        on: &[C::Lab],
        action: A::Up,
        bar: &[(C::LabPane, "↑↓←→ scroll")],
        help: None,
    },
    Binding {
        keys: DOWN,
        on: &[C::Lab],
        action: A::Down,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::Char('s')],
        on: &[C::Lab],
        action: A::Solution,
        bar: &[],
        help: Some((
            10,
            "s  (lab)",
            "after a pass: the reference solution in your language",
        )),
    },
    Binding {
        keys: &[K::Char('t'), K::Tab],
        on: &[C::Lab],
        action: A::Focus,
        bar: &[(C::Lab, "t timeline")],
        help: None,
    },
    Binding {
        keys: &[K::Left, K::Char('p'), K::Backspace],
        on: &[C::Lab],
        action: A::Back,
        bar: &[(C::Lab, "← back")],
        help: None,
    },
    Binding {
        keys: &[K::Right, K::Char('n')],
        on: &[C::Lab],
        action: A::LabNext,
        bar: &[],
        help: None,
    },
    // ---- a quiz --------------------------------------------------------------------------
    Binding {
        keys: UP,
        on: &[C::Quiz],
        action: A::Up,
        bar: &[(C::Quiz, "↑↓ choose")],
        help: None,
    },
    Binding {
        keys: DOWN,
        on: &[C::Quiz],
        action: A::Down,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::Char(' '), K::Char('x')],
        on: &[C::Quiz],
        action: A::Mark,
        bar: &[(C::Quiz, "space/1-9 mark")],
        help: None,
    },
    Binding {
        keys: PICKS,
        on: &[C::Quiz],
        action: A::Pick,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::Char('r')],
        on: &[C::Quiz],
        action: A::ResetQuiz,
        bar: &[],
        help: None,
    },
    // ---- any lesson step -------------------------------------------------------------------
    Binding {
        keys: &[K::Char('s')],
        on: &[C::Lesson],
        action: A::ToggleServer,
        bar: &[(C::Serve, "s start/stop server")],
        help: Some((4, "s", "start / stop the step's server")),
    },
    Binding {
        keys: &[K::Char('d')],
        on: &[C::Lesson],
        action: A::RunDemo,
        bar: &[(C::Demo, "d run demo")],
        help: Some((5, "d", "run the step's demo client")),
    },
    Binding {
        keys: &[K::Char('w')],
        on: &[C::Lesson],
        action: A::Wire,
        bar: &[(C::Serve, "w wire"), (C::Demo, "w wire")],
        help: Some((
            5,
            "w",
            "serve/demo step: the wire view, packets among the events",
        )),
    },
    Binding {
        keys: &[K::Enter],
        on: &[C::Lesson],
        action: A::Act,
        bar: &[(C::Quiz, "Enter answer"), (C::LabStep, "Enter open lab")],
        help: Some((
            3,
            "Enter",
            "act: start the server, run the demo, answer, open the lab",
        )),
    },
    Binding {
        keys: &[K::Char('t'), K::Tab],
        on: &[C::Lesson],
        action: A::Focus,
        bar: &[(C::Serve, "t timeline"), (C::Demo, "t timeline")],
        help: Some((
            6,
            "t  Tab",
            "focus the timeline (←→ Home sideways, space pause, f filter, l lanes, h heads, G follow)",
        )),
    },
    Binding {
        keys: &[K::Right, K::Char('n')],
        on: &[C::Lesson],
        action: A::NextStep,
        bar: &[
            (C::Quiz, "→/← steps"),
            (C::Serve, "→/← steps"),
            (C::Demo, "→/← steps"),
            (C::LabStep, "→/← steps"),
            (C::Text, "→/n next"),
        ],
        help: Some((1, "→ n / ← p", "next / previous step")),
    },
    Binding {
        keys: &[K::Left, K::Char('p')],
        on: &[C::Lesson],
        action: A::PrevStep,
        bar: &[(C::Text, "←/p previous")],
        help: None,
    },
    Binding {
        keys: UP,
        on: &[C::Lesson],
        action: A::Up,
        bar: &[(C::Text, "↑↓ scroll"), (C::Timeline, "↑↓←→ scroll")],
        help: Some((2, "↑ ↓ j k", "scroll (or move in a quiz)")),
    },
    Binding {
        keys: DOWN,
        on: &[C::Lesson],
        action: A::Down,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::PageUp],
        on: &[C::Lesson],
        action: A::PageUp,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::PageDown],
        on: &[C::Lesson],
        action: A::PageDown,
        bar: &[],
        help: None,
    },
    // ---- any focused pane: sideways (the scroll entries above list its keys) -------------
    Binding {
        keys: &[K::Left],
        on: &[C::Pane],
        action: A::Left,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::Right],
        on: &[C::Pane],
        action: A::Right,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::Home],
        on: &[C::Pane],
        action: A::LineStart,
        bar: &[],
        help: None,
    },
    // ---- the timeline pane (its bar continues the shared scroll entry above) -------------
    Binding {
        keys: &[K::Char(' ')],
        on: &[C::Timeline],
        action: A::Pause,
        bar: &[(C::Timeline, "space pause")],
        help: None,
    },
    Binding {
        keys: &[K::Char('f')],
        on: &[C::Timeline],
        action: A::Filter,
        bar: &[(C::Timeline, "f filter")],
        help: None,
    },
    Binding {
        keys: &[K::Char('l')],
        on: &[C::Timeline],
        action: A::Lanes,
        bar: &[(C::Timeline, "l lanes")],
        help: None,
    },
    Binding {
        keys: &[K::Char('h')],
        on: &[C::Timeline],
        action: A::Heads,
        bar: &[(C::Timeline, "h heads")],
        help: None,
    },
    Binding {
        keys: &[K::End, K::Char('G')],
        on: &[C::Timeline],
        action: A::Follow,
        bar: &[(C::Timeline, "G follow")],
        help: None,
    },
    Binding {
        keys: &[K::Char('t'), K::Tab, K::Esc],
        on: &[C::Timeline],
        action: A::Focus,
        bar: &[(C::Timeline, "Esc back"), (C::LabPane, "t/Esc back")],
        help: None,
    },
    // A lab's keys on a lab step open the lab and act there.
    Binding {
        keys: &[K::Char('c')],
        on: &[C::Lesson],
        action: A::Check,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::Char('e')],
        on: &[C::Lesson],
        action: A::Edit,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::Char('h')],
        on: &[C::Lesson],
        action: A::Hint,
        bar: &[],
        help: None,
    },
    // ---- everywhere ------------------------------------------------------------------------
    Binding {
        keys: &[K::Char('m')],
        on: &[C::Global],
        action: A::Map,
        bar: &[
            (C::Serve, "m map"),
            (C::Demo, "m map"),
            (C::LabStep, "m map"),
            (C::Text, "m map"),
            (C::Map, "m/Esc back"),
        ],
        help: Some((12, "m", "course map (r reset a lab, R reset all)")),
    },
    Binding {
        keys: &[K::Esc],
        on: &[C::Global],
        action: A::Back,
        bar: &[],
        help: None,
    },
    Binding {
        keys: &[K::Char('?')],
        on: &[C::Global],
        action: A::Help,
        bar: &[
            (C::Lab, "? help"),
            (C::Quiz, "? help"),
            (C::Serve, "? help"),
            (C::Demo, "? help"),
            (C::LabStep, "? help"),
            (C::Text, "? help"),
        ],
        help: Some((13, "?", "this help")),
    },
    Binding {
        keys: &[K::Char('q')],
        on: &[C::Global],
        action: A::Quit,
        bar: &[
            (C::Map, "q quit"),
            (C::Lab, "q quit"),
            (C::LabPane, "q quit"),
            (C::Timeline, "q quit"),
            (C::Quiz, "q quit"),
            (C::Serve, "q quit"),
            (C::Demo, "q quit"),
            (C::LabStep, "q quit"),
            (C::Text, "q quit"),
        ],
        help: Some((14, "q  Ctrl-C", "quit (servers stop gracefully)")),
    },
];

/// The contexts that apply, most specific first: what the key handler searches, in order.
pub fn chain(screen: Ctx, timeline_focus: bool, quiz: bool) -> Vec<Ctx> {
    let mut c = Vec::with_capacity(5);
    if timeline_focus && matches!(screen, Ctx::Lesson | Ctx::Lab) {
        c.push(Ctx::Pane);
    }
    if screen == Ctx::Lesson {
        if timeline_focus {
            c.push(Ctx::Timeline);
        }
        if quiz {
            c.push(Ctx::Quiz);
        }
    }
    c.push(screen);
    c.push(Ctx::Global);
    c
}

/// The action `key` asks for in `chain`: the first binding of the first context that has it.
pub fn action(chain: &[Ctx], key: KeyCode) -> Option<Action> {
    chain.iter().find_map(|ctx| {
        KEYMAP
            .iter()
            .find(|b| b.on.contains(ctx) && b.keys.contains(&key))
            .map(|b| b.action)
    })
}

/// The status bar's key list for a status context (`Serve`, `Map`, `Timeline`…).
pub fn bar(ctx: Ctx) -> String {
    KEYMAP
        .iter()
        .flat_map(|b| b.bar.iter())
        .filter(|(c, _)| *c == ctx)
        .map(|(_, text)| *text)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The help screen's lines: keys and what they do, in help order.
pub fn help() -> Vec<(&'static str, &'static str)> {
    let mut lines: Vec<_> = KEYMAP.iter().filter_map(|b| b.help).collect();
    lines.sort_by_key(|(pos, ..)| *pos);
    lines.into_iter().map(|(_, k, what)| (k, what)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bars_and_the_help_come_from_the_table() {
        assert_eq!(
            bar(Ctx::Map),
            "↑↓ move · Enter open · r reset lab · R reset all · m/Esc back · q quit"
        );
        assert_eq!(
            bar(Ctx::Timeline),
            "↑↓←→ scroll · space pause · f filter · l lanes · h heads · G follow · Esc back · q quit"
        );
        assert_eq!(bar(Ctx::LabPane), "↑↓←→ scroll · t/Esc back · q quit");
        assert_eq!(
            bar(Ctx::Serve),
            "s start/stop server · w wire · t timeline · →/← steps · m map · ? help · q quit"
        );
        assert_eq!(help().len(), 17);
        assert_eq!(help()[0], ("→ n / ← p", "next / previous step"));
    }

    #[test]
    fn the_most_specific_context_wins_a_key() {
        let timeline_quiz = chain(Ctx::Lesson, true, true);
        assert_eq!(
            action(&timeline_quiz, KeyCode::Char(' ')),
            Some(Action::Pause)
        );
        assert_eq!(
            action(&timeline_quiz, KeyCode::Char('x')),
            Some(Action::Mark)
        );
        let quiz = chain(Ctx::Lesson, false, true);
        assert_eq!(action(&quiz, KeyCode::Char('c')), Some(Action::Pick));
        assert_eq!(action(&quiz, KeyCode::Char('r')), Some(Action::ResetQuiz));
        let text = chain(Ctx::Lesson, false, false);
        assert_eq!(action(&text, KeyCode::Char('c')), Some(Action::Check));
        assert_eq!(action(&text, KeyCode::Char('q')), Some(Action::Quit));
        assert_eq!(
            action(&chain(Ctx::Map, false, false), KeyCode::Char('r')),
            Some(Action::ResetLab)
        );
        assert_eq!(action(&text, KeyCode::Char('z')), None);
    }

    #[test]
    fn arrows_scroll_a_focused_pane_sideways_and_walk_otherwise() {
        for screen in [Ctx::Lesson, Ctx::Lab] {
            let focused = chain(screen, true, false);
            assert_eq!(action(&focused, KeyCode::Left), Some(Action::Left));
            assert_eq!(action(&focused, KeyCode::Right), Some(Action::Right));
            assert_eq!(action(&focused, KeyCode::Home), Some(Action::LineStart));
            assert_ne!(action(&focused, KeyCode::Esc), None);
        }
        let text = chain(Ctx::Lesson, false, false);
        assert_eq!(action(&text, KeyCode::Left), Some(Action::PrevStep));
        assert_eq!(action(&text, KeyCode::Right), Some(Action::NextStep));
        assert_eq!(action(&text, KeyCode::Home), None);
        let lab = chain(Ctx::Lab, false, false);
        assert_eq!(action(&lab, KeyCode::Left), Some(Action::Back));
        assert_eq!(action(&lab, KeyCode::Right), Some(Action::LabNext));
        // The map and a quiz never see the pane's keys.
        assert_eq!(action(&chain(Ctx::Map, true, false), KeyCode::Left), None);
    }

    /// Actions whose keys another entry's text names (`↑↓`, `space/1-9`, `→/←`), and the
    /// few left to discover: paging (the mouse wheel does the same), a quiz's reset, and `→`
    /// out of a lab.
    const DESCRIBED_ELSEWHERE: &[Action] = &[
        Action::Down,
        Action::Pick,
        Action::PrevStep,
        Action::PageUp,
        Action::PageDown,
        Action::ResetQuiz,
        Action::LabNext,
        Action::Back,
        Action::Map,
        Action::Left,
        Action::Right,
        Action::LineStart,
    ];

    #[test]
    fn every_key_that_works_is_in_the_help_or_a_bar() {
        for b in KEYMAP.iter().filter(|b| !b.keys.is_empty()) {
            let listed = b.help.is_some()
                || !b.bar.is_empty()
                || KEYMAP
                    .iter()
                    .any(|o| o.action == b.action && o.help.is_some())
                || DESCRIBED_ELSEWHERE.contains(&b.action);
            assert!(listed, "{:?} on {:?} is listed nowhere", b.action, b.on);
        }
    }
}
