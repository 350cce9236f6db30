//! INFO: returns information and statistics about the server.
//!
//! # Format
//! ```text
//! INFO [section [section ...]]
//! ```
//! Sections, fields and their order are Redis 7.0's: `server`, `clients`, `memory`,
//! `persistence`, `stats`, `replication`, `cpu`, `modules`, `commandstats`, `errorstats`,
//! `latencystats`, `cluster`, `keyspace`, plus `default` (no argument), `all` and
//! `everything`; unknown names add nothing. The server presents itself as Redis 7.0.15
//! (`redis_version`, which clients check) and gives its own version as `redraft_version`, the
//! last field of `# Server`.
//!
//! Memory figures are real (jemalloc's counters and the process's resident set), and so are
//! CPU times (`getrusage`); as there is no single main thread, the `*_main_thread` fields
//! report the whole process. Fields for machinery this server does not have (forks, AOF,
//! Lua, replication backlog, client tracking, defragmentation) are honest zeros, and
//! Latencystats is empty since latency percentiles are not tracked. `avg_ttl` is 0.
//!
//! The reply is a bulk string in RESP2 and a verbatim `txt` string in RESP3; lines end with
//! CRLF and sections are separated by an empty line.

use std::fmt::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::cmd::cluster::role::split_addr;
use crate::cmd::cluster_view::{ClusterStatus, PersistenceInfo, Role};
use crate::cmd::session::ServerStats;
use crate::cmd::{CmdResult, Run, Session, Spec, args, flags};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "info",
    arity: -1,
    flags: flags::LOADING | flags::STALE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

/// The Redis version this server presents itself as (INFO, HELLO).
pub const REDIS_VERSION: &str = "7.0.15";

/// The sections in the order INFO prints them: name, header, part of `INFO default`.
const SECTIONS: &[(&str, &str, bool)] = &[
    ("server", "Server", true),
    ("clients", "Clients", true),
    ("memory", "Memory", true),
    ("persistence", "Persistence", true),
    ("stats", "Stats", true),
    ("replication", "Replication", true),
    ("cpu", "CPU", true),
    ("modules", "Modules", true),
    ("commandstats", "Commandstats", false),
    ("errorstats", "Errorstats", true),
    ("latencystats", "Latencystats", false),
    ("cluster", "Cluster", true),
    // Not part of Redis's default sections, so tools that compare INFO see Redis's.
    ("raft", "Raft", false),
    ("keyspace", "Keyspace", true),
];

/// Which sections `args` ask for (Redis's `genInfoSectionDict`).
fn selected(args: &[Bytes]) -> [bool; SECTIONS.len()] {
    let mut on = [false; SECTIONS.len()];
    let mut add_default = args.is_empty();
    for arg in args {
        let name = args::lower(arg);
        match name.as_str() {
            "default" => add_default = true,
            "all" | "everything" => on = [true; SECTIONS.len()],
            _ => {
                if let Some(i) = SECTIONS.iter().position(|(n, _, _)| *n == name) {
                    on[i] = true;
                }
            }
        }
    }
    if add_default {
        for (i, (_, _, default)) in SECTIONS.iter().enumerate() {
            on[i] |= default;
        }
    }
    on
}

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    let on = selected(&argv[1..]);
    let stats = session.stats();
    let mut out = String::with_capacity(4096);
    for (i, (name, header, _)) in SECTIONS.iter().enumerate() {
        if !on[i] {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        let _ = write!(out, "# {header}\r\n");
        let mut lines = Lines(&mut out);
        match *name {
            "server" => {
                let io_threads = session.config().read().io_threads;
                server(&mut lines, &stats, io_threads);
            }
            "clients" => clients(&mut lines, session, &stats),
            "memory" => memory(&mut lines),
            "persistence" => persistence(&mut lines, &session.persistence()),
            "stats" => stats_section(&mut lines, &stats),
            "replication" => replication(&mut lines, &session.cluster()),
            "raft" => crate::cmd::cluster::raft_info::raft_section(&session.cluster(), &mut lines),
            "cpu" => cpu(&mut lines),
            "commandstats" => {
                for (cmd, s) in session.command_stats() {
                    let per_call = if s.calls == 0 {
                        0.0
                    } else {
                        s.usec as f64 / s.calls as f64
                    };
                    lines.add(
                        &format!("cmdstat_{cmd}"),
                        format!(
                            "calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},\
                             failed_calls={}",
                            s.calls, s.usec, s.rejected_calls, s.failed_calls
                        ),
                    );
                }
            }
            "errorstats" => {
                for (code, count) in session.error_stats() {
                    lines.add(&format!("errorstat_{code}"), format!("count={count}"));
                }
            }
            "cluster" => lines.add("cluster_enabled", 0),
            "keyspace" => {
                let machine = session.machine();
                for (i, db) in machine.store().dbs() {
                    if !db.is_empty() {
                        lines.add(
                            &format!("db{i}"),
                            format!("keys={},expires={},avg_ttl=0", db.len(), db.volatile_len()),
                        );
                    }
                }
            }
            // modules, latencystats: nothing to report.
            _ => {}
        }
    }
    Ok(Reply::Verbatim("txt", Bytes::from(out)))
}

