//! Command-line options, parsed as redis-cli parses them: options first, in any order, each
//! taking its value from the next argument; the first argument that is not an option starts
//! the command. Later options override earlier ones (`-u` then `-p` changes the port).

use std::time::Duration;

use redraft_client::parse_url;

/// How replies are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    /// redis-cli's default: `Standard` on a terminal, `Raw` when piped.
    Auto,
    /// `--raw`: bare values, one per line.
    Raw,
    /// `--no-raw`: `(integer) 1`, `"quoted"`, numbered arrays.
    Standard,
}

/// Everything the options say.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The password came from `-a`, `--pass` or `-u` (not from `REDISCLI_AUTH`).
    pub password_on_command_line: bool,
    pub no_auth_warning: bool,
    pub db: u32,
    pub output: OutputMode,
    /// `-r`: times to run the command; negative runs it forever.
    pub repeat: i64,
    /// `-i`: pause after each run.
    pub interval: Duration,
    /// `-3`: speak RESP3 (`HELLO 3`).
    pub resp3: bool,
    /// `-x`: read the last argument from standard input.
    pub stdin_last_arg: bool,
    /// `-t`: connect (and reply) timeout; none by default, as redis-cli.
    pub timeout: Option<Duration>,
    /// `--healthcheck`: check that the node can serve instead of running a command.
    pub healthcheck: bool,
    pub command: Vec<Vec<u8>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: "127.0.0.1".into(),
            port: 6379,
            user: None,
            password: None,
            password_on_command_line: false,
            no_auth_warning: false,
            db: 0,
            output: OutputMode::Auto,
            repeat: 1,
            interval: Duration::ZERO,
            resp3: false,
            stdin_last_arg: false,
            timeout: None,
            healthcheck: false,
            command: Vec::new(),
        }
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub enum Action {
    Run(Box<Options>),
    Help,
    Version,
}

/// Parses the arguments after the program name. An `Err` is the message to print before
/// exiting with status 1.
pub fn parse(args: &[Vec<u8>]) -> Result<Action, String> {
    let mut opts = Options::default();
    let mut i = 0;
    while i < args.len() {
        let arg = String::from_utf8_lossy(&args[i]).into_owned();
        let value = args
            .get(i + 1)
            .map(|v| String::from_utf8_lossy(v).into_owned());
        let unrecognized = || format!("Unrecognized option or bad number of args for: '{arg}'");
        let takes_value =
            apply_valued(&mut opts, &arg, value.as_deref()).map_err(|()| unrecognized())?;
        if takes_value {
            i += 2;
            continue;
        }
        match arg.as_str() {
            "--raw" => opts.output = OutputMode::Raw,
            "--no-raw" => opts.output = OutputMode::Standard,
            "--no-auth-warning" => opts.no_auth_warning = true,
            "-x" => opts.stdin_last_arg = true,
            "-3" => opts.resp3 = true,
            "-2" => opts.resp3 = false,
            "--healthcheck" => opts.healthcheck = true,
            "--help" => return Ok(Action::Help),
            "-v" | "--version" => return Ok(Action::Version),
            _ if arg.starts_with('-') => return Err(unrecognized()),
            _ => break,
        }
        i += 1;
    }
    opts.command = args[i..].to_vec();
    Ok(Action::Run(Box::new(opts)))
}

/// Applies an option that takes a value. `Ok(true)` if `arg` was one; `Err` if it was one
/// but its value is missing or malformed.
fn apply_valued(opts: &mut Options, arg: &str, value: Option<&str>) -> Result<bool, ()> {
    const VALUED: &[&str] = &[
        "-h", "-p", "-a", "--pass", "--user", "-u", "-n", "-r", "-i", "-t",
    ];
    if !VALUED.contains(&arg) {
        return Ok(false);
    }
    let value = value.ok_or(())?;
    match arg {
        "-h" => opts.host = value.to_string(),
        "-p" => opts.port = value.parse().map_err(|_| ())?,
        "-a" | "--pass" => {
            opts.password = Some(value.to_string());
            opts.password_on_command_line = true;
        }
        "--user" => opts.user = Some(value.to_string()),
        "-u" => apply_url(opts, value)?,
        "-n" => opts.db = value.parse().map_err(|_| ())?,
        "-r" => opts.repeat = value.parse().map_err(|_| ())?,
        "-i" => opts.interval = seconds(value)?,
        "-t" => opts.timeout = Some(seconds(value)?),
        _ => return Ok(false),
    }
    Ok(true)
}

