//! Persistence end to end: SAVE/BGSAVE/LASTSAVE, dumps that stock Redis loads, Redis dumps
//! restored into a cluster (RAFT.RESTORE, `--restore`), DUMP/RESTORE between the two, and a
//! dump.rdb that stays readable through kill -9 during BGSAVE.
//!
//! A real `redis-server` 7 (and `redis-check-rdb`) from PATH plays stock Redis.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redis::Value;
use redraft_tests::cluster::Cluster;
use redraft_tests::{Server, free_port, redraft_bin};

/// A stock redis-server on a free port, killed when dropped.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    /// Starts redis-server in `dir`, loading `dir/dump.rdb` when it is there.
    fn start(dir: &Path) -> Redis {
        std::fs::create_dir_all(dir).expect("redis dir");
        let port = free_port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--dbfilename",
                "dump.rdb",
            ])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed");
        let redis = Redis { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut c) = redis.try_conn()
                && redis::cmd("PING").query::<String>(&mut c).is_ok()
            {
                return redis;
            }
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn try_conn(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(format!("redis://127.0.0.1:{}/", self.port))?.get_connection()
    }

    fn conn(&self) -> redis::Connection {
        self.try_conn().expect("connect to redis-server")
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redraft-t70-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes every type, binary data, big and small encodings, and TTLs in two databases.
fn fill(conn: &mut redis::Connection, n: usize) {
    let mut pipe = redis::pipe();
    for i in 0..n {
        pipe.cmd("SET")
            .arg(format!("s{i}"))
            .arg(format!("v{i}"))
            .ignore();
        pipe.cmd("SET")
            .arg(format!("int{i}"))
            .arg(i * 1000)
            .ignore();
    }
    pipe.cmd("SET")
        .arg(b"bin\x00key")
        .arg(b"\x00\xff\r\n")
        .ignore();
    pipe.cmd("SET").arg("long").arg("x".repeat(5000)).ignore();
    pipe.cmd("SET")
        .arg("ttl")
        .arg("t")
        .arg("PX")
        .arg(900_000)
        .ignore();
    pipe.cmd("RPUSH")
        .arg("list")
        .arg(&["a", "1", "b", "-7"])
        .ignore();
    pipe.cmd("SADD").arg("intset").arg(&[1, 2, 3, -9]).ignore();
    pipe.cmd("SADD").arg("set").arg(&["x", "y", "z"]).ignore();
    pipe.cmd("HSET")
        .arg("hash")
        .arg(&["f", "v", "g", "12"])
        .ignore();
    pipe.cmd("ZADD")
        .arg("zset")
        .arg(&["1.5", "a", "-inf", "b", "3", "c"])
        .ignore();
    pipe.cmd("EXPIRE").arg("hash").arg(5000).ignore();
    for i in 0..300 {
        pipe.cmd("RPUSH")
            .arg("biglist")
            .arg(format!("e{i}"))
            .ignore();
        pipe.cmd("SADD").arg("bigset").arg(format!("m{i}")).ignore();
        pipe.cmd("HSET")
            .arg("bighash")
            .arg(format!("f{i}"))
            .arg(i)
            .ignore();
        pipe.cmd("ZADD")
            .arg("bigzset")
            .arg(i as f64 / 3.0)
            .arg(format!("m{i}"))
            .ignore();
    }
    pipe.cmd("SELECT").arg(3).ignore();
    pipe.cmd("SET").arg("other").arg("db3").ignore();
    pipe.cmd("PEXPIRE").arg("other").arg(700_000).ignore();
    pipe.cmd("SELECT").arg(0).ignore();
    pipe.query::<()>(conn).expect("fill");
}

/// Every key of every database with its type, content and absolute expiry: a comparable
/// picture of a server's data.
fn contents(conn: &mut redis::Connection) -> BTreeMap<(u8, Vec<u8>), (String, Value, i64)> {
    let mut all = BTreeMap::new();
    for db in 0..16u8 {
        redis::cmd("SELECT")
            .arg(db)
            .query::<()>(conn)
            .expect("SELECT");
        let keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(conn).expect("KEYS");
        for key in keys {
            let (kind, value, at) = value_of(conn, &key);
            all.insert((db, key), (kind, value, at));
        }
    }
    redis::cmd("SELECT")
        .arg(0)
        .query::<()>(conn)
        .expect("SELECT");
    all
}

/// A key's type, content (set members and hash fields sorted) and absolute expiry.
fn value_of(conn: &mut redis::Connection, key: &[u8]) -> (String, Value, i64) {
    let kind: String = redis::cmd("TYPE").arg(key).query(conn).expect("TYPE");
    let mut value: Value = match kind.as_str() {
        "string" => redis::cmd("GET").arg(key).query(conn),
        "list" => redis::cmd("LRANGE").arg(key).arg(0).arg(-1).query(conn),
        "set" => redis::cmd("SMEMBERS").arg(key).query(conn),
        "hash" => redis::cmd("HGETALL").arg(key).query(conn),
        "zset" => redis::cmd("ZRANGE")
            .arg(key)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES")
            .query(conn),
        other => panic!("unexpected type {other}"),
    }
    .expect("read value");
    if kind == "set" || kind == "hash" {
        value = sorted(value, if kind == "hash" { 2 } else { 1 });
    }
    let at: i64 = redis::cmd("PEXPIRETIME")
        .arg(key)
        .query(conn)
        .expect("PEXPIRETIME");
    (kind, value, at)
}

/// A flat array sorted by groups of `n` (set members, hash field-value pairs).
fn sorted(value: Value, n: usize) -> Value {
    match value {
        Value::Array(items) => {
            let mut groups: Vec<Vec<Value>> = items.chunks(n).map(<[Value]>::to_vec).collect();
            groups.sort_by_key(|g| format!("{g:?}"));
            Value::Array(groups.into_iter().flatten().collect())
        }
        other => other,
    }
}

fn check_rdb(path: &Path) {
    let out = Command::new("redis-check-rdb")
        .arg(path)
        .output()
        .expect("redis-check-rdb");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("RDB looks OK"),
        "redis-check-rdb refused {}: {text}",
        path.display()
    );
}

