//! The engine through a fake host: sandbox, errors, limit.

use bytes::Bytes;

use super::*;

/// A host answering every command with its argv joined (errors for `fail`).
struct Echo(Vec<Vec<Bytes>>);

impl Host for Echo {
    fn call(&mut self, argv: Vec<Bytes>) -> Reply {
        self.0.push(argv.clone());
        match &argv[0][..] {
            b"fail" => Reply::error("ERR value is not an integer or out of range"),
            b"ok" => Reply::OK,
            b"nil" => Reply::Nil,
            _ => Reply::Bulk(Bytes::from(argv.join(&b' '))),
        }
    }
}

fn eval(body: &str, keys: &[&str], args: &[&str]) -> Result<Reply, Reply> {
    let keys: Vec<Bytes> = keys.iter().map(|k| Bytes::from(k.to_string())).collect();
    let args: Vec<Bytes> = args.iter().map(|k| Bytes::from(k.to_string())).collect();
    run(
        &Invocation {
            body: body.as_bytes(),
            keys: &keys,
            args: &args,
            seed: 7,
        },
        &mut Echo(Vec::new()),
    )
}

fn sha(body: &str) -> String {
    sha1_hex(body.as_bytes())
}

#[test]
fn keys_argv_and_calls() {
    assert_eq!(
        eval(
            "return {KEYS[1], ARGV[1], #KEYS, #ARGV}",
            &["k"],
            &["a", "b"]
        ),
        Ok(Reply::Array(vec![
            Reply::bulk("k"),
            Reply::bulk("a"),
            Reply::Int(1),
            Reply::Int(2)
        ]))
    );
    assert_eq!(
        eval("return redis.call('get', 'x', 12, 1.5)", &[], &[]),
        Ok(Reply::bulk("get x 12 1.5"))
    );
    assert_eq!(eval("return redis.call('ok')", &[], &[]), Ok(Reply::OK));
    assert_eq!(
        eval("return type(redis.call('nil'))", &[], &[]),
        Ok(Reply::bulk("boolean"))
    );
}

#[test]
fn call_raises_and_pcall_returns_error_tables() {
    let body = "return redis.call('fail')";
    assert_eq!(
        eval(body, &[], &[]),
        Err(Reply::error(format!(
            "ERR value is not an integer or out of range script: {}, on @user_script:1.",
            sha(body)
        )))
    );
    assert_eq!(
        eval("return redis.pcall('fail')", &[], &[]),
        Ok(Reply::error("ERR value is not an integer or out of range"))
    );
    assert_eq!(
        eval("return redis.pcall('fail')['err']", &[], &[]),
        Ok(Reply::bulk("ERR value is not an integer or out of range"))
    );
    // Caught with pcall, a call error is its text (Redis 7.0).
    assert_eq!(
        eval(
            "local ok, e = pcall(redis.call, 'fail'); return {tostring(ok), e}",
            &[],
            &[]
        ),
        Ok(Reply::Array(vec![
            Reply::bulk("false"),
            Reply::bulk("ERR value is not an integer or out of range")
        ]))
    );
    let body = "return redis.call({})";
    assert_eq!(
        eval(body, &[], &[]),
        Err(Reply::error(format!(
            "ERR Lua redis lib command arguments must be strings or integers script: {}, on @user_script:1.",
            sha(body)
        )))
    );
    assert_eq!(
        eval("return redis.error_reply('-My Error')", &[], &[]),
        Ok(Reply::error("My Error"))
    );
    assert_eq!(
        eval("return redis.status_reply('FINE')", &[], &[]),
        Ok(Reply::simple("FINE"))
    );
    assert_eq!(
        eval("return redis.sha1hex('')", &[], &[]),
        Ok(Reply::bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709"))
    );
}

#[test]
fn runtime_and_compile_errors_as_redis_words_them() {
    let body = "return nil + 1";
    assert_eq!(
        eval(body, &[], &[]),
        Err(Reply::error(format!(
            "ERR user_script:1: attempt to perform arithmetic on a nil value script: {}, on @user_script:1.",
            sha(body)
        )))
    );
    assert_eq!(
        eval("return (", &[], &[]),
        Err(Reply::error(
            "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'"
        ))
    );
    let body = "error({err='tabled'})";
    assert!(
        matches!(eval(body, &[], &[]), Err(Reply::Error(e)) if e.starts_with(b"tabled script: "))
    );
}

#[test]
fn globals_are_protected_and_reset() {
    let body = "x = 1";
    assert_eq!(
        eval(body, &[], &[]),
        Err(Reply::error(format!(
            "ERR user_script:1: Attempt to modify a readonly table script: {}, on @user_script:1.",
            sha(body)
        )))
    );
    let body = "return y";
    assert_eq!(
        eval(body, &[], &[]),
        Err(Reply::error(format!(
            "ERR user_script:1: Script attempted to access nonexistent global variable 'y' script: {}, on @user_script:1.",
            sha(body)
        )))
    );
    assert!(eval("string.x = 1", &[], &[]).is_err());
    assert!(eval("redis.call = nil", &[], &[]).is_err());
    // rawset on a library proxy does not outlive the run.
    assert_eq!(
        eval("rawset(string, 'z', 1); return 1", &[], &[]),
        Ok(Reply::Int(1))
    );
    assert_eq!(eval("return string.z == nil", &[], &[]), Ok(Reply::Int(1)));
    assert!(eval("return getmetatable('').__index", &[], &[]).is_err());
    assert!(eval("return loadstring", &[], &[]).is_err());
}

#[test]
fn math_random_is_seeded_by_the_run() {
    let a = eval("return {math.random(1000), math.random(1000)}", &[], &[]);
    let b = eval("return {math.random(1000), math.random(1000)}", &[], &[]);
    assert_eq!(a, b);
    assert!(eval("return math.random(0)", &[], &[]).is_err());
}

#[test]
fn the_instruction_limit_stops_a_runaway_script() {
    let r = eval("while true do end", &[], &[]);
    assert!(
        matches!(&r, Err(Reply::Error(e)) if e.starts_with(b"ERR Script killed")),
        "{r:?}"
    );
    // Catching the limit's error does not keep the script alive.
    let r = eval(
        "while true do pcall(function() while true do end end) end",
        &[],
        &[],
    );
    assert!(
        matches!(&r, Err(Reply::Error(e)) if e.starts_with(b"ERR Script killed")),
        "{r:?}"
    );
    // The VM is usable afterwards.
    assert_eq!(eval("return 1", &[], &[]), Ok(Reply::Int(1)));
}

#[test]
fn cjson_round_trips() {
    assert_eq!(
        eval(
            "return cjson.encode(cjson.decode('{\"a\":[1,2,null]}'))",
            &[],
            &[]
        ),
        Ok(Reply::bulk("{\"a\":[1,2,null]}"))
    );
    assert_eq!(
        eval("return cjson.decode('[1,2.5]')[2]", &[], &[]),
        Ok(Reply::Int(2))
    );
}

#[test]
fn setresp_3_converts_resp3_types() {
    assert_eq!(
        eval(
            "redis.setresp(3); return redis.call('nil') == nil",
            &[],
            &[]
        ),
        Ok(Reply::Bool(true))
    );
    assert!(eval("redis.setresp(4)", &[], &[]).is_err());
}
