"""The report of tests/bench/run.sh: reads the raw results it left in $BENCH_WORK, prints the
table (medians, ratios to both Redis setups, p50/p99) and the targets of issue 10 with pass or
miss, writes $BENCH_JSON and, unless $BENCH_MD is `none`, rewrites $BENCH_MD.

Raw inputs: bench/<round>-<target>-P<pipeline>.csv (redis-benchmark --csv),
session/<round>-<target>-P<pipeline>.json (redraft-bench), results/*.txt (name=value lines,
failover-ms.txt one number a line).
"""

import csv
import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess

work = os.environ["BENCH_WORK"]
results = os.environ["BENCH_RESULTS"]
targets = os.environ["BENCH_TARGETS"].split()
quick = bool(os.environ.get("BENCH_QUICK"))
REDRAFT = ("single", "cluster")


def med(values):
    return statistics.median(values) if values else None


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def read_kv(name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return None
    out = {}
    for line in open(path):
        key, _, value = line.strip().partition("=")
        try:
            out[key] = float(value)
        except ValueError:
            out[key] = None
    return out


# samples[(workload, pipeline, target)] = [(ops/s, p50 ms, p99 ms) of each round]
samples = {}
workloads = []


def add(workload, pipeline, target, ops, p50, p99):
    if workload not in workloads:
        workloads.append(workload)
    samples.setdefault((workload, pipeline, target), []).append((ops, p50, p99))


name_re = re.compile(r"(\d+)-(.+)-P(\d+)\.(csv|json)$")
for path in sorted(glob.glob(os.path.join(work, "bench", "*.csv"))):
    _round, target, pipeline, _ = name_re.search(os.path.basename(path)).groups()
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            # redis-benchmark 7: "LRANGE_100 (first 100 elements)", "MSET (10 keys)", and the
            # fill before LRANGE, "LPUSH (needed to benchmark LRANGE)", which is no test.
            if "needed to benchmark" in row["test"]:
                continue
            test = row["test"].split(" ")[0]
            p50 = row.get("p50_latency_ms")
            p99 = row.get("p99_latency_ms")
            add(test, int(pipeline), target, float(row["rps"]),
                float(p50) if p50 else None, float(p99) if p99 else None)
for path in sorted(glob.glob(os.path.join(work, "session", "*.json"))):
    _round, target, pipeline, _ = name_re.search(os.path.basename(path)).groups()
    with open(path) as f:
        r = json.loads(f.readline())
    if r.get("errors"):
        print(f"warning: {os.path.basename(path)}: {r['errors']} errors of {r['ok'] + r['errors']}")
    add("SESSION", int(pipeline), target, float(r["ops_per_sec"]), r["p50_ms"], r["p99_ms"])

rows = []
for pipeline in (1, 16):
    for workload in workloads:
        base = {}
        for target in targets:
            s = samples.get((workload, pipeline, target), [])
            base[target] = dict(
                ops_per_sec=med([x[0] for x in s]),
                p50_ms=med([x[1] for x in s if x[1] is not None]),
                p99_ms=med([x[2] for x in s if x[2] is not None]),
                samples=[x[0] for x in s],
            )
        for target in targets:
            b = base[target]
            if b["ops_per_sec"] is None:
                continue
            mem = base.get("redis-mem", {}).get("ops_per_sec")
            durable = base.get("redis-durable", {}).get("ops_per_sec")
            rows.append(dict(workload=workload, pipeline=pipeline, target=target, **b,
                             vs_redis_mem=ratio(b["ops_per_sec"], mem),
                             vs_redis_durable=ratio(b["ops_per_sec"], durable)))


def row(workload, pipeline, target):
    for r in rows:
        if (r["workload"], r["pipeline"], r["target"]) == (workload, pipeline, target):
            return r
    return None


failover = [float(x) for x in open(os.path.join(results, "failover-ms.txt"))] \
    if os.path.exists(os.path.join(results, "failover-ms.txt")) else []
restart = read_kv("restart.txt")
persistence = {k: read_kv(f"persistence-{k}.txt") for k in ("redis", "redraft")}
memory = {}
for path in sorted(glob.glob(os.path.join(results, "memory-*-redis.txt"))):
    dataset = os.path.basename(path)[len("memory-"):-len("-redis.txt")]
    memory[dataset] = {k: read_kv(f"memory-{dataset}-{k}.txt") for k in ("redis", "redraft")}


def field(d, key):
    return d.get(key) if d else None


# The targets of issue 10: (what, measured ratio or value, comparison, threshold).
checks = []


def check(what, value, op, threshold):
    ok = None if value is None else (value >= threshold if op == ">=" else
                                     value <= threshold if op == "<=" else value < threshold)
    checks.append(dict(target=what, value=value, goal=f"{op} {threshold:g}",
                       result="-" if ok is None else "pass" if ok else "miss"))


for p in (1, 16):
    check(f"single GET -P {p} / redis-mem", field(row("GET", p, "single"), "vs_redis_mem"), ">=", 1.0)
for p in (1, 16):
    check(f"single SET -P {p} / redis-durable",
          field(row("SET", p, "single"), "vs_redis_durable"), ">=", 1.0)
for p in (1, 16):
    check(f"cluster SET -P {p} / redis-durable",
          field(row("SET", p, "cluster"), "vs_redis_durable"), ">=", 1.0)
check("cluster SET -P 16 / redis-mem", field(row("SET", 16, "cluster"), "vs_redis_mem"), ">=", 0.5)
for p in (1, 16):
    check(f"cluster GET -P {p} / redis-mem", field(row("GET", p, "cluster"), "vs_redis_mem"), ">=", 0.8)
for p in (1, 16):
    check(f"cluster session mix -P {p} / redis-durable",
          field(row("SESSION", p, "cluster"), "vs_redis_durable"), ">=", 1.0)
for dataset, m in memory.items():
    r = ratio(field(m["redraft"], "kb"), field(m["redis"], "kb"))
    check(f"memory {dataset} redraft / redis", r, "<=", 1.5)
for what in ("save", "load"):
    r = ratio(field(persistence["redis"], f"{what}_s"), field(persistence["redraft"], f"{what}_s"))
    check(f"RDB {what} speed (redis time / redraft time)", r, ">=", 1.0)
p99 = field(persistence["redraft"], "bgsave_set_p99_ms")
check("SET p99 during BGSAVE, redraft (ms; issue 5)", None if p99 is None else float(p99), "<", 10)
check("failover, kill to first write (s, median)",
      round(med(failover) / 1000, 3) if failover else None, "<", 2)


def num(v, fmt):
    return "-" if v is None else format(v, fmt)


def table_lines():
    if not rows:
        return []
    out = ["| workload | -P | target | ops/s | / redis-mem | / redis-durable | p50 ms | p99 ms |",
           "|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['workload']} | {r['pipeline']} | {r['target']} | "
                   f"{num(r['ops_per_sec'], ',.0f')} | {num(r['vs_redis_mem'], '.2f')} | "
                   f"{num(r['vs_redis_durable'], '.2f')} | {num(r['p50_ms'], '.3f')} | "
                   f"{num(r['p99_ms'], '.3f')} |")
    return out


def other_lines():
    out = ["| measurement | redis | redraft | ratio |", "|---|---:|---:|---:|"]
    for what, unit in (("save", "s"), ("load", "s"), ("bgsave_set_p99", "ms")):
        key = f"{what}_{unit}"
        r_, d_ = field(persistence["redis"], key), field(persistence["redraft"], key)
        if r_ is not None or d_ is not None:
            keys = int(field(persistence["redis"], "keys") or field(persistence["redraft"], "keys"))
            label = {"save": "SAVE", "load": "load at startup",
                     "bgsave_set_p99": "SET p99 during BGSAVE"}[what]
            out.append(f"| {label}, {keys:,} keys ({unit}) | {num(r_, '.3f')} | {num(d_, '.3f')} "
                       f"| {num(ratio(r_, d_), '.2f')} (redis / redraft) |")
    for dataset, m in memory.items():
        r_, d_ = field(m["redis"], "kb"), field(m["redraft"], "kb")
        keys = int(field(m["redis"], "keys") or 0)
        out.append(f"| resident memory, {keys:,} {dataset} (MiB) | {num(r_ and r_ / 1024, '.1f')} "
                   f"| {num(d_ and d_ / 1024, '.1f')} | {num(ratio(d_, r_), '.2f')} (redraft / redis) |")
    note = os.path.join(results, "failover-note.txt")
    if os.path.exists(note):
        out.append(f"| failover: {open(note).read().strip()} | - | - | - |")
    if failover:
        out.append(f"| failover, kill -9 leader to first write (ms, median of {len(failover)}) | - "
                   f"| {med(failover):.0f} | all: {', '.join(f'{x:.0f}' for x in failover)} |")
    if restart:
        out.append(f"| restarted follower holds every key again, {int(restart['keys']):,} keys (s) "
                   f"| - | {num(restart.get('local_s'), '.3f')} | listening after "
                   f"{num(restart.get('listen_s'), '.3f')} s, linearizable DBSIZE after "
                   f"{num(restart.get('serve_s'), '.3f')} s |")
    return out if len(out) > 2 else []


def target_lines():
    out = ["| target of issue 10 | measured | goal | result |", "|---|---:|---|---|"]
    for c in checks:
        if c["value"] is not None:
            out.append(f"| {c['target']} | {c['value']:.3f} | {c['goal']} | {c['result']} |")
    missing = [c["target"] for c in checks if c["value"] is None]
    if missing:
        out += ["", "Not measured in this run: " + "; ".join(missing) + "."]
    return out


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def ram_gib():
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


machine = dict(
    nproc=os.cpu_count(), cpu=cpu_model(), ram_gib=ram_gib(), kernel=platform.release(),
    redis_server=sh("redis-server", "--version"),
    redraft_rev=sh("git", "rev-parse", "--short", "HEAD"),
    redraft_dirty=bool(sh("git", "status", "--porcelain", "--untracked-files=no")),
)
date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
settings = dict(rounds=int(os.environ["BENCH_ROUNDS"]), clients=50,
                requests={"1": int(os.environ["BENCH_N1"]), "16": int(os.environ["BENCH_N16"])},
                quick=quick, targets=targets)

print()
print(f"median of {settings['rounds']} rounds, 50 clients"
      + ("  (BENCH_QUICK: smoke run, the numbers mean nothing)" if quick else ""))
for line in table_lines() + [""] + other_lines() + [""] + target_lines():
    print(line)

out_json = os.environ["BENCH_JSON"]
os.makedirs(os.path.dirname(os.path.abspath(out_json)), exist_ok=True)
with open(out_json, "w") as f:
    json.dump(dict(date=date, machine=machine, settings=settings, throughput=rows,
                   failover_ms=failover, restart=restart, persistence=persistence,
                   memory=memory, targets=checks), f, indent=2)
    f.write("\n")
print(f"\nJSON written to {out_json}")

out_md = os.environ["BENCH_MD"]
if out_md != "none":
    rev = machine["redraft_rev"] + (" (with uncommitted changes)" if machine["redraft_dirty"] else "")
    md = [
        "# Benchmarks",
        "",
        "Written by `tests/bench/run.sh` (see README, Benchmark); do not edit by hand. Every server",
        "ran on loopback on the same machine in the same run, alternated round by round: only the",
        "ratios mean something, not the absolute numbers.",
        "",
    ]
    if quick:
        md += ["**BENCH_QUICK smoke run: sizes far too small; these numbers mean nothing.**", ""]
    md += [
        f"- date: {date}",
        f"- machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram_gib']} GiB RAM, "
        f"Linux {machine['kernel']}",
        f"- {machine['redis_server']}",
        f"- redraft: git {rev}",
        f"- median of {settings['rounds']} rounds, redis-benchmark -c 50, "
        f"-n {settings['requests']['1']} at -P 1 and {settings['requests']['16']} at -P 16; "
        "SESSION: redraft-bench, 80% GET / 20% SETEX of 1 KB values, 50 clients",
        "- targets: redis-mem (no persistence), redis-durable (appendonly yes, appendfsync always),",
        "  single (one redraft node), cluster (three redraft nodes, load through the leader)",
        "",
        "## Targets of issue 10",
        "",
        *target_lines(),
        "",
        "## Throughput and latency",
        "",
        *table_lines(),
        "",
        "## Failover, restart, persistence, memory",
        "",
        *other_lines(),
        "",
    ]
    with open(out_md, "w") as f:
        f.write("\n".join(md))
    print(f"Markdown written to {out_md}")
