//! Lua scripting end to end: replies byte for byte as redis-server 7.0.15 gives them, the
//! script cache across the cluster, rollback, and determinism on every replica.

use std::time::Duration;

use redraft_tests::cluster::Cluster;
use redraft_tests::{Server, resp};

fn sha(body: &str) -> String {
    sha1_smol::Sha1::from(body).digest().to_string()
}

/// The reply Redis gives when `body` raises `text` at line 1.
fn raised(text: &str, body: &str) -> String {
    format!("-{text} script: {}, on @user_script:1.\r\n", sha(body))
}

#[test]
fn replies_match_redis() {
    let server = Server::start();
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"SET", b"s", b"a"]), "+OK\r\n");
    let cases: &[(&[&[u8]], String)] = &[
        (
            &[b"EVAL", b"return {1,{2,{3,'x'}},redis.call('set','k','v')}", b"0"],
            "*3\r\n:1\r\n*2\r\n:2\r\n*2\r\n:3\r\n$1\r\nx\r\n+OK\r\n".into(),
        ),
        (&[b"EVAL", b"return {1,2,3,'x',nil,4}", b"0"], "*4\r\n:1\r\n:2\r\n:3\r\n$1\r\nx\r\n".into()),
        (&[b"EVAL", b"return 3.99", b"0"], ":3\r\n".into()),
        (&[b"EVAL", b"return -3.99", b"0"], ":-3\r\n".into()),
        (&[b"EVAL", b"return true", b"0"], ":1\r\n".into()),
        (&[b"EVAL", b"return false", b"0"], "$-1\r\n".into()),
        (&[b"EVAL", b"return {1,false,3}", b"0"], "*3\r\n:1\r\n$-1\r\n:3\r\n".into()),
        (&[b"EVAL", b"return {err='boom'}", b"0"], "-boom\r\n".into()),
        (&[b"EVAL", b"return {ok='fine'}", b"0"], "+fine\r\n".into()),
        (&[b"EVAL", b"return redis.error_reply('My Error')", b"0"], "-My Error\r\n".into()),
        (&[b"EVAL", b"return redis.status_reply('FINE')", b"0"], "+FINE\r\n".into()),
        (&[b"EVAL", b"return {double=3.5}", b"0"], "$3\r\n3.5\r\n".into()),
        (
            &[b"EVAL", b"return {KEYS[1],ARGV[1],#KEYS,#ARGV}", b"1", b"k1", b"a1", b"a2"],
            "*4\r\n$2\r\nk1\r\n$2\r\na1\r\n:1\r\n:2\r\n".into(),
        ),
        (&[b"EVAL", b"return redis.call('get','nokey')", b"0"], "$-1\r\n".into()),
        (&[b"EVAL", b"return redis.call('set','a','b')['ok']", b"0"], "$2\r\nOK\r\n".into()),
        (
            &[b"EVAL", b"return redis.pcall('incr','s')", b"0"],
            "-ERR value is not an integer or out of range\r\n".into(),
        ),
        (
            &[b"EVAL", b"return redis.call('incr','s')", b"0"],
            raised("ERR value is not an integer or out of range", "return redis.call('incr','s')"),
        ),
        (
            &[b"EVAL", b"return nil + 1", b"0"],
            raised("ERR user_script:1: attempt to perform arithmetic on a nil value", "return nil + 1"),
        ),
        (
            &[b"EVAL", b"x = 1", b"0"],
            raised("ERR user_script:1: Attempt to modify a readonly table", "x = 1"),
        ),
        (
            &[b"EVAL", b"return y", b"0"],
            raised("ERR user_script:1: Script attempted to access nonexistent global variable 'y'", "return y"),
        ),
        (
            &[b"EVAL", b"return redis.call('nosuch')", b"0"],
            raised("ERR Unknown Redis command called from script", "return redis.call('nosuch')"),
        ),
        (
            &[b"EVAL", b"return redis.call('eval','return 1','0')", b"0"],
            raised("ERR This Redis command is not allowed from script", "return redis.call('eval','return 1','0')"),
        ),
        (
            &[b"EVAL", b"return redis.call('get')", b"0"],
            raised("ERR Wrong number of args calling Redis command from script", "return redis.call('get')"),
        ),
        (&[b"EVAL", b"return redis.sha1hex('')", b"0"], "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n".into()),
        (&[b"EVAL", b"return cjson.encode({1,2,{a=1}})", b"0"], "$13\r\n[1,2,{\"a\":1}]\r\n".into()),
        (&[b"EVAL", b"return 1", b"-1"], "-ERR Number of keys can't be negative\r\n".into()),
        (&[b"EVAL", b"return 1", b"x"], "-ERR value is not an integer or out of range\r\n".into()),
        (&[b"EVAL", b"return 1", b"5", b"a"], "-ERR Number of keys can't be greater than number of args\r\n".into()),
        (
            &[b"EVAL", b"return (", b"0"],
            "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n".into(),
        ),
        (&[b"EVALSHA", b"ffffffffffffffffffffffffffffffffffffffff", b"0"], "-NOSCRIPT No matching script. Please use EVAL.\r\n".into()),
        (&[b"SCRIPT", b"LOAD", b"return 1"], "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n".into()),
        (&[b"EVALSHA", b"E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", b"0"], ":1\r\n".into()),
        (&[b"SCRIPT", b"EXISTS", b"e0e1f9fabfc9d4800c877a703b823ac0578ff8db", b"ffff"], "*2\r\n:1\r\n:0\r\n".into()),
        (&[b"SCRIPT", b"KILL"], "-NOTBUSY No scripts in execution right now.\r\n".into()),
        (&[b"SCRIPT", b"FLUSH", b"bogus"], "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n".into()),
        (&[b"SCRIPT", b"BOGUS"], "-ERR unknown subcommand 'BOGUS'. Try SCRIPT HELP.\r\n".into()),
        (
            &[b"EVAL_RO", b"return redis.call('set','a','b')", b"0"],
            raised("ERR Write commands are not allowed from read-only scripts.", "return redis.call('set','a','b')"),
        ),
        (&[b"EVAL_RO", b"return redis.call('get','a')", b"0"], "$1\r\nb\r\n".into()),
        (&[b"EVALSHA_RO", b"e0e1f9fabfc9d4800c877a703b823ac0578ff8db", b"0"], ":1\r\n".into()),
        (&[b"SCRIPT", b"FLUSH", b"ASYNC"], "+OK\r\n".into()),
        (&[b"SCRIPT", b"EXISTS", b"e0e1f9fabfc9d4800c877a703b823ac0578ff8db"], "*1\r\n:0\r\n".into()),
    ];
    for (argv, expected) in cases {
        raw.roundtrip(&resp(argv), expected);
    }
    raw.send(&resp(&[b"SCRIPT", b"HELP"]));
    assert!(raw.read_n(72).starts_with("*17\r\n+SCRIPT <subcommand>"));
}

