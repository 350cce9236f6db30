//! What connection and server commands (AUTH, HELLO, CLIENT, INFO, CONFIG, SLOWLOG...) need
//! from the server, as a trait the server layer implements, so those commands live in `cmd/`
//! with the others while the server owns connections, statistics and configuration.

use std::time::Instant;

use bytes::Bytes;
use parking_lot::{MappedMutexGuard, Mutex, RwLock};

use crate::config::Config;
use crate::machine::{Machine, Watched};
use crate::resp::{Protocol, Reply};

use super::cluster_view::{ClusterStatus, PersistenceInfo};
use super::server::slowlog::SlowLog;
use super::transaction::Multi;
use super::{CmdError, Table};

/// The state of one client connection that commands read and change.
#[derive(Debug, Clone)]
pub struct ClientState {
    pub id: u64,
    pub addr: String,
    pub laddr: String,
    pub name: Option<Bytes>,
    pub lib_name: Option<Bytes>,
    pub lib_ver: Option<Bytes>,
    pub db: usize,
    pub protocol: Protocol,
    pub authenticated: bool,
    /// Set by QUIT: the server closes the connection once this reply is written.
    pub close_after_reply: bool,
    pub created: Instant,
    pub last_interaction: Instant,
    /// Name of the last command run, `parent|sub` for subcommands (CLIENT LIST `cmd=`).
    pub last_cmd: String,
    /// The socket's file descriptor (CLIENT LIST `fd=`).
    pub fd: i64,
    /// CLIENT NO-EVICT.
    pub no_evict: bool,
    /// READONLY: reads answer from this node's state without confirming leadership (stale
    /// reads, opt-in); READWRITE turns it off.
    pub readonly: bool,
    /// CLIENT REPLY: whether replies are sent.
    pub reply: ReplyMode,
    /// The transaction being queued, between MULTI and EXEC.
    pub multi: Option<Multi>,
    /// The keys WATCHed for the next EXEC.
    pub watched: Vec<Watched>,
    /// Pub/Sub subscriptions: channels, patterns, shard channels (CLIENT LIST `sub=`,
    /// `psub=`, `ssub=`). The connection keeps the subscriptions themselves; a session
    /// command that zeroes these (RESET) makes it drop them.
    pub subscriptions: [usize; 3],
    /// Waiting in a blocking command (CLIENT LIST flag `b`, INFO `blocked_clients`).
    pub blocked: bool,
}

/// How CLIENT UNBLOCK ends a blocked client's wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnblockMode {
    /// As if the timeout had passed (the default).
    Timeout,
    /// With the error `-UNBLOCKED client unblocked via CLIENT UNBLOCK`.
    Error,
}

impl UnblockMode {
    /// The reply the unblocked client gets (unless a pop already in flight for it gives it
    /// an element).
    pub fn reply(self) -> Reply {
        match self {
            UnblockMode::Timeout => Reply::NilArray,
            UnblockMode::Error => Reply::error("UNBLOCKED client unblocked via CLIENT UNBLOCK"),
        }
    }
}

/// Which clients a CLIENT LIST TYPE or CLIENT KILL TYPE filter names (Redis's
/// `getClientTypeByName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Normal,
    Replica,
    PubSub,
    Master,
}

impl ClientKind {
    /// Parses a type name as Redis does, `slave` being `replica`.
    pub fn parse(name: &[u8]) -> Option<ClientKind> {
        let name = name.to_ascii_lowercase();
        Some(match &name[..] {
            b"normal" => ClientKind::Normal,
            b"slave" | b"replica" => ClientKind::Replica,
            b"pubsub" => ClientKind::PubSub,
            b"master" => ClientKind::Master,
            _ => return None,
        })
    }
}

/// CLIENT REPLY ON|OFF|SKIP, as Redis's `CLIENT_REPLY_OFF` / `CLIENT_REPLY_SKIP_NEXT` /
/// `CLIENT_REPLY_SKIP` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyMode {
    #[default]
    On,
    Off,
    /// Set by CLIENT REPLY SKIP: neither that command nor the next one is answered.
    SkipNext,
    /// The reply of the command running now is dropped.
    Skip,
}

impl ReplyMode {
    /// Called once a command has run: whether its reply is sent, and moves SKIP along (the
    /// command after CLIENT REPLY SKIP is the one skipped).
    pub fn after_command(&mut self) -> bool {
        let send = *self == ReplyMode::On;
        *self = match *self {
            ReplyMode::SkipNext => ReplyMode::Skip,
            ReplyMode::Skip => ReplyMode::On,
            other => other,
        };
        send
    }
}