/// `name:value\r\n` lines.
pub struct Lines<'a>(pub &'a mut String);

impl Lines<'_> {
    pub fn add(&mut self, name: &str, value: impl std::fmt::Display) {
        let _ = write!(self.0, "{name}:{value}\r\n");
    }
}

fn unix_now() -> std::time::Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn server(l: &mut Lines<'_>, stats: &ServerStats, io_threads: usize) {
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let os = format!(
        "{} {} {}",
        read("/proc/sys/kernel/ostype"),
        read("/proc/sys/kernel/osrelease"),
        std::env::consts::ARCH
    );
    let now = unix_now();
    l.add("redis_version", REDIS_VERSION);
    l.add("redis_git_sha1", "00000000");
    l.add("redis_git_dirty", 0);
    l.add("redis_build_id", "0");
    l.add("redis_mode", "standalone");
    l.add("os", os.trim());
    l.add("arch_bits", usize::BITS);
    l.add("monotonic_clock", "POSIX clock_gettime");
    l.add(
        "multiplexing_api",
        if cfg!(target_os = "linux") {
            "epoll"
        } else {
            "kqueue"
        },
    );
    l.add("atomicvar_api", "c11-builtin");
    l.add("gcc_version", "0.0.0");
    l.add("process_id", std::process::id());
    l.add("process_supervised", "no");
    l.add("run_id", &stats.run_id);
    l.add("tcp_port", stats.tcp_port);
    l.add("server_time_usec", now.as_micros());
    l.add("uptime_in_seconds", stats.uptime_secs);
    l.add("uptime_in_days", stats.uptime_secs / 86_400);
    l.add("hz", 10);
    l.add("configured_hz", 10);
    // Redis's LRU clock: seconds, on 24 bits.
    l.add("lru_clock", now.as_secs() & ((1 << 24) - 1));
    l.add("executable", &stats.executable);
    l.add("config_file", &stats.config_file);
    // Connections are served by `io-threads` worker threads at all times.
    l.add("io_threads_active", u8::from(io_threads > 1));
    l.add("redraft_version", env!("CARGO_PKG_VERSION"));
}

fn clients(l: &mut Lines<'_>, session: &dyn Session, stats: &ServerStats) {
    l.add("connected_clients", stats.connected_clients);
    l.add("cluster_connections", 0);
    l.add("maxclients", session.config().read().maxclients);
    l.add("client_recent_max_input_buffer", 0);
    l.add("client_recent_max_output_buffer", 0);
    l.add("blocked_clients", stats.blocked_clients);
    l.add("tracking_clients", 0);
    l.add("clients_in_timeout_table", 0);
}

/// Memory used at startup (INFO `used_memory_startup`), and the highest figure seen.
static STARTUP: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);

/// jemalloc's counters: bytes allocated, in active pages, and resident.
#[derive(Debug, Default, Clone, Copy)]
struct Allocator {
    allocated: u64,
    active: u64,
    resident: u64,
}

fn allocator() -> Allocator {
    use tikv_jemalloc_ctl::{epoch, stats};
    // The counters are cached until the epoch advances.
    let _ = epoch::advance();
    Allocator {
        allocated: stats::allocated::read().unwrap_or(0) as u64,
        active: stats::active::read().unwrap_or(0) as u64,
        resident: stats::resident::read().unwrap_or(0) as u64,
    }
}