#[test]
fn save_writes_a_dump_that_redis_loads_identically() {
    let server = Server::start_with(&[], None);
    let mut conn = server.conn();
    fill(&mut conn, 50);
    let expected = contents(&mut conn);
    let before: i64 = redis::cmd("LASTSAVE").query(&mut conn).expect("LASTSAVE");
    std::thread::sleep(Duration::from_millis(1100));
    let _: () = redis::cmd("SAVE").query(&mut conn).expect("SAVE");
    let after: i64 = redis::cmd("LASTSAVE").query(&mut conn).expect("LASTSAVE");
    assert!(after > before, "LASTSAVE moves on after SAVE");
    let dump = server.dir.join("dump.rdb");
    check_rdb(&dump);
    let dir = temp("redis-load");
    std::fs::copy(&dump, dir.join("dump.rdb")).expect("copy dump");
    let redis = Redis::start(&dir);
    assert_eq!(contents(&mut redis.conn()), expected);
}

#[test]
fn a_redis_dump_restores_into_every_node_of_a_cluster() {
    let dir = temp("redis-dump");
    let redis = Redis::start(&dir);
    let mut rc = redis.conn();
    fill(&mut rc, 50);
    let _: () = redis::cmd("SAVE").query(&mut rc).expect("SAVE on redis");
    let expected = contents(&mut rc);
    let file = dir.join("dump.rdb");
    let cluster = Cluster::start(3);
    let leader = cluster.wait_leader(Duration::from_secs(20));
    // Data there before is replaced.
    let mut any = cluster.node(1).conn();
    let _: () = redis::cmd("SET")
        .arg("stale")
        .arg("x")
        .query(&mut any)
        .expect("SET");
    // Sent to a follower: it reads the file on its own filesystem.
    let follower = cluster
        .nodes
        .iter()
        .find(|n| n.id != leader)
        .expect("a follower");
    let mut conn = follower.conn();
    let _: () = redis::cmd("RAFT.RESTORE")
        .arg(file.to_str().expect("path"))
        .query(&mut conn)
        .expect("RAFT.RESTORE");
    cluster.wait_converged(Duration::from_secs(30));
    for node in &cluster.nodes {
        let mut conn = node.conn();
        let _: () = redis::cmd("READONLY").query(&mut conn).expect("READONLY");
        assert_eq!(contents(&mut conn), expected, "node {}", node.id);
    }
    // A damaged file changes nothing.
    let mut data = std::fs::read(&file).expect("read dump");
    let n = data.len();
    data[n / 2] ^= 0x55;
    let bad = dir.join("bad.rdb");
    std::fs::write(&bad, &data).expect("write bad");
    let err = redis::cmd("RAFT.RESTORE")
        .arg(bad.to_str().expect("path"))
        .query::<()>(&mut conn)
        .expect_err("a damaged file is refused");
    let text = err.to_string();
    assert!(
        text.contains("bad.rdb") && text.contains("offset"),
        "{text}"
    );
    assert!(text.contains("nothing was changed"), "{text}");
    assert_eq!(contents(&mut conn), expected);
}

