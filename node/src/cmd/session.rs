//! What connection and server commands (AUTH, HELLO, CLIENT, INFO, CONFIG, SLOWLOG...) need
//! from the server, as a trait the server layer implements, so those commands live in `cmd/`
//! with the others while the server owns connections, statistics and configuration.

use std::time::Instant;

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};

use crate::config::Config;
use crate::machine::Machine;
use crate::resp::Protocol;

use super::CmdError;
use super::server::slowlog::SlowLog;

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
    /// Name of the last command run (CLIENT LIST `cmd=`).
    pub last_cmd: String,
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
        }
    }
}

/// Which clients CLIENT KILL targets.
#[derive(Debug, Default, Clone)]
pub struct KillFilter {
    pub id: Option<u64>,
    pub addr: Option<String>,
    pub laddr: Option<String>,
    /// `SKIPME yes` (the default): never kill the calling client.
    pub skip_me: bool,
}

/// Server-wide figures for INFO.
#[derive(Debug, Default, Clone)]
pub struct ServerStats {
    pub uptime_secs: u64,
    pub tcp_port: u16,
    pub connected_clients: usize,
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub rejected_connections: u64,
    pub total_net_input_bytes: u64,
    pub total_net_output_bytes: u64,
    pub expired_keys: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub total_error_replies: u64,
    pub instantaneous_ops_per_sec: u64,
    pub config_file: String,
    pub executable: String,
    pub run_id: String,
}

/// The server as connection and server commands see it.
pub trait Session {
    /// The calling client's state.
    fn client(&mut self) -> &mut ClientState;
    /// The configuration in force (CONFIG GET/SET, requirepass, databases...).
    fn config(&self) -> &RwLock<Config>;
    /// The state machine, for commands that report on the data (INFO keyspace, DBSIZE).
    fn machine(&self) -> &Mutex<Machine>;
    fn slowlog(&self) -> &Mutex<SlowLog>;
    /// A snapshot of every connected client's state (CLIENT LIST).
    fn clients(&self) -> Vec<ClientState>;
    /// Closes the matching connections; returns how many.
    fn kill_clients(&mut self, filter: &KillFilter) -> usize;
    fn stats(&self) -> ServerStats;
    /// CONFIG RESETSTAT.
    fn reset_stats(&self);
    /// SHUTDOWN: stops the server after this reply; `save` as SHUTDOWN [NOSAVE|SAVE].
    fn shutdown(&mut self, save: Option<bool>) -> Result<(), CmdError>;
    /// Checks a password (and user, `default` being the only one) in constant time.
    fn check_password(&self, user: Option<&[u8]>, password: &[u8]) -> Result<(), CmdError>;
}