/// jemalloc's own report (MEMORY MALLOC-STATS): its options, totals, and every size class's
/// regions and pages, as `malloc_stats_print` writes it.
pub fn allocator_report() -> String {
    unsafe extern "C" fn append(out: *mut std::ffi::c_void, text: *const std::ffi::c_char) {
        // SAFETY: `out` is the `String` passed below, borrowed for the duration of the call;
        // `text` is a NUL-terminated string jemalloc owns for the duration of this callback.
        unsafe {
            let out = &mut *out.cast::<String>();
            out.push_str(&std::ffi::CStr::from_ptr(text).to_string_lossy());
        }
    }
    let _ = tikv_jemalloc_ctl::epoch::advance();
    let mut out = String::new();
    // SAFETY: the callback only appends to `out`, which outlives the call; a null options
    // pointer asks for the default report.
    unsafe {
        tikv_jemalloc_sys::malloc_stats_print(
            Some(append),
            (&raw mut out).cast(),
            std::ptr::null(),
        );
    }
    out
}

/// Returns the dirty pages of every arena to the system (MEMORY PURGE).
pub fn allocator_purge() {
    // `arena.<MALLCTL_ARENAS_ALL>.purge` (4096 names every arena) reads and writes nothing.
    // SAFETY: a NUL-terminated mallctl name, with null old and new values of length 0.
    unsafe {
        tikv_jemalloc_sys::mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
}

/// Memory figures for MEMORY STATS: used (allocated) now, at startup, at peak, and resident.
#[derive(Debug, Clone, Copy)]
pub struct MemoryFigures {
    pub used: u64,
    pub startup: u64,
    pub peak: u64,
    pub resident: u64,
}

/// The allocator's figures now.
pub fn memory_figures() -> MemoryFigures {
    let a = allocator();
    PEAK.fetch_max(a.allocated, Ordering::Relaxed);
    MemoryFigures {
        used: a.allocated,
        startup: STARTUP.load(Ordering::Relaxed),
        peak: PEAK.load(Ordering::Relaxed),
        resident: a.resident,
    }
}

/// Samples memory use, keeping the peak (called every second by the server, and by INFO).
pub fn sample_memory() -> u64 {
    let used = allocator().allocated;
    PEAK.fetch_max(used, Ordering::Relaxed);
    used
}

/// Remembers the memory used once the server has started (INFO `used_memory_startup`).
pub fn record_startup_memory() {
    STARTUP.store(sample_memory(), Ordering::Relaxed);
}

/// The resident set size of the process, from `/proc/self/statm`.
fn rss() -> u64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * u64::try_from(page).unwrap_or(4096)
}

fn total_system_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// Bytes as Redis's `bytesToHuman`: `512B`, `1.50K`, `12.25M`...
pub fn human(n: u64) -> String {
    let units = [(10, "K"), (20, "M"), (30, "G"), (40, "T"), (50, "P")];
    for (shift, suffix) in units {
        if n >= 1 << shift && n < 1 << (shift + 10) {
            return format!("{:.2}{suffix}", n as f64 / (1u64 << shift) as f64);
        }
    }
    format!("{n}B")
}

fn ratio(a: u64, b: u64) -> String {
    format!("{:.2}", if b == 0 { 0.0 } else { a as f64 / b as f64 })
}