impl ClientState {
    pub fn new(id: u64, addr: String, laddr: String, authenticated: bool) -> ClientState {
        let now = Instant::now();
        ClientState {
            id,
            addr,
            laddr,
            name: None,
            lib_name: None,
            lib_ver: None,
            db: 0,
            protocol: Protocol::Resp2,
            authenticated,
            close_after_reply: false,
            created: now,
            last_interaction: now,
            last_cmd: "NULL".to_string(),
            fd: -1,
            no_evict: false,
            readonly: false,
            reply: ReplyMode::On,
            multi: None,
            watched: Vec::new(),
            subscriptions: [0; 3],
            blocked: false,
        }
    }

    /// The client's type for CLIENT LIST/KILL TYPE: `pubsub` once subscribed to anything
    /// (Redis's `getClientType`), else normal.
    pub fn kind(&self) -> ClientKind {
        if self.subscribed() {
            ClientKind::PubSub
        } else {
            ClientKind::Normal
        }
    }

    /// Whether the connection is in Pub/Sub mode (subscribed to anything).
    pub fn subscribed(&self) -> bool {
        self.subscriptions.iter().any(|&n| n > 0)
    }

    /// The `flags=` of CLIENT LIST, as Redis's `catClientInfoString`.
    pub fn flags(&self) -> String {
        let mut flags = String::new();
        if self.subscribed() {
            flags.push('P');
        }
        if self.blocked {
            flags.push('b');
        }
        if self.close_after_reply {
            flags.push('c');
        }
        if self.no_evict {
            flags.push('e');
        }
        if self.readonly {
            flags.push('r');
        }
        if self.multi.is_some() {
            flags.push('x');
        }
        if flags.is_empty() {
            flags.push('N');
        }
        flags
    }

    /// One line of CLIENT LIST / CLIENT INFO (without the newline), with Redis 7.0's fields
    /// in its order, then the `lib-name`/`lib-ver` fields Redis 7.2 added. Buffer figures this
    /// server does not track per client are reported as 0.
    pub fn info_line(&self) -> String {
        let text = |b: &Option<Bytes>| {
            b.as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        };
        format!(
            "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} \
             ssub={} multi={} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 \
             omem=0 tot-mem=0 events=r cmd={} user=default redir=-1 resp={} lib-name={} \
             lib-ver={}",
            self.id,
            self.addr,
            self.laddr,
            self.fd,
            text(&self.name),
            self.created.elapsed().as_secs(),
            self.last_interaction.elapsed().as_secs(),
            self.flags(),
            self.db,
            self.subscriptions[0],
            self.subscriptions[1],
            self.subscriptions[2],
            self.multi.as_ref().map_or(-1, |m| m.queued.len() as i64),
            self.last_cmd,
            if self.protocol == Protocol::Resp3 {
                3
            } else {
                2
            },
            text(&self.lib_name),
            text(&self.lib_ver),
        )
    }
}

/// Which clients CLIENT KILL targets.
#[derive(Debug, Default, Clone)]
pub struct KillFilter {
    pub id: Option<u64>,
    pub addr: Option<String>,
    pub laddr: Option<String>,
    pub kind: Option<ClientKind>,
    /// `SKIPME yes` (the default): never kill the calling client.
    pub skip_me: bool,
}

impl KillFilter {
    /// Whether `client` matches every filter given (SKIPME aside).
    pub fn matches(&self, client: &ClientState) -> bool {
        self.id.is_none_or(|id| id == client.id)
            && self.addr.as_ref().is_none_or(|a| *a == client.addr)
            && self.laddr.as_ref().is_none_or(|a| *a == client.laddr)
            && self.kind.is_none_or(|k| k == client.kind())
    }
}

/// One command's figures (INFO commandstats).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CommandStat {
    pub calls: u64,
    pub usec: u64,
    /// Refused before running (NOAUTH, wrong arity...).
    pub rejected_calls: u64,
    /// Ran and answered an error.
    pub failed_calls: u64,
}

/// Server-wide figures for INFO.
#[derive(Debug, Default, Clone)]
pub struct ServerStats {
    pub uptime_secs: u64,
    pub tcp_port: u16,
    pub connected_clients: usize,
    /// Clients of this node waiting in a blocking command.
    pub blocked_clients: usize,
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub rejected_connections: u64,
    pub total_net_input_bytes: u64,
    pub total_net_output_bytes: u64,
    pub expired_keys: u64,
    /// Unix seconds when the server started (INFO `rdb_last_save_time` until snapshots exist).
    pub started_unix: u64,
    pub instantaneous_input_kbps: f64,
    pub instantaneous_output_kbps: f64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub total_error_replies: u64,
    pub instantaneous_ops_per_sec: u64,
    pub config_file: String,
    pub executable: String,
    pub run_id: String,
    /// Channels, patterns and shard channels with subscribers on this node (INFO
    /// `pubsub_channels`, `pubsub_patterns`, `pubsubshard_channels`).
    pub pubsub: [usize; 3],
}