/// Scripts queued in MULTI see the script cache as the commands before them in the same
/// transaction left it (replies as redis-server 7.0 gives them).
#[test]
fn scripts_inside_multi() {
    let server = Server::start();
    let mut raw = server.raw();
    let incrby = "return redis.call('incrby',KEYS[1],ARGV[1])";
    let loaded = sha(incrby);
    raw.roundtrip(
        &resp(&[b"SCRIPT", b"LOAD", incrby.as_bytes()]),
        &format!("$40\r\n{loaded}\r\n"),
    );
    let fresh = "return 42";
    let fresh_sha = sha(fresh);
    let queued: &[&[&[u8]]] = &[
        &[b"EVALSHA", loaded.as_bytes(), b"1", b"c", b"5"],
        &[b"EVALSHA_RO", loaded.as_bytes(), b"1", b"c", b"5"],
        &[b"SCRIPT", b"LOAD", fresh.as_bytes()],
        &[b"EVALSHA", fresh_sha.as_bytes(), b"0"],
        &[b"EVAL", b"return redis.call('incr',KEYS[1])", b"1", b"c"],
        &[b"SCRIPT", b"FLUSH"],
        &[b"EVALSHA", loaded.as_bytes(), b"1", b"c", b"5"],
    ];
    raw.roundtrip(&resp(&[b"MULTI"]), "+OK\r\n");
    for argv in queued {
        raw.roundtrip(&resp(argv), "+QUEUED\r\n");
    }
    let expected = format!(
        "*7\r\n:5\r\n{}$40\r\n{}\r\n:42\r\n:6\r\n+OK\r\n\
         -NOSCRIPT No matching script. Please use EVAL.\r\n",
        raised(
            "ERR Write commands are not allowed from read-only scripts.",
            incrby
        ),
        fresh_sha,
    );
    raw.roundtrip(&resp(&[b"EXEC"]), &expected);
    raw.roundtrip(&resp(&[b"GET", b"c"]), "$1\r\n6\r\n");
    raw.roundtrip(
        &resp(&[
            b"SCRIPT",
            b"EXISTS",
            loaded.as_bytes(),
            sha(fresh).as_bytes(),
        ]),
        "*2\r\n:0\r\n:0\r\n",
    );
}

