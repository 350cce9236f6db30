//! `redraft-bench`: the mixed "session" load that redis-benchmark cannot make — GETs and
//! SETEXs in one stream, in a chosen ratio, over a fixed keyspace — against any server that
//! speaks RESP (redraft, or redis-server for the comparison). Used by tests/bench/run.sh.
//!
//! Each of `--clients` connections sends `--pipeline` commands, reads their replies, and
//! repeats, until `--seconds` have passed or `--requests` were sent in all. Only correct
//! replies count: a bulk string of `--value-size` bytes (or nil) for GET, `+OK` for SETEX; an
//! error reply, a wrong one or a dropped connection counts as an error. The latency of a
//! request is the time from writing its batch to reading its reply, as redis-benchmark
//! measures it. The keyspace is filled first (not timed) so that GETs hit.
//!
//! Prints one line of JSON: ops/s, p50/p99 in ms, and the counts.
//!
//! Deliberately plain tokio TCP with a minimal RESP writer and reader: the load generator must
//! cost little CPU per request and must see the server's exact replies.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;

#[derive(Parser, Clone)]
#[command(
    name = "redraft-bench",
    about = "A mixed GET/SETEX load for Redis-compatible servers"
)]
struct Cli {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 6379)]
    port: u16,
    /// Concurrent connections.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Commands each connection sends before reading their replies.
    #[arg(long, default_value_t = 1)]
    pipeline: usize,
    /// Run for this long (ignored when --requests is given).
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Send this many requests in all, then stop.
    #[arg(long)]
    requests: Option<u64>,
    /// Share of GETs; the rest are SETEX.
    #[arg(long, default_value_t = 0.8)]
    get_ratio: f64,
    /// Bytes per value written by SETEX.
    #[arg(long, default_value_t = 1024)]
    value_size: usize,
    /// Keys in the keyspace (`session:0` .. `session:<keys-1>`), picked uniformly.
    #[arg(long, default_value_t = 10_000)]
    keys: u64,
    /// TTL of the SETEX writes, in seconds (long enough that nothing expires during a run).
    #[arg(long, default_value_t = 3600)]
    ttl: u64,
    /// Sent with AUTH on every connection.
    #[arg(long)]
    password: Option<String>,
    /// Do not fill the keyspace before the timed run.
    #[arg(long)]
    no_fill: bool,
    /// Seed of the key and operation choices (connection i uses seed + i).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// What one connection did: latencies of its correct replies (µs) and its counts.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    gets: u64,
    setexs: u64,
    misses: u64,
    errors: u64,
}

/// One reply as far as the check needs it.
enum Reply {
    Ok,
    Bulk(usize),
    Nil,
    Other,
}

/// SplitMix64: a tiny, fast, seedable generator; the choices need no more.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Appends one command as a RESP array of bulk strings.
fn put_command(buf: &mut Vec<u8>, args: &[&[u8]]) {
    buf.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for arg in args {
        buf.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        buf.extend_from_slice(arg);
        buf.extend_from_slice(b"\r\n");
    }
}

/// Reads one reply; a bulk payload is read into `line` and dropped. No command sent here
/// answers an array, so one is an error (its elements cannot be told from the next replies).
async fn read_reply(reader: &mut BufReader<OwnedReadHalf>, line: &mut Vec<u8>) -> Result<Reply> {
    line.clear();
    let n = reader.read_until(b'\n', line).await?;
    if n < 3 || !line.ends_with(b"\r\n") {
        bail!("connection closed or malformed reply");
    }
    let body = &line[1..line.len() - 2];
    match line[0] {
        b'+' if body == b"OK" => Ok(Reply::Ok),
        b'$' => {
            let len: i64 = std::str::from_utf8(body)?.parse()?;
            if len < 0 {
                return Ok(Reply::Nil);
            }
            line.resize(len as usize + 2, 0);
            reader.read_exact(line).await?;
            Ok(Reply::Bulk(len as usize))
        }
        b'*' => bail!("unexpected array reply"),
        _ => Ok(Reply::Other),
    }
}

async fn connect(cli: &Cli) -> Result<(BufReader<OwnedReadHalf>, tokio::net::tcp::OwnedWriteHalf)> {
    let stream = TcpStream::connect((cli.host.as_str(), cli.port))
        .await
        .with_context(|| format!("connecting to {}:{}", cli.host, cli.port))?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::with_capacity(64 * 1024, read);
    if let Some(password) = &cli.password {
        let mut buf = Vec::new();
        put_command(&mut buf, &[b"AUTH", password.as_bytes()]);
        write.write_all(&buf).await?;
        if !matches!(read_reply(&mut reader, &mut Vec::new()).await?, Reply::Ok) {
            bail!("AUTH failed");
        }
    }
    Ok((reader, write))
}

fn key(i: u64) -> Vec<u8> {
    format!("session:{i}").into_bytes()
}