fn memory(l: &mut Lines<'_>) {
    let a = allocator();
    let used = a.allocated;
    PEAK.fetch_max(used, Ordering::Relaxed);
    let peak = PEAK.load(Ordering::Relaxed).max(used);
    let startup = STARTUP.load(Ordering::Relaxed).min(used);
    let rss = rss();
    let total = total_system_memory();
    // Without a breakdown of per-client buffers and dictionary overhead, the overhead is
    // what the server used before serving anything.
    let overhead = startup;
    let dataset = used - overhead;
    let net = used - startup;
    let version = tikv_jemalloc_ctl::version::read().unwrap_or("unknown");
    let version = version.split('-').next().unwrap_or(version);
    l.add("used_memory", used);
    l.add("used_memory_human", human(used));
    l.add("used_memory_rss", rss);
    l.add("used_memory_rss_human", human(rss));
    l.add("used_memory_peak", peak);
    l.add("used_memory_peak_human", human(peak));
    l.add(
        "used_memory_peak_perc",
        format!(
            "{:.2}%",
            if peak == 0 {
                0.0
            } else {
                used as f64 * 100.0 / peak as f64
            }
        ),
    );
    l.add("used_memory_overhead", overhead);
    l.add("used_memory_startup", startup);
    l.add("used_memory_dataset", dataset);
    l.add(
        "used_memory_dataset_perc",
        format!(
            "{:.2}%",
            if net == 0 {
                0.0
            } else {
                dataset as f64 * 100.0 / net as f64
            }
        ),
    );
    l.add("allocator_allocated", a.allocated);
    l.add("allocator_active", a.active);
    l.add("allocator_resident", a.resident);
    l.add("total_system_memory", total);
    l.add("total_system_memory_human", human(total));
    for (name, value) in [
        ("used_memory_lua", "0"),
        ("used_memory_vm_eval", "0"),
        ("used_memory_lua_human", "0B"),
        ("used_memory_scripts_eval", "0"),
        ("number_of_cached_scripts", "0"),
        ("number_of_functions", "0"),
        ("number_of_libraries", "0"),
        ("used_memory_vm_functions", "0"),
        ("used_memory_vm_total", "0"),
        ("used_memory_vm_total_human", "0B"),
        ("used_memory_functions", "0"),
        ("used_memory_scripts", "0"),
        ("used_memory_scripts_human", "0B"),
        ("maxmemory", "0"),
        ("maxmemory_human", "0B"),
        ("maxmemory_policy", "noeviction"),
    ] {
        l.add(name, value);
    }
    l.add("allocator_frag_ratio", ratio(a.active, a.allocated));
    l.add("allocator_frag_bytes", a.active.saturating_sub(a.allocated));
    l.add("allocator_rss_ratio", ratio(a.resident, a.active));
    l.add("allocator_rss_bytes", a.resident.saturating_sub(a.active));
    l.add("rss_overhead_ratio", ratio(rss, a.resident));
    l.add("rss_overhead_bytes", rss.saturating_sub(a.resident));
    l.add("mem_fragmentation_ratio", ratio(rss, used));
    l.add("mem_fragmentation_bytes", rss.saturating_sub(used));
    for name in [
        "mem_not_counted_for_evict",
        "mem_replication_backlog",
        "mem_total_replication_buffers",
        "mem_clients_slaves",
        "mem_clients_normal",
        "mem_cluster_links",
        "mem_aof_buffer",
    ] {
        l.add(name, 0);
    }
    l.add("mem_allocator", format!("jemalloc-{version}"));
    l.add("active_defrag_running", 0);
    l.add("lazyfree_pending_objects", 0);
    l.add("lazyfreed_objects", 0);
}

/// Redis 7.0's persistence fields: the snapshot figures are this node's (every snapshot is
/// a background save here, whoever triggered it); there is no fork, so no copy-on-write, and
/// no AOF (the Raft log makes writes durable).
fn persistence(l: &mut Lines<'_>, p: &PersistenceInfo) {
    for (name, value) in [
        ("loading", "0"),
        ("async_loading", "0"),
        ("current_cow_peak", "0"),
        ("current_cow_size", "0"),
        ("current_cow_size_age", "0"),
        ("current_fork_perc", "0.00"),
        ("current_save_keys_processed", "0"),
        ("current_save_keys_total", "0"),
    ] {
        l.add(name, value);
    }
    l.add("rdb_changes_since_last_save", p.changes_since_last_save);
    l.add("rdb_bgsave_in_progress", u8::from(p.bgsave_in_progress));
    l.add("rdb_last_save_time", p.last_save_time);
    l.add(
        "rdb_last_bgsave_status",
        if p.last_bgsave_ok { "ok" } else { "err" },
    );
    l.add("rdb_last_bgsave_time_sec", p.last_bgsave_time_sec);
    l.add("rdb_current_bgsave_time_sec", p.current_bgsave_time_sec);
    l.add("rdb_saves", p.saves);
    for (name, value) in [
        ("rdb_last_cow_size", "0"),
        ("rdb_last_load_keys_expired", "0"),
        ("rdb_last_load_keys_loaded", "0"),
        ("aof_enabled", "0"),
        ("aof_rewrite_in_progress", "0"),
        ("aof_rewrite_scheduled", "0"),
        ("aof_last_rewrite_time_sec", "-1"),
        ("aof_current_rewrite_time_sec", "-1"),
        ("aof_last_bgrewrite_status", "ok"),
        ("aof_rewrites", "0"),
        ("aof_rewrites_consecutive_failures", "0"),
        ("aof_last_write_status", "ok"),
        ("aof_last_cow_size", "0"),
        ("module_fork_in_progress", "0"),
        ("module_fork_last_cow_size", "0"),
    ] {
        l.add(name, value);
    }
}