#[test]
fn save_on_a_follower_covers_writes_acknowledged_through_the_leader() {
    let cluster = Cluster::start(3);
    let leader = cluster.wait_leader(Duration::from_secs(20));
    let follower = cluster
        .nodes
        .iter()
        .find(|n| n.id != leader)
        .expect("a follower");
    let mut lc = cluster.node(leader).conn();
    let mut fc = follower.conn();
    for round in 0..5 {
        let value = format!("v{round}");
        let _: () = redis::cmd("SET")
            .arg("k")
            .arg(&value)
            .query(&mut lc)
            .expect("SET");
        let _: () = redis::cmd("SAVE")
            .query(&mut fc)
            .expect("SAVE on the follower");
        let dir = temp(&format!("follower-{round}"));
        std::fs::copy(follower.dir.join("dump.rdb"), dir.join("dump.rdb")).expect("copy");
        let redis = Redis::start(&dir);
        let got: Option<String> = redis::cmd("GET")
            .arg("k")
            .query(&mut redis.conn())
            .expect("GET");
        assert_eq!(got, Some(value), "round {round}");
    }
}

#[test]
fn bgsave_then_lastsave_and_info() {
    let server = Server::start_with(&["--save", ""], None);
    let mut conn = server.conn();
    fill(&mut conn, 10);
    let info: String = redis::cmd("INFO")
        .arg("persistence")
        .query(&mut conn)
        .expect("INFO");
    assert!(info.contains("rdb_bgsave_in_progress:0"), "{info}");
    assert!(!info.contains("rdb_changes_since_last_save:0\r"), "{info}");
    assert!(info.contains("aof_enabled:0"), "{info}");
    let before: i64 = redis::cmd("LASTSAVE").query(&mut conn).expect("LASTSAVE");
    std::thread::sleep(Duration::from_millis(1100));
    let started: String = redis::cmd("BGSAVE").query(&mut conn).expect("BGSAVE");
    assert_eq!(started, "Background saving started");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now: i64 = redis::cmd("LASTSAVE").query(&mut conn).expect("LASTSAVE");
        if now > before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "LASTSAVE never moved after BGSAVE"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let info: String = redis::cmd("INFO")
        .arg("persistence")
        .query(&mut conn)
        .expect("INFO");
    assert!(info.contains("rdb_last_bgsave_status:ok"), "{info}");
    assert!(info.contains("rdb_changes_since_last_save:0\r"), "{info}");
    let err = redis::cmd("BGSAVE")
        .arg("x")
        .query::<String>(&mut conn)
        .expect_err("syntax");
    assert!(err.to_string().contains("syntax error"), "{err}");
    check_rdb(&server.dir.join("dump.rdb"));
}

#[test]
fn dump_and_restore_move_every_type_between_redis_and_redraft() {
    let dir = temp("dump-restore");
    let redis = Redis::start(&dir);
    let mut rc = redis.conn();
    fill(&mut rc, 3);
    let server = Server::start_with(&[], None);
    let mut dc = server.conn();
    let mut expected = contents(&mut rc);
    expected.retain(|(db, _), _| *db == 0);
    let keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(&mut rc).expect("KEYS");
    assert!(keys.len() > 10);
    for key in &keys {
        let payload: Vec<u8> = redis::cmd("DUMP").arg(key).query(&mut rc).expect("DUMP");
        let ttl: i64 = redis::cmd("PEXPIRETIME")
            .arg(key)
            .query(&mut rc)
            .expect("PEXPIRETIME");
        let mut restore = redis::cmd("RESTORE");
        restore.arg(key).arg(ttl.max(0)).arg(&payload).arg("ABSTTL");
        let _: () = restore.query(&mut dc).expect("RESTORE into redraft");
        let busy = restore.query::<()>(&mut dc).expect_err("BUSYKEY");
        assert!(
            busy.to_string().contains("Target key name already exists"),
            "{busy}"
        );
        // And back into Redis, under a new name.
        let back: Vec<u8> = redis::cmd("DUMP").arg(key).query(&mut dc).expect("DUMP");
        let mut copy = b"copy:".to_vec();
        copy.extend_from_slice(key);
        let _: () = redis::cmd("RESTORE")
            .arg(&copy)
            .arg(0)
            .arg(&back)
            .query(&mut rc)
            .expect("RESTORE into redis");
        let (kind, value, _) = value_of(&mut rc, key);
        let (copy_kind, copy_value, _) = value_of(&mut rc, &copy);
        assert_eq!(
            (kind, value),
            (copy_kind, copy_value),
            "key {}",
            String::from_utf8_lossy(key)
        );
    }
    assert_eq!(contents(&mut dc), expected);
    let err = redis::cmd("RESTORE")
        .arg("new")
        .arg(0)
        .arg(b"garbage-payload".as_slice())
        .query::<()>(&mut dc)
        .expect_err("bad payload");
    assert!(
        err.to_string()
            .contains("DUMP payload version or checksum are wrong"),
        "{err}"
    );
}

