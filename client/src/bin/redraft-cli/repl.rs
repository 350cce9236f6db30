//! The prompt: lines typed at a terminal (with history and line editing, by rustyline), or
//! read from a pipe when standard input is not a terminal, as redis-cli does.
//!
//! Besides commands the prompt knows `quit`/`exit`, `clear`, `connect host port`, and a
//! leading count (`3 INCR n` runs `INCR n` three times).

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;
use tokio::runtime::Runtime;

use crate::session::{Outcome, Session};
use crate::split::split_args;

/// What a line asked for.
#[derive(Debug, PartialEq)]
enum Line {
    Skip,
    Quit,
    Clear,
    Connect(String, u16),
    Invalid(&'static str),
    Command { argv: Vec<Vec<u8>>, repeat: i64 },
}

fn interpret(line: &[u8]) -> Line {
    let Some(mut argv) = split_args(line) else {
        return Line::Invalid("Invalid argument(s)");
    };
    let Some(first) = argv.first() else {
        return Line::Skip;
    };
    let lower = first.to_ascii_lowercase();
    match lower.as_slice() {
        b"quit" | b"exit" => return Line::Quit,
        b"clear" => return Line::Clear,
        b"connect" => return connect_args(&argv),
        _ => {}
    }
    let count = std::str::from_utf8(first)
        .ok()
        .and_then(|f| f.parse::<i64>().ok());
    match count {
        Some(_) if argv.len() == 1 => Line::Invalid("Invalid argument(s)"),
        Some(repeat) => {
            argv.remove(0);
            Line::Command { argv, repeat }
        }
        None => Line::Command { argv, repeat: 1 },
    }
}

fn connect_args(argv: &[Vec<u8>]) -> Line {
    let text = |i: usize| argv.get(i).map(|a| String::from_utf8_lossy(a).into_owned());
    match (text(1), text(2).and_then(|p| p.parse().ok())) {
        (Some(host), Some(port)) => Line::Connect(host, port),
        _ => Line::Invalid("Usage: connect <host> <port>"),
    }
}

/// Runs the prompt until `quit` or end of input. Returns the exit status.
pub fn run(rt: &Runtime, session: &mut Session, interval: Duration, interactive: bool) -> i32 {
    // redis-cli tries once up front and carries on unconnected if that fails.
    rt.block_on(session.connect());
    if interactive {
        interactive_loop(rt, session, interval)
    } else {
        piped_loop(rt, session, interval)
    }
}

fn piped_loop(rt: &Runtime, session: &mut Session, interval: Duration) -> i32 {
    let mut status = 0;
    for line in io::stdin().lock().split(b'\n') {
        let Ok(line) = line else { break };
        match handle(rt, session, &line, interval) {
            Some(Outcome::Failed) => status = 1,
            Some(Outcome::Done) => {}
            None => break,
        }
    }
    status
}

fn interactive_loop(rt: &Runtime, session: &mut Session, interval: Duration) -> i32 {
    let Ok(mut editor) = DefaultEditor::new() else {
        return piped_loop(rt, session, interval);
    };
    let history = history_file();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    loop {
        let line = match editor.readline(&session.prompt()) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("{e}");
                break;
            }
        };
        if keep_in_history(&line) {
            let _ = editor.add_history_entry(line.as_str());
            if let Some(path) = &history {
                let _ = editor.append_history(path);
            }
        }
        if handle(rt, session, line.as_bytes(), interval).is_none() {
            break;
        }
    }
    0
}

/// Runs one line; `None` means quit.
fn handle(rt: &Runtime, session: &mut Session, line: &[u8], interval: Duration) -> Option<Outcome> {
    match interpret(line) {
        Line::Skip => Some(Outcome::Done),
        Line::Quit => None,
        Line::Clear => {
            print!("\x1b[H\x1b[2J");
            let _ = io::stdout().flush();
            Some(Outcome::Done)
        }
        Line::Invalid(msg) => {
            println!("{msg}");
            Some(Outcome::Done)
        }
        Line::Connect(host, port) => {
            session.retarget(host, port);
            Some(if rt.block_on(session.connect()) {
                Outcome::Done
            } else {
                Outcome::Failed
            })
        }
        Line::Command { argv, repeat } => Some(rt.block_on(session.run(&argv, repeat, interval))),
    }
}

/// Lines with secrets stay out of the history file, as in redis-cli.
fn keep_in_history(line: &str) -> bool {
    let first = line
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    !line.trim().is_empty() && first != "auth" && first != "acl" && first != "hello"
}

/// `REDISCLI_HISTFILE`, else `~/.rediscli_history`; `/dev/null` turns history off.
fn history_file() -> Option<PathBuf> {
    let path = match std::env::var_os("REDISCLI_HISTFILE") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".rediscli_history"),
    };
    (path.as_os_str() != "/dev/null").then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn lines() {
        assert_eq!(interpret(b"   "), Line::Skip);
        assert_eq!(interpret(b"QUIT"), Line::Quit);
        assert_eq!(
            interpret(b"get k"),
            Line::Command {
                argv: argv(&["get", "k"]),
                repeat: 1
            }
        );
        assert_eq!(
            interpret(b"3 incr n"),
            Line::Command {
                argv: argv(&["incr", "n"]),
                repeat: 3
            }
        );
        assert_eq!(interpret(b"set \"a"), Line::Invalid("Invalid argument(s)"));
        assert_eq!(
            interpret(b"connect h 7000"),
            Line::Connect("h".into(), 7000)
        );
        assert!(matches!(interpret(b"connect h"), Line::Invalid(_)));
    }

    #[test]
    fn secrets_stay_out_of_history() {
        assert!(keep_in_history("get k"));
        assert!(!keep_in_history("AUTH secret"));
        assert!(!keep_in_history("  "));
    }
}