/// The server as connection and server commands see it.
pub trait Session {
    /// The calling client's state.
    fn client(&mut self) -> &mut ClientState;
    /// The configuration in force (CONFIG GET/SET, requirepass, databases...).
    fn config(&self) -> &RwLock<Config>;
    /// The state machine, locked, for commands that report on the data (INFO keyspace).
    fn machine(&self) -> MappedMutexGuard<'_, Machine>;
    /// The Raft cluster as this node sees it (ROLE, INFO replication, RAFT.INFO).
    fn cluster(&self) -> ClusterStatus;
    /// This node's snapshot figures (INFO persistence).
    fn persistence(&self) -> PersistenceInfo;
    fn slowlog(&self) -> &Mutex<SlowLog>;
    /// A snapshot of every connected client's state (CLIENT LIST).
    fn clients(&self) -> Vec<ClientState>;
    /// Closes the matching connections; returns how many.
    fn kill_clients(&mut self, filter: &KillFilter) -> usize;
    /// Ends the wait of client `id` if it is blocked (CLIENT UNBLOCK); whether it was.
    fn unblock_client(&mut self, id: u64, mode: UnblockMode) -> bool;
    fn stats(&self) -> ServerStats;
    /// CONFIG RESETSTAT.
    fn reset_stats(&self);
    /// SHUTDOWN: stops the server after this reply; `save` as SHUTDOWN [NOSAVE|SAVE].
    fn shutdown(&mut self, save: Option<bool>) -> Result<(), CmdError>;
    /// Checks a password (and user, `default` being the only one) in constant time.
    fn check_password(&self, user: Option<&[u8]>, password: &[u8]) -> Result<(), CmdError>;
    /// The command table in force, with `rename-command` applied (COMMAND).
    fn table(&self) -> &Table;
    /// Figures of every command called since start or CONFIG RESETSTAT, by full name
    /// (`get`, `client|list`), sorted by name.
    fn command_stats(&self) -> Vec<(String, CommandStat)>;
    /// Error replies by their code (`ERR`, `WRONGTYPE`...), sorted by code.
    fn error_stats(&self) -> Vec<(String, u64)>;
}

/// Checks AUTH credentials against `requirepass`, as Redis's default user: with no password
/// the user is `nopass` (any password works with a user name, but the one-argument form is an
/// error), with one the password must match, compared in constant time.
pub fn check_password(
    requirepass: &str,
    user: Option<&[u8]>,
    password: &[u8],
) -> Result<(), CmdError> {
    use subtle::ConstantTimeEq;
    if user.is_none() && requirepass.is_empty() {
        return Err(CmdError::AuthNotConfigured);
    }
    let user_ok = user.is_none_or(|u| u == b"default");
    let pass_ok = requirepass.is_empty() || bool::from(requirepass.as_bytes().ct_eq(password));
    if user_ok && pass_ok {
        Ok(())
    } else {
        Err(CmdError::WrongPass)
    }
}

/// A [`Session`] without a server, for the unit tests of session commands.
#[cfg(test)]
pub(crate) mod testing {
    use parking_lot::MutexGuard;

    use super::*;
    use crate::cmd::cluster_view::Role;
    use crate::cmd::{Run, lookup};
    use crate::resp::Reply;

    pub struct TestSession {
        pub client: ClientState,
        pub config: RwLock<Config>,
        pub machine: Mutex<Machine>,
        pub slowlog: Mutex<SlowLog>,
        /// The other connected clients.
        pub others: Vec<ClientState>,
        /// Ids of the clients CLIENT KILL closed.
        pub killed: Vec<u64>,
        pub unblocked: Vec<(u64, UnblockMode)>,
        /// `Some(save)` once SHUTDOWN ran.
        pub shutdown: Option<Option<bool>>,
        pub table: Table,
    }

    impl TestSession {
        pub fn new() -> TestSession {
            TestSession::with_config(Config::default())
        }

        pub fn with_password(password: &str) -> TestSession {
            let config = Config {
                requirepass: password.to_string(),
                ..Config::default()
            };
            TestSession::with_config(config)
        }