#[test]
fn a_failing_script_leaves_nothing_behind() {
    let server = Server::start();
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"SET", b"s", b"a"]), "+OK\r\n");
    let body =
        "redis.call('set','k','v'); redis.call('del','s'); return redis.call('incr','s2', 'x')";
    raw.send(&resp(&[b"EVAL", body.as_bytes(), b"0"]));
    let got = raw.read_n(10);
    assert!(got.starts_with("-ERR"), "{got}");
    let mut raw = server.raw();
    // Redis would keep k and the DEL; here the script is all or nothing.
    raw.roundtrip(&resp(&[b"EXISTS", b"k"]), ":0\r\n");
    raw.roundtrip(&resp(&[b"GET", b"s"]), "$1\r\na\r\n");
    // A runaway script is stopped, and rolled back too.
    raw.send(&resp(&[
        b"EVAL",
        b"redis.call('set','k','v') while true do end",
        b"0",
    ]));
    let got = raw.read_n(17);
    assert_eq!(got, "-ERR Script kille");
    let mut raw = server.raw();
    raw.roundtrip(&resp(&[b"EXISTS", b"k"]), ":0\r\n");
}

/// Keys and their DUMP on one node's own state.
fn dump_all(node: &redraft_tests::cluster::ClusterNode) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut conn = node.conn();
    let _: () = redis::cmd("READONLY").query(&mut conn).expect("READONLY");
    let mut keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(&mut conn).expect("KEYS");
    keys.sort();
    keys.into_iter()
        .map(|k| {
            let d: Vec<u8> = redis::cmd("DUMP").arg(&k).query(&mut conn).expect("DUMP");
            (k, d)
        })
        .collect()
}

#[test]
fn scripts_are_known_and_deterministic_on_every_node() {
    let cluster = Cluster::start(3);
    cluster.wait_leader(Duration::from_secs(30));
    let body = "\
        for i = 1, 50 do redis.call('sadd', 'set', i) end \
        local t = redis.call('time') \
        redis.call('set', 'time', t[1] .. '.' .. t[2]) \
        redis.call('set', 'popped', redis.call('spop', 'set')) \
        redis.call('set', 'member', redis.call('srandmember', 'set')) \
        redis.call('set', 'random', math.random(1000000)) \
        redis.call('set', 'randomkey', redis.call('randomkey')) \
        redis.call('set', 'ttl', 'x', 'EX', 100) \
        return redis.call('scard', 'set')";
    let mut one = cluster.node(1).conn();
    let loaded: String = redis::cmd("SCRIPT")
        .arg("LOAD")
        .arg(body)
        .query(&mut one)
        .expect("LOAD");
    assert_eq!(loaded, sha(body));
    let mut three = cluster.node(3).conn();
    let exists: Vec<i64> = redis::cmd("SCRIPT")
        .arg("EXISTS")
        .arg(&loaded)
        .query(&mut three)
        .expect("EXISTS");
    assert_eq!(exists, vec![1]);
    let n: i64 = redis::cmd("EVALSHA")
        .arg(&loaded)
        .arg(0)
        .query(&mut three)
        .expect("EVALSHA on node 3");
    assert_eq!(n, 49);
    let n: i64 = redis::cmd("EVAL")
        .arg(body)
        .arg(0)
        .query(&mut three)
        .expect("EVAL again");
    assert_eq!(n, 49);
    cluster.wait_converged(Duration::from_secs(30));
    let first = dump_all(cluster.node(1));
    assert!(first.len() >= 7, "{} keys", first.len());
    for id in [2, 3] {
        assert_eq!(
            dump_all(cluster.node(id)),
            first,
            "node {id} differs from node 1"
        );
    }
}