#[test]
fn a_dump_without_its_log_refuses_to_start_and_restore_flag_loads_it() {
    let dir = temp("offline");
    let redis = Redis::start(&dir);
    let mut rc = redis.conn();
    fill(&mut rc, 20);
    let _: () = redis::cmd("SAVE").query(&mut rc).expect("SAVE");
    let expected = contents(&mut rc);
    drop(redis);
    let data = temp("offline-node");
    std::fs::copy(dir.join("dump.rdb"), data.join("dump.rdb")).expect("copy");
    let port = free_port().to_string();
    let out = Command::new(redraft_bin())
        .args(["--port", &port, "--dir"])
        .arg(&data)
        .output()
        .expect("run redraft");
    assert!(
        !out.status.success(),
        "a dump.rdb without a raft log stops startup"
    );
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("--restore") && text.contains("RAFT.RESTORE"),
        "{text}"
    );
    // The command it names works.
    let mut child = Command::new(redraft_bin())
        .args(["--port", &port, "--dir"])
        .arg(&data)
        .arg("--restore")
        .arg(data.join("dump.rdb"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start with --restore");
    let url = format!("redis://127.0.0.1:{port}/");
    let deadline = Instant::now() + Duration::from_secs(30);
    let got = loop {
        let attempt = redis::Client::open(url.as_str())
            .and_then(|c| c.get_connection())
            .map(|mut c| (contents(&mut c), c));
        if let Ok((got, _)) = attempt
            && (got == expected || Instant::now() > deadline)
        {
            break got;
        }
        assert!(
            Instant::now() < deadline,
            "the node never served the restored data"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(got, expected);
}

#[test]
fn kill_9_during_bgsave_never_leaves_an_unreadable_dump() {
    let dir = temp("crash");
    let port = free_port().to_string();
    let start = || {
        Command::new(redraft_bin())
            .args(["--port", &port, "--save", "", "--dir"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redraft")
    };
    let url = format!("redis://127.0.0.1:{port}/");
    let connect = || {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut c) = redis::Client::open(url.as_str()).and_then(|c| c.get_connection())
                && redis::cmd("SET")
                    .arg("probe")
                    .arg(1)
                    .query::<()>(&mut c)
                    .is_ok()
            {
                return c;
            }
            assert!(Instant::now() < deadline, "redraft did not come back");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let mut child = start();
    let mut conn = connect();
    // A dataset big enough that writing it takes a while.
    for chunk in 0..20 {
        let mut pipe = redis::pipe();
        for i in 0..10_000 {
            pipe.cmd("SET")
                .arg(format!("key:{chunk}:{i}"))
                .arg(format!("{:0>100}", i))
                .ignore();
        }
        pipe.query::<()>(&mut conn).expect("load");
    }
    let _: () = redis::cmd("SAVE").query(&mut conn).expect("first SAVE");
    for round in 0..20u64 {
        let _: String = redis::cmd("BGSAVE").query(&mut conn).unwrap_or_default();
        // A different moment each round, from right away to past the end of the save.
        std::thread::sleep(Duration::from_millis(round * 37 % 400));
        let _ = child.kill();
        let _ = child.wait();
        check_rdb(&dir.join("dump.rdb"));
        child = start();
        conn = connect();
        let n: i64 = redis::cmd("DBSIZE").query(&mut conn).expect("DBSIZE");
        assert!(n >= 200_000, "round {round}: {n} keys after restart");
        // A kill during a save leaves its temporary file; the restart removes it, and only a
        // save of the new process (if one is running) may have one now.
        let ours = format!("dump.tmp-{}", child.id());
        let leftovers: Vec<String> = std::fs::read_dir(&dir)
            .expect("read_dir")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| name.starts_with("dump.tmp-") && *name != ours)
            .collect();
        assert!(
            leftovers.is_empty(),
            "round {round}: {leftovers:?} left behind"
        );
    }
    // Whether or not a kill above landed inside the write of the temporary file, one left by
    // a process that died is gone once the node has started again.
    let _ = child.kill();
    let _ = child.wait();
    let stale = dir.join("dump.tmp-999999");
    std::fs::write(&stale, b"half a dump").expect("write a stale temporary file");
    child = start();
    let _ = connect();
    assert!(!stale.exists(), "{} survived a restart", stale.display());
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn nodes_behind_the_purged_log_catch_up_from_the_snapshot() {
    let mut cluster = Cluster::start(3);
    let leader = cluster.wait_leader(Duration::from_secs(10));
    let mut followers = (1..=3).filter(|&id| id != leader);
    let (behind, wiped) = (
        followers.next().expect("a follower"),
        followers.next().expect("another follower"),
    );
    let mut conn = cluster.node(leader).conn();
    let mut acked = BTreeMap::new();
    let write = |conn: &mut redis::Connection, acked: &mut BTreeMap<String, String>, i: usize| {
        let (k, v) = (format!("p{i}"), format!("value-{i}"));
        let _: () = redis::cmd("SET").arg(&k).arg(&v).query(conn).expect("SET");
        acked.insert(k, v);
    };
    for i in 0..50 {
        write(&mut conn, &mut acked, i);
    }
    cluster.wait_converged(Duration::from_secs(30));
    let behind_last = cluster
        .raft_field(behind, "raft_last_log_index")
        .expect("last index");
    cluster.node_mut(behind).kill();

    // One log entry per SET: far more entries than a snapshot keeps behind it. The leader
    // snapshots and purges its log past everything the stopped node has.
    for i in 50..600 {
        write(&mut conn, &mut acked, i);
    }
    let _: () = redis::cmd("RAFT.SNAPSHOT")
        .query(&mut conn)
        .expect("RAFT.SNAPSHOT");
    let deadline = Instant::now() + Duration::from_secs(10);
    while cluster
        .raft_field(leader, "raft_purged_index")
        .is_none_or(|p| p <= behind_last)
    {
        assert!(
            Instant::now() < deadline,
            "the leader did not purge its log past index {behind_last}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let purged = cluster
        .raft_field(leader, "raft_purged_index")
        .expect("purged");

    // The stopped node's next entry is gone from the leader's log: only the snapshot brings it
    // up to date.
    cluster.start_node(behind);
    for i in 600..650 {
        write(&mut conn, &mut acked, i);
    }
    // Every node holds every write, and `id` holds a snapshot past the purge point: the one it
    // installed, which is also its dump.rdb.
    let caught_up_from_snapshot = |cluster: &Cluster, acked: &BTreeMap<String, String>, id| {
        cluster.assert_everywhere(acked);
        let installed = cluster.raft_field(id, "raft_snapshot_index").unwrap_or(0);
        assert!(
            installed >= purged,
            "node {id} caught up through a snapshot covering index {purged}, not {installed}"
        );
        check_rdb(&cluster.node(id).dir.join("dump.rdb"));
    };
    caught_up_from_snapshot(&cluster, &acked, behind);

    // A node wiped and added back through a membership change gets the snapshot too.
    cluster.node_mut(wiped).kill();
    cluster.wipe(wiped);
    cluster.start_node(wiped);
    cluster.readd(&mut conn, wiped);
    for i in 650..700 {
        write(&mut conn, &mut acked, i);
    }
    caught_up_from_snapshot(&cluster, &acked, wiped);
}

/// What `strace -f` saw one process do to make its raft log durable.
#[derive(Default)]
struct SyncTrace {
    fdatasyncs: usize,
    sync_file_ranges: usize,
    /// Blob files sled created (pages too large for its log).
    blobs_created: Vec<String>,
    /// Blob files opened and then fsynced by the same thread.
    blobs_synced: Vec<String>,
}

impl SyncTrace {
    fn parse(text: &str) -> SyncTrace {
        let mut trace = SyncTrace::default();
        // (thread, fd) -> blob path, for the latest read-only open of a blob.
        let mut open: BTreeMap<(String, String), String> = BTreeMap::new();
        for line in text.lines() {
            let Some((tid, call)) = line.split_once(' ') else {
                continue;
            };
            let call = call.trim_start();
            if call.starts_with("fdatasync(") {
                trace.fdatasyncs += 1;
            } else if call.starts_with("sync_file_range(") {
                trace.sync_file_ranges += 1;
            } else if call.starts_with("openat(") && call.contains("/blobs/") {
                let path = call.split('"').nth(1).unwrap_or_default().to_string();
                let fd = call
                    .rsplit("= ")
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                if call.contains("O_CREAT") {
                    trace.blobs_created.push(path);
                } else {
                    open.insert((tid.to_string(), fd), path);
                }
            } else if let Some(rest) = call.strip_prefix("fsync(") {
                let fd = rest.split(')').next().unwrap_or_default().to_string();
                if let Some(path) = open.remove(&(tid.to_string(), fd)) {
                    trace.blobs_synced.push(path);
                }
            }
        }
        trace
    }
}

#[test]
fn a_server_started_under_strace_stops_when_dropped() {
    // Killing strace detaches it from redraft, which would keep running after the test.
    let wrapper = ["strace", "-f", "-qq", "-o", "/dev/null"].map(OsStr::new);
    let server = Server::start_wrapped(&wrapper, &["--save", ""]);
    let info: String = redis::cmd("INFO")
        .arg("server")
        .query(&mut server.conn())
        .expect("INFO");
    let pid = info
        .lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .expect("process_id in INFO server")
        .trim()
        .to_string();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    drop(server);
    let deadline = Instant::now() + Duration::from_secs(10);
    // The pid is reaped by strace, its parent, so /proc/PID goes away once it exited.
    while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "redraft (pid {pid}) still runs after its wrapped Server was dropped"
    );
}

#[test]
fn acknowledged_writes_are_fdatasynced_and_so_are_their_large_pages() {
    // sled 0.34.7 as published synced its log with sync_file_range (no disk cache flush, no
    // new file length) and never synced the files it writes pages over 128 KB to; the
    // vendored copy fdatasyncs, and fsyncs those files first (vendor/sled/REDRAFT.md).
    let dir = temp("fdatasync");
    let trace_path = dir.join("strace.txt");
    let mut wrapper = [
        "strace",
        "-f",
        "-qq",
        "-e",
        "trace=openat,fsync,fdatasync,sync_file_range",
        "-o",
    ]
    .map(OsStr::new)
    .to_vec();
    wrapper.push(trace_path.as_os_str());
    // strace must be installed (apt-get install strace; .ci/run installs it).
    let mut server = Server::start_wrapped(&wrapper, &["--save", ""]);
    let mut conn = server.conn();
    // Entries of 300 KB: sled writes each, and the pages that gather them, to blob files.
    for i in 0..12 {
        let value = vec![b'a' + i as u8; 300 << 10];
        let _: () = redis::cmd("SET")
            .arg(format!("big:{i}"))
            .arg(value)
            .query(&mut conn)
            .expect("SET");
    }
    let _: redis::RedisResult<()> = redis::cmd("SHUTDOWN").arg("NOSAVE").query(&mut conn);
    assert!(
        server.wait_exit(Duration::from_secs(30)).is_some(),
        "redraft under strace did not exit after SHUTDOWN"
    );
    let trace = SyncTrace::parse(&std::fs::read_to_string(&trace_path).expect("strace output"));
    assert_eq!(trace.sync_file_ranges, 0, "sync_file_range is not durable");
    assert!(
        trace.fdatasyncs >= 12,
        "{} fdatasyncs for 12 writes",
        trace.fdatasyncs
    );
    assert!(
        !trace.blobs_created.is_empty(),
        "no blob file was written: the test lost its point"
    );
    for blob in &trace.blobs_created {
        // A blob written after the last acknowledged write may be pending still; any blob
        // removed before its sync was superseded. Every other one must have been fsynced.
        let still_there = Path::new(blob).exists();
        assert!(
            trace.blobs_synced.contains(blob) || !still_there,
            "blob {blob} was never fsynced; synced: {:?}",
            trace.blobs_synced
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