        pub fn with_config(config: Config) -> TestSession {
            let authenticated = config.requirepass.is_empty();
            let mut client = ClientState::new(
                7,
                "127.0.0.1:50000".into(),
                "127.0.0.1:6379".into(),
                authenticated,
            );
            client.fd = 9;
            TestSession {
                client,
                machine: Mutex::new(Machine::new(config.databases)),
                table: Table::with_renames(&config.rename_commands),
                config: RwLock::new(config),
                slowlog: Mutex::new(SlowLog::default()),
                others: Vec::new(),
                killed: Vec::new(),
                unblocked: Vec::new(),
                shutdown: None,
            }
        }

        /// Runs one session command as the server would (lookup and arity first).
        pub fn run(&mut self, args: &[&str]) -> Reply {
            let argv: Vec<Bytes> = args
                .iter()
                .map(|a| Bytes::copy_from_slice(a.as_bytes()))
                .collect();
            self.run_argv(&argv)
        }

        pub fn run_argv(&mut self, argv: &[Bytes]) -> Reply {
            let spec = match lookup(&self.table, argv) {
                Ok(spec) => spec,
                Err(e) => return Reply::from(e),
            };
            if !self.client.authenticated && !spec.has(crate::cmd::flags::NO_AUTH) {
                return Reply::from(CmdError::NoAuth);
            }
            let Run::Session(run) = spec.run else {
                panic!("{} is not a session command", spec.name)
            };
            run(self, argv).unwrap_or_else(Reply::from)
        }

        /// The reply's wire form in the protocol in force after the command (as the server
        /// encodes it).
        pub fn wire(&mut self, args: &[&str]) -> String {
            let reply = self.run(args);
            String::from_utf8_lossy(&reply.to_bytes(self.client.protocol)).into_owned()
        }
    }

    impl Session for TestSession {
        fn client(&mut self) -> &mut ClientState {
            &mut self.client
        }

        fn config(&self) -> &RwLock<Config> {
            &self.config
        }

        fn machine(&self) -> MappedMutexGuard<'_, Machine> {
            MutexGuard::map(self.machine.lock(), |m| m)
        }

        fn cluster(&self) -> ClusterStatus {
            ClusterStatus {
                node_id: 1,
                role: Role::Leader,
                term: 1,
                leader_id: Some(1),
                leader_client_addr: Some("127.0.0.1:6379".to_string()),
                last_log_index: 0,
                committed: 0,
                applied: 0,
                leader_age_ms: None,
                members: Vec::new(),
                snapshot_index: None,
                purged_index: None,
            }
        }

        fn persistence(&self) -> PersistenceInfo {
            PersistenceInfo {
                changes_since_last_save: 3,
                last_save_time: 1_700_000_000,
                last_bgsave_ok: true,
                last_bgsave_time_sec: -1,
                current_bgsave_time_sec: -1,
                ..PersistenceInfo::default()
            }
        }

        fn slowlog(&self) -> &Mutex<SlowLog> {
            &self.slowlog
        }

        fn clients(&self) -> Vec<ClientState> {
            let mut all = self.others.clone();
            all.push(self.client.clone());
            all.sort_by_key(|c| c.id);
            all
        }

        fn kill_clients(&mut self, filter: &KillFilter) -> usize {
            let mut killed = 0;
            for c in &self.others {
                if filter.matches(c) {
                    self.killed.push(c.id);
                    killed += 1;
                }
            }
            if filter.matches(&self.client) && !filter.skip_me {
                self.client.close_after_reply = true;
                self.killed.push(self.client.id);
                killed += 1;
            }
            self.others.retain(|c| !filter.matches(c));
            killed
        }

        fn unblock_client(&mut self, id: u64, mode: UnblockMode) -> bool {
            let blocked = self.others.iter().any(|c| c.id == id && c.blocked);
            if blocked {
                self.unblocked.push((id, mode));
            }
            blocked
        }

        fn stats(&self) -> ServerStats {
            ServerStats {
                tcp_port: 6379,
                connected_clients: self.others.len() + 1,
                run_id: "0".repeat(40),
                ..ServerStats::default()
            }
        }

        fn reset_stats(&self) {}

        fn shutdown(&mut self, save: Option<bool>) -> Result<(), CmdError> {
            self.shutdown = Some(save);
            self.client.close_after_reply = true;
            Ok(())
        }

        fn check_password(&self, user: Option<&[u8]>, password: &[u8]) -> Result<(), CmdError> {
            check_password(&self.config.read().requirepass, user, password)
        }

        fn table(&self) -> &Table {
            &self.table
        }

        fn command_stats(&self) -> Vec<(String, CommandStat)> {
            vec![(
                "get".to_string(),
                CommandStat {
                    calls: 4,
                    usec: 10,
                    rejected_calls: 1,
                    failed_calls: 0,
                },
            )]
        }

        fn error_stats(&self) -> Vec<(String, u64)> {
            vec![("ERR".to_string(), 2)]
        }
    }
}