fn apply_url(opts: &mut Options, url: &str) -> Result<(), ()> {
    let parsed = parse_url(url).map_err(|_| ())?;
    if let Some((host, port)) = parsed.hosts.into_iter().next() {
        opts.host = host;
        opts.port = port;
    }
    if parsed.username.is_some() {
        opts.user = parsed.username;
    }
    if parsed.password.is_some() {
        opts.password = parsed.password;
        opts.password_on_command_line = true;
    }
    if let Some(db) = parsed.db {
        opts.db = db;
    }
    Ok(())
}

fn seconds(text: &str) -> Result<Duration, ()> {
    let secs: f64 = text.parse().map_err(|_| ())?;
    Duration::try_from_secs_f64(secs).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Options {
        let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        match parse(&args) {
            Ok(Action::Run(opts)) => *opts,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn fails(args: &[&str]) -> String {
        let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        match parse(&args) {
            Err(msg) => msg,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let o = run(&[]);
        assert_eq!((o.host.as_str(), o.port, o.db), ("127.0.0.1", 6379, 0));
        assert_eq!(o.output, OutputMode::Auto);
        assert_eq!(o.repeat, 1);
        assert!(o.command.is_empty());
    }

    #[test]
    fn options_then_command() {
        let o = run(&[
            "-h", "db1", "-p", "7000", "-a", "pw", "-n", "2", "SET", "k", "-1",
        ]);
        assert_eq!((o.host.as_str(), o.port, o.db), ("db1", 7000, 2));
        assert_eq!(o.password.as_deref(), Some("pw"));
        assert!(o.password_on_command_line);
        let want: Vec<Vec<u8>> = vec![b"SET".to_vec(), b"k".to_vec(), b"-1".to_vec()];
        assert_eq!(o.command, want);
    }

    #[test]
    fn flags() {
        let o = run(&[
            "--raw",
            "--no-auth-warning",
            "-3",
            "-x",
            "-r",
            "5",
            "-i",
            "0.5",
            "GET",
        ]);
        assert_eq!(o.output, OutputMode::Raw);
        assert!(o.no_auth_warning && o.resp3 && o.stdin_last_arg);
        assert_eq!((o.repeat, o.interval), (5, Duration::from_millis(500)));
        assert_eq!(run(&["--raw", "--no-raw"]).output, OutputMode::Standard);
        assert_eq!(run(&["-r", "-1", "PING"]).repeat, -1);
        assert!(run(&["--healthcheck", "-p", "7000"]).healthcheck);
    }

    #[test]
    fn uri_and_overrides() {
        let o = run(&["-u", "redis://app:s3cret@h:7001/4"]);
        assert_eq!((o.host.as_str(), o.port, o.db), ("h", 7001, 4));
        assert_eq!(o.user.as_deref(), Some("app"));
        assert_eq!(o.password.as_deref(), Some("s3cret"));
        assert!(o.password_on_command_line);
        let o = run(&["-u", "redis://h:7001", "-p", "7002", "--user", "bob"]);
        assert_eq!((o.port, o.user.as_deref()), (7002, Some("bob")));
        assert!(!o.password_on_command_line);
    }

    #[test]
    fn errors_name_the_option() {
        assert_eq!(
            fails(&["-z"]),
            "Unrecognized option or bad number of args for: '-z'"
        );
        assert_eq!(
            fails(&["-h"]),
            "Unrecognized option or bad number of args for: '-h'"
        );
        assert!(fails(&["-p", "notaport"]).contains("'-p'"));
        assert!(fails(&["-u", "http://x"]).contains("'-u'"));
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse(&[b"--help".to_vec()]), Ok(Action::Help));
        assert_eq!(parse(&[b"-v".to_vec()]), Ok(Action::Version));
    }
}
