//! Runnable code blocks in lessons.
//!
//! Code a lesson shows must run as shown. A fenced block in `js` or `python` therefore says how
//! the test suite runs it, in its info string:
//!
//! - ```` ```js client=tcp-echo ```` — a client: run against the named scenario with
//!   `NETLAB_HOST`, `NETLAB_PORT` (or `NETLAB_SOCKET`) and `NETLAB_CA` set; it must exit 0.
//! - ```` ```js server=tcp ```` (`tcp`, `unix`, `udp`, `http`) — a server: run with `PORT` (or
//!   `SOCKET`) set; once it prints a line containing `listening`, a probe client talks to it and
//!   must get an answer.
//! - ```` ```js fails ```` — a snippet that demonstrates an error: it must exit non-zero.
//!
//! Other languages (`sh`, `text`, `console`, `http`…) are shown, not run.
//!
//! What a lesson says a snippet prints or sends is written in the snippet itself, as a comment
//! the learner reads, and the test suite checks it against what Node 20 (or Python) really
//! does (see [`Claim`]):
//!
//! ```js
//! console.log(res.statusCode, res.headers.connection); // prints: 200 close
//! socket.pipe(socket);               // echo: sends: hello\r\n
//! dgram.createSocket('upd4');        // throws: TypeError [ERR_SOCKET_BAD_TYPE]
//! ```

/// One fenced code block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The language, the first word of the info string (`js`).
    pub lang: String,
    /// The whole info string (`js client=tcp-echo`).
    pub info: String,
    pub code: String,
}

/// How the test suite runs a snippet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Run {
    /// Not a runnable language.
    Shown,
    /// A client for this scenario.
    Client(String),
    /// A server speaking this protocol (`tcp`, `unix`, `udp`, `http`).
    Server(String),
    /// Must exit non-zero.
    Fails,
}

/// What a claim is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimKind {
    /// A line of the snippet's standard output (`prints:`).
    Prints,
    /// The bytes a server snippet sends to the test's probe client (`sends:`; `\r\n` is CR LF).
    Sends,
    /// The snippet's standard error, for `fails` snippets (`throws:`).
    Throws,
}

/// One claim a snippet's comment makes about running it: `// prints: TEXT` (`# prints:` in
/// Python), `sends:` or `throws:`, anywhere in a comment, up to the end of the line. `…` in
/// TEXT stands for anything (ports, timings), so `listening on …` matches any port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub kind: ClaimKind,
    /// The claimed text, as written.
    pub text: String,
    /// The 1-based line of the snippet that makes the claim, for messages.
    pub line: usize,
}

impl Claim {
    /// The literal pieces between `…` wildcards (escapes `\r`, `\n` decoded for `sends:`).
    fn pieces(&self) -> Vec<String> {
        self.text
            .split('…')
            .map(|p| {
                if self.kind == ClaimKind::Sends {
                    p.replace("\\r", "\r").replace("\\n", "\n")
                } else {
                    p.to_string()
                }
            })
            .collect()
    }

    /// True when `hay` holds the pieces in order (the first at the start when the claim does
    /// not begin with `…`: `prints:` matches a whole line's beginning).
    fn matches_in(&self, hay: &str, anchored: bool) -> bool {
        let pieces = self.pieces();
        let mut at = 0;
        for (i, p) in pieces.iter().enumerate() {
            if p.is_empty() {
                continue;
            }
            match hay[at..].find(p.as_str()) {
                Some(k) if !(anchored && i == 0 && k != 0) => at += k + p.len(),
                _ => return false,
            }
        }
        // Anchored claims match the whole line unless they end with `…`.
        !anchored || pieces.last().is_some_and(|p| p.is_empty()) || at == hay.len()
    }

    /// Does the output hold the claim? `prints:` must match one whole line of stdout (up to
    /// `…`); `sends:` and `throws:` must occur in the bytes sent / the standard error.
    pub fn holds(&self, stdout: &str, sent: &str, stderr: &str) -> bool {
        match self.kind {
            ClaimKind::Prints => stdout.lines().any(|l| self.matches_in(l.trim_end(), true)),
            ClaimKind::Sends => self.matches_in(sent, false),
            ClaimKind::Throws => self.matches_in(stderr, false),
        }
    }
}

/// Languages whose blocks must be runnable.
pub const RUNNABLE: &[&str] = &["js", "javascript", "python", "py"];

