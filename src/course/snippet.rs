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
}