fn stats_section(l: &mut Lines<'_>, s: &ServerStats) {
    l.add("total_connections_received", s.total_connections_received);
    l.add("total_commands_processed", s.total_commands_processed);
    l.add("instantaneous_ops_per_sec", s.instantaneous_ops_per_sec);
    l.add("total_net_input_bytes", s.total_net_input_bytes);
    l.add("total_net_output_bytes", s.total_net_output_bytes);
    l.add("total_net_repl_input_bytes", 0);
    l.add("total_net_repl_output_bytes", 0);
    l.add(
        "instantaneous_input_kbps",
        format!("{:.2}", s.instantaneous_input_kbps),
    );
    l.add(
        "instantaneous_output_kbps",
        format!("{:.2}", s.instantaneous_output_kbps),
    );
    l.add("instantaneous_input_repl_kbps", "0.00");
    l.add("instantaneous_output_repl_kbps", "0.00");
    l.add("rejected_connections", s.rejected_connections);
    l.add("sync_full", 0);
    l.add("sync_partial_ok", 0);
    l.add("sync_partial_err", 0);
    l.add("expired_keys", s.expired_keys);
    l.add("expired_stale_perc", "0.00");
    for name in [
        "expired_time_cap_reached_count",
        "expire_cycle_cpu_milliseconds",
        "evicted_keys",
        "evicted_clients",
        "total_eviction_exceeded_time",
        "current_eviction_exceeded_time",
    ] {
        l.add(name, 0);
    }
    l.add("keyspace_hits", s.keyspace_hits);
    l.add("keyspace_misses", s.keyspace_misses);
    l.add("pubsub_channels", s.pubsub[0]);
    l.add("pubsub_patterns", s.pubsub[1]);
    l.add("pubsubshard_channels", s.pubsub[2]);
    for name in [
        "latest_fork_usec",
        "total_forks",
        "migrate_cached_sockets",
        "slave_expires_tracked_keys",
        "active_defrag_hits",
        "active_defrag_misses",
        "active_defrag_key_hits",
        "active_defrag_key_misses",
        "total_active_defrag_time",
        "current_active_defrag_time",
        "tracking_total_keys",
        "tracking_total_items",
        "tracking_total_prefixes",
        "unexpected_error_replies",
    ] {
        l.add(name, 0);
    }
    l.add("total_error_replies", s.total_error_replies);
    for name in [
        "dump_payload_sanitizations",
        "total_reads_processed",
        "total_writes_processed",
        "io_threaded_reads_processed",
        "io_threaded_writes_processed",
        "reply_buffer_shrinks",
        "reply_buffer_expands",
    ] {
        l.add(name, 0);
    }
}

/// The replication ID of this server's history (random per process, as Redis's).
fn replid() -> &'static str {
    static REPLID: OnceLock<String> = OnceLock::new();
    REPLID.get_or_init(|| {
        use rand::Rng;
        let mut rng = rand::rng();
        (0..40)
            .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
            .collect()
    })
}