impl Snippet {
    /// The interpreter for a runnable language.
    pub fn interpreter(&self) -> Option<&'static str> {
        match self.lang.as_str() {
            "js" | "javascript" => Some("node"),
            "python" | "py" => Some("python3"),
            _ => None,
        }
    }

    /// The claims its comments make about what running it shows.
    pub fn claims(&self) -> Vec<Claim> {
        let comment = if self.interpreter() == Some("python3") {
            "#"
        } else {
            "//"
        };
        let mut out = Vec::new();
        for (i, line) in self.code.lines().enumerate() {
            let Some(c) = line.find(comment) else {
                continue;
            };
            let note = &line[c + comment.len()..];
            for (marker, kind) in [
                ("prints:", ClaimKind::Prints),
                ("sends:", ClaimKind::Sends),
                ("throws:", ClaimKind::Throws),
            ] {
                if let Some(k) = note.find(marker) {
                    out.push(Claim {
                        kind,
                        text: note[k + marker.len()..].trim().to_string(),
                        line: i + 1,
                    });
                }
            }
        }
        out
    }

    /// How to run it, or why it cannot be run.
    pub fn runnable(&self) -> Result<Run, String> {
        if !RUNNABLE.contains(&self.lang.as_str()) {
            return Ok(Run::Shown);
        }
        let mut words = self.info.split_whitespace().skip(1);
        match words.next() {
            Some(w) if w.starts_with("client=") => {
                let s = &w["client=".len()..];
                if crate::scenario::find(s).is_none() {
                    return Err(format!("code block `{}`: unknown scenario `{s}`", self.info));
                }
                Ok(Run::Client(s.to_string()))
            }
            Some(w) if w.starts_with("server=") => {
                let p = &w["server=".len()..];
                if !["tcp", "unix", "udp", "http"].contains(&p) {
                    return Err(format!(
                        "code block `{}`: server= takes tcp, unix, udp or http",
                        self.info
                    ));
                }
                Ok(Run::Server(p.to_string()))
            }
            Some("fails") => Ok(Run::Fails),
            _ => Err(format!(
                "code block `{}` must say how it runs: `{} client=SCENARIO`, `{} server=tcp|unix|udp|http` or `{} fails`",
                self.info, self.lang, self.lang, self.lang
            )),
        }
    }
}

/// Every fenced block of a Markdown text, in order.
pub fn extract(markdown: &str) -> Vec<Snippet> {
    let mut out = Vec::new();
    let mut open: Option<(String, String, Vec<&str>)> = None;
    for line in markdown.lines() {
        let t = line.trim_start();
        match open.take() {
            None => {
                if let Some(info) = t.strip_prefix("```") {
                    let info = info.trim().to_string();
                    let fence = line[..line.len() - t.len()].to_string();
                    open = Some((info, fence, Vec::new()));
                }
            }
            Some((info, fence, mut lines)) => {
                if t.starts_with("```") {
                    out.push(Snippet {
                        lang: info.split_whitespace().next().unwrap_or("").to_string(),
                        info,
                        code: lines.join("\n") + "\n",
                    });
                } else {
                    lines.push(line.strip_prefix(fence.as_str()).unwrap_or(line));
                    open = Some((info, fence, lines));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_their_run_modes() {
        let md = "text\n```js client=tcp-echo\nconsole.log(1)\n```\n\n```sh\nnc -q1 x 1\n```\n```js\nx\n```\n";
        let s = extract(md);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].code, "console.log(1)\n");
        assert_eq!(s[0].runnable(), Ok(Run::Client("tcp-echo".into())));
        assert_eq!(s[1].runnable(), Ok(Run::Shown));
        assert!(s[2]
            .runnable()
            .unwrap_err()
            .contains("must say how it runs"));
    }

    #[test]
    fn claims_in_comments_are_checked_against_output() {
        let s = Snippet {
            lang: "js".into(),
            info: "js server=tcp".into(),
            code: "a(); // prints: listening on …\nb(); // echo: sends: hi\\r\\n\nc('x'); // throws: ERR_X\n"
                .into(),
        };
        let c = s.claims();
        assert_eq!(c.len(), 3);
        assert_eq!(
            (c[0].kind, c[0].text.as_str()),
            (ClaimKind::Prints, "listening on …")
        );
        assert_eq!((c[1].kind, c[1].line), (ClaimKind::Sends, 2));
        assert!(c[0].holds("x\nlistening on 8124\n", "", ""));
        assert!(!c[0].holds("not listening on 8124\n", "", ""));
        assert!(c[1].holds("", "hi\r\n", ""));
        assert!(!c[1].holds("", "hi\n", ""));
        assert!(c[2].holds("", "", "TypeError [ERR_X]: bad"));
        assert!(!c[2].holds("ERR_X", "", ""));
        let exact = Claim {
            kind: ClaimKind::Prints,
            text: "200 close".into(),
            line: 1,
        };
        assert!(exact.holds("200 close\n", "", ""));
        assert!(!exact.holds("200 closed\n", "", ""));
        let py = Snippet {
            lang: "python".into(),
            info: "python fails".into(),
            code: "x # prints: 1\n".into(),
        };
        assert_eq!(py.claims()[0].text, "1");
    }
}