/// Fills the keyspace with SETEX over one connection, 1000 commands a batch.
async fn fill(cli: &Cli, value: &[u8]) -> Result<()> {
    let (mut reader, mut write) = connect(cli).await?;
    let ttl = cli.ttl.to_string();
    let mut line = Vec::new();
    let mut start = 0;
    while start < cli.keys {
        let end = (start + 1000).min(cli.keys);
        let mut buf = Vec::new();
        for i in start..end {
            put_command(&mut buf, &[b"SETEX", &key(i), ttl.as_bytes(), value]);
        }
        write.write_all(&buf).await?;
        for _ in start..end {
            if !matches!(read_reply(&mut reader, &mut line).await?, Reply::Ok) {
                bail!("SETEX while filling the keyspace did not answer +OK");
            }
        }
        start = end;
    }
    Ok(())
}

/// One connection's loop. `budget` is its share of --requests (None: until `deadline`).
async fn client(
    cli: Cli,
    id: u64,
    value: Vec<u8>,
    deadline: Instant,
    budget: Option<u64>,
) -> Tally {
    let mut tally = Tally::default();
    let Ok((mut reader, mut write)) = connect(&cli).await else {
        tally.errors += 1;
        return tally;
    };
    let mut rng = SplitMix(cli.seed.wrapping_add(id));
    let ttl = cli.ttl.to_string();
    let mut buf = Vec::with_capacity(cli.pipeline * (value.len() + 64));
    let mut is_get = Vec::with_capacity(cli.pipeline);
    let mut line = Vec::new();
    let mut sent = 0u64;
    loop {
        let batch = match budget {
            Some(total) if sent >= total => break,
            Some(total) => cli.pipeline.min((total - sent) as usize),
            None if Instant::now() >= deadline => break,
            None => cli.pipeline,
        };
        buf.clear();
        is_get.clear();
        for _ in 0..batch {
            let k = key(rng.next() % cli.keys.max(1));
            if rng.unit() < cli.get_ratio {
                put_command(&mut buf, &[b"GET", &k]);
                is_get.push(true);
            } else {
                put_command(&mut buf, &[b"SETEX", &k, ttl.as_bytes(), &value]);
                is_get.push(false);
            }
        }
        let started = Instant::now();
        if write.write_all(&buf).await.is_err() {
            tally.errors += batch as u64;
            break;
        }
        sent += batch as u64;
        for &get in &is_get {
            let reply = match read_reply(&mut reader, &mut line).await {
                Ok(reply) => reply,
                Err(_) => {
                    tally.errors += batch as u64;
                    return tally;
                }
            };
            let correct = match (get, reply) {
                (true, Reply::Bulk(n)) => n == cli.value_size,
                (true, Reply::Nil) => {
                    tally.misses += 1;
                    true
                }
                (false, Reply::Ok) => true,
                _ => false,
            };
            if correct {
                let us = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
                tally.latencies_us.push(us);
                if get {
                    tally.gets += 1;
                } else {
                    tally.setexs += 1;
                }
            } else {
                tally.errors += 1;
            }
        }
    }
    tally
}

/// The value at quantile `q` of sorted latencies, in ms.
fn quantile_ms(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    if cli.clients == 0 || cli.pipeline == 0 {
        bail!("--clients and --pipeline must be at least 1");
    }
    let value = vec![b'x'; cli.value_size];
    if !cli.no_fill {
        fill(&cli, &value).await?;
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(cli.seconds);
    let mut tasks = Vec::new();
    for id in 0..cli.clients as u64 {
        // --requests split evenly, the remainder to the first connections.
        let budget = cli.requests.map(|n| {
            let clients = cli.clients as u64;
            n / clients + u64::from(id < n % clients)
        });
        tasks.push(tokio::spawn(client(
            cli.clone(),
            id,
            value.clone(),
            deadline,
            budget,
        )));
    }
    let mut all = Tally::default();
    for task in tasks {
        let t = task.await?;
        all.latencies_us.extend(t.latencies_us);
        all.gets += t.gets;
        all.setexs += t.setexs;
        all.misses += t.misses;
        all.errors += t.errors;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    let ok = all.latencies_us.len() as u64;
    let report = serde_json::json!({
        "host": cli.host,
        "port": cli.port,
        "clients": cli.clients,
        "pipeline": cli.pipeline,
        "get_ratio": cli.get_ratio,
        "value_size": cli.value_size,
        "keys": cli.keys,
        "seconds": (elapsed * 1000.0).round() / 1000.0,
        "ok": ok,
        "gets": all.gets,
        "setexs": all.setexs,
        "get_misses": all.misses,
        "errors": all.errors,
        "ops_per_sec": (ok as f64 / elapsed).round(),
        "p50_ms": quantile_ms(&all.latencies_us, 0.50),
        "p99_ms": quantile_ms(&all.latencies_us, 0.99),
    });
    println!("{report}");
    if ok == 0 {
        bail!("no correct reply");
    }
    Ok(())
}