/// Redis's replication fields, from the Raft cluster: the leader is the master, the other
/// nodes its replicas, offsets are log indexes.
fn replication(l: &mut Lines<'_>, status: &ClusterStatus) {
    let leader = status.role == Role::Leader;
    if leader {
        l.add("role", "master");
        let followers: Vec<_> = status
            .members
            .iter()
            .filter(|m| m.id != status.node_id)
            .collect();
        l.add("connected_slaves", followers.len());
        for (i, m) in followers.iter().enumerate() {
            let (host, port) = split_addr(&m.client_addr);
            let online = m.heartbeat_age_ms.is_some_and(|age| age < 5000);
            l.add(
                &format!("slave{i}"),
                format!(
                    "ip={host},port={port},state={},offset={},lag={}",
                    if online { "online" } else { "wait_bgsave" },
                    m.matched.unwrap_or(0),
                    m.heartbeat_age_ms.map_or(-1, |a| (a / 1000) as i64),
                ),
            );
        }
    } else {
        l.add("role", "slave");
        let (host, port) = status
            .leader_client_addr
            .as_deref()
            .map_or((String::new(), 0), split_addr);
        l.add("master_host", host);
        l.add("master_port", port);
        let up = status.leader_id.is_some();
        l.add("master_link_status", if up { "up" } else { "down" });
        l.add(
            "master_last_io_seconds_ago",
            status.leader_age_ms.map_or(-1, |a| (a / 1000) as i64),
        );
        l.add("master_sync_in_progress", 0);
        l.add("slave_read_repl_offset", status.applied);
        l.add("slave_repl_offset", status.applied);
        l.add("slave_priority", 100);
        l.add("slave_read_only", 1);
        l.add("replica_announced", 1);
        l.add("connected_slaves", 0);
    }
    l.add("master_failover_state", "no-failover");
    l.add("master_replid", replid());
    l.add("master_replid2", "0".repeat(40));
    l.add("master_repl_offset", status.last_log_index);
    l.add("second_repl_offset", -1);
    l.add("repl_backlog_active", 0);
    l.add("repl_backlog_size", 1_048_576);
    l.add("repl_backlog_first_byte_offset", 0);
    l.add("repl_backlog_histlen", 0);
}

/// User and system CPU time of `who` (`RUSAGE_SELF`, `RUSAGE_CHILDREN`) as `sec.usec`.
fn rusage(who: libc::c_int) -> (String, String) {
    // SAFETY: `usage` is a properly sized, writable rusage; getrusage only writes to it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above; `who` is one of the RUSAGE_* constants.
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return ("0.000000".into(), "0.000000".into());
    }
    let t = |tv: libc::timeval| format!("{}.{:06}", tv.tv_sec, tv.tv_usec);
    (t(usage.ru_stime), t(usage.ru_utime))
}

