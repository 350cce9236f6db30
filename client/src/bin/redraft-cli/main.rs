//! redraft-cli: redis-cli's flags, prompt and output, for redraft (and any Redis server).
//! Installed under the name `redis-cli` (a link), it calls itself that.
//!
//! Modes, as redis-cli: a command on the command line runs once (or `-r` times); without one,
//! commands are read from standard input when it is not a terminal, else from an
//! interactive prompt. Replies are printed raw when standard output is not a terminal,
//! unless `--raw`/`--no-raw` say otherwise.

mod args;
mod format;
mod health;
mod repl;
mod session;
mod split;

use std::io::{IsTerminal, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::ExitCode;

use args::{Action, Options, OutputMode};
use session::{Outcome, Session};

const AUTH_WARNING: &str = "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.";

fn main() -> ExitCode {
    let mut argv = std::env::args_os();
    let program = argv
        .next()
        .and_then(|p| {
            Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "redraft-cli".into());
    let args: Vec<Vec<u8>> = argv.map(|a| a.as_bytes().to_vec()).collect();
    let opts = match args::parse(&args) {
        Ok(Action::Run(opts)) => *opts,
        Ok(Action::Help) => {
            eprint!("{}", usage(&program));
            return ExitCode::FAILURE;
        }
        Ok(Action::Version) => {
            println!("{program} {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::FAILURE;
        }
    };
    ExitCode::from(run(opts))
}

fn run(mut opts: Options) -> u8 {
    if opts.password_on_command_line && !opts.no_auth_warning {
        eprintln!("{AUTH_WARNING}");
    }
    if opts.password.is_none() {
        opts.password = std::env::var("REDISCLI_AUTH").ok();
    }
    let raw = match opts.output {
        OutputMode::Raw => true,
        OutputMode::Standard => false,
        OutputMode::Auto => !std::io::stdout().is_terminal(),
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return 1;
        }
    };
    if opts.healthcheck {
        return rt.block_on(health::run(&opts));
    }
    let (repeat, interval) = (opts.repeat, opts.interval);
    if opts.command.is_empty() {
        let interactive = std::io::stdin().is_terminal();
        let mut session = Session::new(opts, raw);
        return repl::run(&rt, &mut session, interval, interactive) as u8;
    }
    let mut command = std::mem::take(&mut opts.command);
    if opts.stdin_last_arg {
        let mut last = Vec::new();
        if std::io::stdin().read_to_end(&mut last).is_err() {
            eprintln!("Error reading standard input");
            return 1;
        }
        command.push(last);
    }
    let mut session = Session::new(opts, raw);
    if !rt.block_on(session.connect()) {
        return 1;
    }
    match rt.block_on(session.run(&command, repeat, interval)) {
        Outcome::Done => 0,
        Outcome::Failed => 1,
    }
}

fn usage(program: &str) -> String {
    format!(
        "{program} {version}

Usage: {program} [OPTIONS] [cmd [arg [arg ...]]]
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -a <password>      Password to use when connecting to the server.
                     You can also use the REDISCLI_AUTH environment
                     variable to pass this password more safely.
  --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
  --pass <password>  Alias of -a for consistency with the new --user option.
  --no-auth-warning  Don't show warning message when using password on command
                     line interface.
  -u <uri>           Server URI: redis://[user:password@]host[:port][/db].
  -n <db>            Database number.
  -3                 Start session in RESP3 protocol mode.
  -2                 Start session in RESP2 protocol mode (the default).
  -r <repeat>        Execute specified command N times (-1 for ever).
  -i <interval>      When -r is used, waits <interval> seconds per command.
                     It is possible to specify sub-second times like -i 0.1.
  -t <timeout>       Timeout in seconds for connecting and for replies.
  -x                 Read last argument from STDIN.
  --raw              Use raw formatting for replies (default when STDOUT is
                     not a tty).
  --no-raw           Force formatted output even when STDOUT is not a tty.
  --healthcheck      Exit 0 if the node answers PING and knows a Raft leader,
                     else 1 (for container healthchecks). The password may
                     also come from REDIS_PASSWORD.
  --help             Output this help and exit.
  -v, --version      Output version and exit.

Examples:
  {program} -a secret SET key value
  cat commands.txt | {program}
  {program} -r 100 -i 1 INFO memory

When no command is given, {program} starts in interactive mode.
",
        version = env!("CARGO_PKG_VERSION"),
    )
}