fn cpu(l: &mut Lines<'_>) {
    let (sys, user) = rusage(libc::RUSAGE_SELF);
    let (sys_children, user_children) = rusage(libc::RUSAGE_CHILDREN);
    l.add("used_cpu_sys", &sys);
    l.add("used_cpu_user", &user);
    l.add("used_cpu_sys_children", sys_children);
    l.add("used_cpu_user_children", user_children);
    l.add("used_cpu_sys_main_thread", sys);
    l.add("used_cpu_user_main_thread", user);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::session::testing::TestSession;
    use crate::resp::Protocol;

    fn text(s: &mut TestSession, args: &[&str]) -> String {
        let Reply::Verbatim("txt", text) = s.run(args) else {
            panic!("{args:?}")
        };
        String::from_utf8(text.to_vec()).unwrap()
    }

    fn headers(info: &str) -> Vec<&str> {
        info.split("\r\n")
            .filter_map(|l| l.strip_prefix("# "))
            .collect()
    }

    #[test]
    fn section_selection() {
        let mut s = TestSession::new();
        let default = [
            "Server",
            "Clients",
            "Memory",
            "Persistence",
            "Stats",
            "Replication",
            "CPU",
            "Modules",
            "Errorstats",
            "Cluster",
            "Keyspace",
        ];
        assert_eq!(headers(&text(&mut s, &["INFO"])), default);
        assert_eq!(headers(&text(&mut s, &["INFO", "default"])), default);
        let all = [
            "Server",
            "Clients",
            "Memory",
            "Persistence",
            "Stats",
            "Replication",
            "CPU",
            "Modules",
            "Commandstats",
            "Errorstats",
            "Latencystats",
            "Cluster",
            "Raft",
            "Keyspace",
        ];
        assert_eq!(headers(&text(&mut s, &["INFO", "all"])), all);
        assert_eq!(headers(&text(&mut s, &["INFO", "EVERYTHING"])), all);
        assert_eq!(
            headers(&text(&mut s, &["INFO", "cpu", "Server", "cpu"])),
            ["Server", "CPU"]
        );
        assert_eq!(text(&mut s, &["INFO", "nosuch"]), "");
        assert_eq!(text(&mut s, &["INFO", "modules"]), "# Modules\r\n");
        assert_eq!(
            text(&mut s, &["INFO", "cluster", "modules"]),
            "# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n"
        );
    }

    /// Every section has Redis 7.0's fields in Redis 7.0's order
    /// (../shared/reference/info-fields-7.0.json), `redraft_version` added at the end of
    /// `# Server`.
    #[test]
    fn fields_match_redis() {
        let reference: serde_json::Value =
            serde_json::from_str(include_str!("info-fields-7.0.json")).unwrap();
        let mut s = TestSession::new();
        let info = text(&mut s, &["INFO", "everything"]);
        for section in info.split("\r\n\r\n") {
            let mut lines = section.split("\r\n").filter(|l| !l.is_empty());
            let header = lines.next().unwrap().strip_prefix("# ").unwrap();
            let mut fields: Vec<&str> = lines
                .map(|l| l.split_once(':').unwrap().0)
                .filter(|f| *f != "redraft_version")
                .collect();
            let want: Vec<&str> = reference["sections"][header]
                .as_array()
                .map_or(&[][..], |a| &a[..])
                .iter()
                .map(|v| v.as_str().unwrap())
                .filter(|f| !f.contains('<'))
                .collect();
            match header {
                "Commandstats" => assert_eq!(fields, ["cmdstat_get"]),
                "Errorstats" => assert_eq!(fields, ["errorstat_ERR"]),
                "Keyspace" => assert!(fields.is_empty()),
                // redraft's own section.
                "Raft" => assert!(fields.iter().all(|f| f.starts_with("raft_")), "{fields:?}"),
                _ => {
                    fields.retain(|f| {
                        !f.strip_prefix("slave")
                            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
                    });
                    assert_eq!(fields, want, "{header}");
                }
            }
        }
        assert!(info.contains("\r\nredis_version:7.0.15\r\n"));
        let lines: Vec<&str> = info.split("\r\n").collect();
        let io = lines
            .iter()
            .position(|l| l.starts_with("io_threads_active:"))
            .unwrap();
        assert_eq!(
            lines[io + 1],
            format!("redraft_version:{}", env!("CARGO_PKG_VERSION"))
        );
        assert!(info.contains("\r\nloading:0\r\n"));
        assert!(info.contains(
            "\r\ncmdstat_get:calls=4,usec=10,usec_per_call=2.50,rejected_calls=1,\
             failed_calls=0\r\n"
        ));
        assert!(info.contains("\r\nerrorstat_ERR:count=2\r\n"));
        assert!(info.ends_with("# Keyspace\r\n"));
    }

    #[test]
    fn keyspace_counts_keys_and_expires() {
        use crate::machine::LogEntry;
        let mut s = TestSession::new();
        let entry = |db: u32, cmds: &[&[&str]]| {
            LogEntry::commands(
                1_000,
                db,
                cmds.iter()
                    .map(|c| {
                        c.iter()
                            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
                            .collect()
                    })
                    .collect(),
            )
        };
        {
            let mut m = s.machine.lock();
            m.apply(
                1,
                &entry(
                    0,
                    &[
                        &["set", "a", "1"],
                        &["set", "b", "2", "pxat", "99999999999999"],
                    ],
                ),
            );
            m.apply(2, &entry(3, &[&["set", "c", "1"]]));
        }
        assert_eq!(
            text(&mut s, &["INFO", "keyspace"]),
            "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n"
        );
    }

    #[test]
    fn verbatim_in_resp3_bulk_in_resp2() {
        let mut s = TestSession::new();
        assert_eq!(
            s.wire(&["INFO", "cluster"]),
            "$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n"
        );
        s.client.protocol = Protocol::Resp3;
        assert_eq!(
            s.wire(&["INFO", "cluster"]),
            "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n"
        );
    }

    #[test]
    fn memory_and_cpu_figures() {
        let mut s = TestSession::new();
        let info = text(&mut s, &["INFO", "memory", "cpu"]);
        let field = |name: &str| {
            info.split("\r\n")
                .find_map(|l| l.strip_prefix(&format!("{name}:")))
                .unwrap()
                .to_string()
        };
        assert!(field("used_memory_rss").parse::<u64>().unwrap() > 0);
        assert!(field("mem_allocator").starts_with("jemalloc-"));
        assert!(field("used_cpu_user").contains('.'));
        assert_eq!(field("maxmemory_policy"), "noeviction");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(0), "0B");
        assert_eq!(human(1023), "1023B");
        assert_eq!(human(1024), "1.00K");
        assert_eq!(human(1_220_688), "1.16M");
        assert_eq!(human(25_276_514_304), "23.54G");
        assert_eq!(human(3 << 40), "3.00T");
    }
}
