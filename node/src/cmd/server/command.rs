//! COMMAND: reports the commands this server has, from Redis 7.0's own table.
//!
//! # Format
//! ```text
//! COMMAND
//! COMMAND COUNT
//! COMMAND INFO [command-name ...]
//! COMMAND DOCS [command-name ...]
//! COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
//! COMMAND GETKEYS command [arg ...]
//! COMMAND GETKEYSANDFLAGS command [arg ...]
//! COMMAND HELP
//! ```
//! Every answer comes from the reference table of Redis 7.0.15 (`commands-7.0.json`, the
//! server's own COMMAND INFO and COMMAND DOCS merged per command), restricted to the commands
//! of this server's table (so `rename-command` and commands not implemented yet are taken
//! into account) and to the subcommands it implements.
//!
//! GETKEYS finds keys through the key specs, as Redis does, and like Redis follows the
//! command's own rules where the specs cannot tell (SET and BITFIELD, whose key flags depend
//! on the arguments; SORT's STORE; MIGRATE's KEYS).
//!
//! This module also holds the helpers every container command (CLIENT, CONFIG, SLOWLOG...)
//! shares: subcommand arity checks and the HELP reply.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use bytes::Bytes;
use serde::Deserialize;

use crate::cmd::{CmdError, CmdResult, Run, Session, Spec, Table, args, flags, glob};
use crate::resp::Reply;

pub const SPEC: Spec = Spec {
    name: "command",
    arity: -1,
    flags: flags::LOADING | flags::STALE,
    first_key: 0,
    last_key: 0,
    step: 0,
    run: Run::Session(run),
};

/// COMMAND's subcommands and their arity.
pub const SUBCOMMANDS: &[(&str, i32)] = &[
    ("count", 2),
    ("docs", -2),
    ("getkeys", -4),
    ("getkeysandflags", -4),
    ("help", 2),
    ("info", -2),
    ("list", -2),
];

/// Subcommands in Redis 7.0's table that this server does not have (left out of COMMAND).
const UNIMPLEMENTED: &[&str] = &[
    "client|caching",
    "client|pause",
    "client|tracking",
    "client|unblock",
    "client|unpause",
];

/// Subcommands this server has that Redis 7.0 has not (from Redis 7.2), counted under their
/// own name in INFO commandstats.
const EXTRA_SUBCOMMANDS: &[(&str, i32)] = &[("client|setinfo", 4)];

/// Redis 7.0.15's table, as captured by `dump_reference.py`.
static REFERENCE_JSON: &str = include_str!("commands-7.0.json");

/// One command (or subcommand, named `parent|sub`) of Redis 7.0's table.
#[derive(Debug, Deserialize)]
pub struct RefCommand {
    pub name: String,
    pub arity: i32,
    pub flags: Vec<String>,
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    pub acl_categories: Vec<String>,
    pub tips: Vec<String>,
    pub key_specs: Vec<KeySpec>,
    pub summary: Option<String>,
    pub since: Option<String>,
    pub group: String,
    pub complexity: Option<String>,
    pub doc_flags: Vec<String>,
    pub deprecated_since: Option<String>,
    pub replaced_by: Option<String>,
    pub history: Vec<(String, String)>,
    pub arguments: Vec<RefArg>,
    pub subcommands: Vec<RefCommand>,
}

/// A key spec: where a command's keys start and how to find them from there.
#[derive(Debug, Deserialize)]
pub struct KeySpec {
    pub notes: Option<String>,
    pub flags: Vec<String>,
    pub begin_search: BeginSearch,
    pub find_keys: FindKeys,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", content = "spec", rename_all = "lowercase")]
pub enum BeginSearch {
    Index { index: i64 },
    Keyword { keyword: String, startfrom: i64 },
    Unknown {},
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", content = "spec", rename_all = "lowercase")]
pub enum FindKeys {
    Range {
        lastkey: i64,
        keystep: i64,
        limit: i64,
    },
    Keynum {
        keynumidx: i64,
        firstkey: i64,
        keystep: i64,
    },
    Unknown {},
}

/// One argument in COMMAND DOCS.
#[derive(Debug, Deserialize)]
pub struct RefArg {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub display_text: Option<String>,
    pub key_spec_index: Option<i64>,
    pub token: Option<String>,
    pub summary: Option<String>,
    pub since: Option<String>,
    pub deprecated_since: Option<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub arguments: Vec<RefArg>,
}

#[derive(Debug, Default, Deserialize)]
struct RefFile {
    commands: Vec<RefCommand>,
}

/// Redis 7.0's command table by name, parsed on first use.
pub fn reference() -> &'static HashMap<String, RefCommand> {
    static REFERENCE: OnceLock<HashMap<String, RefCommand>> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let file = serde_json::from_str::<RefFile>(REFERENCE_JSON).unwrap_or_else(|e| {
            // The file is part of the binary and a unit test parses it: this cannot happen
            // in a build that passed its tests.
            tracing::error!(error = %e, "the embedded Redis command table does not parse");
            RefFile::default()
        });
        let mut table: HashMap<String, RefCommand> = file
            .commands
            .into_iter()
            .map(|c| (c.name.clone(), c))
            .collect();
        for spec in
            crate::cmd::all_specs().filter(|s| s.has(flags::EXTENSION) && !s.has(flags::INTERNAL))
        {
            table.insert(spec.name.to_string(), extension_entry(spec));
        }
        table
    })
}

/// The COMMAND entry of one of redraft's own commands (RAFT.*), built from its declaration.
fn extension_entry(spec: &Spec) -> RefCommand {
    let names = [
        (flags::WRITE, "write"),
        (flags::READONLY, "readonly"),
        (flags::ADMIN, "admin"),
        (flags::NOSCRIPT, "noscript"),
        (flags::LOADING, "loading"),
        (flags::STALE, "stale"),
        (flags::FAST, "fast"),
    ];
    RefCommand {
        name: spec.name.to_string(),
        arity: spec.arity,
        flags: names
            .iter()
            .filter(|(f, _)| spec.has(*f))
            .map(|(_, n)| n.to_string())
            .collect(),
        first_key: spec.first_key,
        last_key: spec.last_key,
        step: spec.step,
        acl_categories: if spec.has(flags::ADMIN) {
            vec!["@admin".into(), "@slow".into(), "@dangerous".into()]
        } else {
            vec!["@slow".into()]
        },
        tips: Vec::new(),
        key_specs: Vec::new(),
        summary: Some("redraft's Raft cluster command (see the README)".to_string()),
        since: Some("0.1.0".to_string()),
        group: "server".to_string(),
        complexity: Some("O(1)".to_string()),
        doc_flags: Vec::new(),
        deprecated_since: None,
        replaced_by: None,
        history: Vec::new(),
        arguments: Vec::new(),
        subcommands: Vec::new(),
    }
}

impl RefCommand {
    /// The subcommands this server implements.
    pub fn subcommands(&self) -> impl Iterator<Item = &RefCommand> {
        self.subcommands
            .iter()
            .filter(|s| !UNIMPLEMENTED.contains(&s.name.as_str()))
    }

    /// The subcommand `sub` (any case) if this server implements it.
    pub fn subcommand(&self, sub: &[u8]) -> Option<&RefCommand> {
        let full = format!("{}|{}", self.name, args::lower(sub));
        self.subcommands().find(|s| s.name == full)
    }

    fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// Whether the command takes keys (Redis's `doesCommandHaveKeys`).
    fn has_keys(&self) -> bool {
        self.has_flag("movablekeys")
            || self
                .key_specs
                .iter()
                .any(|k| !k.flags.iter().any(|f| f == "not_key"))
    }

    /// Whether `argc` (including the name) satisfies the arity.
    fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = i64::from(self.arity);
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// The positions of the keys in `argv` with their flags; `None` when the arguments do
    /// not fit (a key count out of range...). As Redis's `getKeysFromCommandWithSpecs`: the
    /// key specs, unless their flags depend on the arguments or they cannot find every key,
    /// in which case the command's own key finder.
    fn keys(&self, argv: &[Bytes]) -> Option<Vec<(usize, Vec<String>)>> {
        let fixed =
            |pos: usize, flags: &[&str]| (pos, flags.iter().map(|f| f.to_string()).collect());
        let from = |i: usize| argv.iter().enumerate().skip(i);
        match self.name.as_str() {
            // setGetKeys: the key is read only with GET.
            "set" => {
                let get = from(3).any(|(_, a)| args::is(a, "GET"));
                let flags: &[&str] = if get {
                    &["RW", "access", "update"]
                } else {
                    &["OW", "update"]
                };
                Some(vec![fixed(1, flags)])
            }
            // bitfieldGetKeys: read only when every operation is a GET (or OVERFLOW).
            "bitfield" => {
                let mut readonly = true;
                let mut i = 2;
                while i < argv.len() {
                    let rest = argv.len() - i - 1;
                    let op = &argv[i];
                    if args::is(op, "GET") && rest >= 2 {
                        i += 3;
                    } else if args::is(op, "OVERFLOW") && rest >= 1 {
                        i += 2;
                    } else {
                        readonly = false;
                        break;
                    }
                }
                let flags: &[&str] = if readonly {
                    &["RO", "access"]
                } else {
                    &["RW", "access", "update"]
                };
                Some(vec![fixed(1, flags)])
            }
            // sortGetKeys: the sorted key, and the last STORE destination.
            "sort" | "sort_ro" => {
                let mut keys = vec![fixed(1, &["RO", "access"])];
                let mut store = None;
                let mut i = 2;
                while self.name == "sort" && i < argv.len() {
                    let arg = &argv[i];
                    if args::is(arg, "LIMIT") {
                        i += 2;
                    } else if args::is(arg, "GET") || args::is(arg, "BY") {
                        i += 1;
                    } else if args::is(arg, "STORE") && i + 1 < argv.len() {
                        store = Some(i + 1);
                    }
                    i += 1;
                }
                keys.extend(store.map(|pos| fixed(pos, &["OW", "update"])));
                Some(keys)
            }
            // migrateGetKeys: the key argument, or the keys after KEYS.
            "migrate" => {
                let flags = &["RW", "access", "delete"];
                let mut i = 6;
                while i < argv.len() {
                    let arg = &argv[i];
                    if args::is(arg, "KEYS") {
                        if !argv[3].is_empty() {
                            return Some(Vec::new());
                        }
                        return Some((i + 1..argv.len()).map(|p| fixed(p, flags)).collect());
                    } else if args::is(arg, "AUTH") {
                        i += 1;
                    } else if args::is(arg, "AUTH2") {
                        i += 2;
                    }
                    i += 1;
                }
                Some(vec![fixed(3, flags)])
            }
            _ => self.key_positions(argv).map(|keys| {
                keys.into_iter()
                    .map(|(pos, spec)| (pos, spec.flags.clone()))
                    .collect()
            }),
        }
    }

    /// The positions of the keys in `argv` with the spec each came from, as Redis's
    /// `getKeysUsingKeySpecs`; `None` when the arguments do not fit the specs (a key count
    /// out of range...). Specs of unknown shape are skipped.
    fn key_positions(&self, argv: &[Bytes]) -> Option<Vec<(usize, &KeySpec)>> {
        let argc = argv.len() as i64;
        let mut keys = Vec::new();
        for spec in &self.key_specs {
            if spec.flags.iter().any(|f| f == "not_key") {
                continue;
            }
            let mut first = match &spec.begin_search {
                BeginSearch::Index { index } => *index,
                BeginSearch::Keyword { keyword, startfrom } => {
                    let found = if *startfrom > 0 {
                        // As Redis, the last argument is not searched: no key could follow.
                        (*startfrom..argc - 1).find(|&i| args::is(&argv[i as usize], keyword))
                    } else {
                        let start = argc + startfrom;
                        (1..=start)
                            .rev()
                            .filter(|&i| i < argc)
                            .find(|&i| args::is(&argv[i as usize], keyword))
                    };
                    match found {
                        Some(i) => i + 1,
                        None => continue,
                    }
                }
                BeginSearch::Unknown {} => continue,
            };
            let (last, step) = match &spec.find_keys {
                FindKeys::Range {
                    lastkey,
                    keystep,
                    limit,
                } => {
                    let last = if *lastkey >= 0 {
                        first + lastkey
                    } else if *limit == 0 {
                        argc + lastkey
                    } else {
                        first + ((argc - first) / limit + lastkey)
                    };
                    (last, *keystep)
                }
                FindKeys::Keynum {
                    keynumidx,
                    firstkey,
                    keystep,
                } => {
                    if *keynumidx >= argc - first {
                        return None;
                    }
                    let numkeys = args::strict_i64(argv.get((first + keynumidx) as usize)?)?;
                    if numkeys < 0 {
                        return None;
                    }
                    first += firstkey;
                    (first.checked_add(numkeys)? - 1, *keystep)
                }
                FindKeys::Unknown {} => continue,
            };
            if last >= argc || last < first || first >= argc || step <= 0 {
                return None;
            }
            let mut i = first;
            while i <= last {
                keys.push((i as usize, spec));
                i += step;
            }
        }
        Some(keys)
    }

    /// The COMMAND INFO entry (Redis 7.0's `addReplyCommandInfo`).
    pub fn info_reply(&self) -> Reply {
        Reply::Array(vec![
            Reply::bulk(self.name.clone()),
            Reply::Int(i64::from(self.arity)),
            statuses(&self.flags),
            Reply::Int(i64::from(self.first_key)),
            Reply::Int(i64::from(self.last_key)),
            Reply::Int(i64::from(self.step)),
            statuses(&self.acl_categories),
            Reply::Set(self.tips.iter().map(|t| Reply::bulk(t.clone())).collect()),
            Reply::Set(self.key_specs.iter().map(KeySpec::reply).collect()),
            // Redis answers an empty set without subcommands, else an array.
            if self.subcommands.is_empty() {
                Reply::Set(Vec::new())
            } else {
                Reply::Array(self.subcommands().map(RefCommand::info_reply).collect())
            },
        ])
    }

    /// The COMMAND DOCS entry (Redis 7.0's `addReplyCommandDocs`).
    pub fn docs_reply(&self) -> Reply {
        let mut map = Vec::new();
        let mut text = |key: &'static str, value: &Option<String>| {
            if let Some(v) = value {
                map.push((Reply::text(key), Reply::bulk(v.clone())));
            }
        };
        text("summary", &self.summary);
        text("since", &self.since);
        text("group", &Some(self.group.clone()));
        text("complexity", &self.complexity);
        if !self.doc_flags.is_empty() {
            map.push((Reply::text("doc_flags"), statuses(&self.doc_flags)));
        }
        let mut text = |key: &'static str, value: &Option<String>| {
            if let Some(v) = value {
                map.push((Reply::text(key), Reply::bulk(v.clone())));
            }
        };
        text("deprecated_since", &self.deprecated_since);
        text("replaced_by", &self.replaced_by);
        if !self.history.is_empty() {
            let history = self
                .history
                .iter()
                .map(|(version, what)| {
                    Reply::Array(vec![
                        Reply::bulk(version.clone()),
                        Reply::bulk(what.clone()),
                    ])
                })
                .collect();
            map.push((Reply::text("history"), Reply::Set(history)));
        }
        if !self.arguments.is_empty() {
            map.push((Reply::text("arguments"), args_reply(&self.arguments)));
        }
        if !self.subcommands.is_empty() {
            let subs = self
                .subcommands()
                .map(|s| (Reply::bulk(s.name.clone()), s.docs_reply()))
                .collect();
            map.push((Reply::text("subcommands"), Reply::Map(subs)));
        }
        Reply::Map(map)
    }
}

impl KeySpec {
    fn reply(&self) -> Reply {
        let mut map = Vec::new();
        if let Some(notes) = &self.notes {
            map.push((Reply::text("notes"), Reply::bulk(notes.clone())));
        }
        map.push((Reply::text("flags"), statuses(&self.flags)));
        let int = |k: &'static str, v: i64| (Reply::text(k), Reply::Int(v));
        let (kind, spec) = match &self.begin_search {
            BeginSearch::Index { index } => ("index", vec![int("index", *index)]),
            BeginSearch::Keyword { keyword, startfrom } => (
                "keyword",
                vec![
                    (Reply::text("keyword"), Reply::bulk(keyword.clone())),
                    int("startfrom", *startfrom),
                ],
            ),
            BeginSearch::Unknown {} => ("unknown", Vec::new()),
        };
        map.push((Reply::text("begin_search"), search_reply(kind, spec)));
        let (kind, spec) = match &self.find_keys {
            FindKeys::Range {
                lastkey,
                keystep,
                limit,
            } => (
                "range",
                vec![
                    int("lastkey", *lastkey),
                    int("keystep", *keystep),
                    int("limit", *limit),
                ],
            ),
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => (
                "keynum",
                vec![
                    int("keynumidx", *keynumidx),
                    int("firstkey", *firstkey),
                    int("keystep", *keystep),
                ],
            ),
            FindKeys::Unknown {} => ("unknown", Vec::new()),
        };
        map.push((Reply::text("find_keys"), search_reply(kind, spec)));
        Reply::Map(map)
    }
}

fn search_reply(kind: &'static str, spec: Vec<(Reply, Reply)>) -> Reply {
    Reply::Map(vec![
        (Reply::text("type"), Reply::text(kind)),
        (Reply::text("spec"), Reply::Map(spec)),
    ])
}

/// The `arguments` of COMMAND DOCS (Redis 7.0's `addReplyCommandArgList`).
fn args_reply(list: &[RefArg]) -> Reply {
    Reply::Array(
        list.iter()
            .map(|a| {
                let mut map = vec![
                    (Reply::text("name"), Reply::bulk(a.name.clone())),
                    (Reply::text("type"), Reply::bulk(a.kind.clone())),
                ];
                if let Some(text) = &a.display_text {
                    map.push((Reply::text("display_text"), Reply::bulk(text.clone())));
                }
                if let Some(i) = a.key_spec_index {
                    map.push((Reply::text("key_spec_index"), Reply::Int(i)));
                }
                for (key, value) in [
                    ("token", &a.token),
                    ("summary", &a.summary),
                    ("since", &a.since),
                    ("deprecated_since", &a.deprecated_since),
                ] {
                    if let Some(v) = value {
                        map.push((Reply::text(key), Reply::bulk(v.clone())));
                    }
                }
                if !a.flags.is_empty() {
                    map.push((Reply::text("flags"), statuses(&a.flags)));
                }
                if !a.arguments.is_empty() {
                    map.push((Reply::text("arguments"), args_reply(&a.arguments)));
                }
                Reply::Map(map)
            })
            .collect(),
    )
}

/// A set of status replies (flags, ACL categories).
fn statuses(items: &[String]) -> Reply {
    Reply::Set(
        items
            .iter()
            .map(|s| Reply::Simple(Bytes::from(s.clone())))
            .collect(),
    )
}

/// The name Redis gives the command `argv` runs under `spec`: `client|list` for a
/// subcommand, else the command's name (CLIENT LIST `cmd=`, INFO commandstats).
pub fn full_name(spec: &Spec, argv: &[Bytes]) -> Cow<'static, str> {
    // Called for every command: find containers in a small set with a fast hash first.
    static CONTAINERS: OnceLock<HashSet<&'static str, rustc_hash::FxBuildHasher>> = OnceLock::new();
    let containers = CONTAINERS.get_or_init(|| {
        reference()
            .values()
            .filter(|r| !r.subcommands.is_empty())
            .map(|r| r.name.as_str())
            .collect()
    });
    let name = spec.name;
    if argv.len() < 2 || !containers.contains(name) {
        return Cow::Borrowed(name);
    }
    if let (Some(r), Some(sub)) = (reference().get(name), argv.get(1))
        && !r.subcommands.is_empty()
    {
        let full = format!("{name}|{}", args::lower(sub));
        if r.subcommands.iter().any(|s| s.name == full) || extra_arity(&full).is_some() {
            return Cow::Owned(full);
        }
    }
    Cow::Borrowed(name)
}

/// Every full name [`full_name`] can return for the commands of `table`.
pub fn all_full_names(table: &Table) -> Vec<String> {
    let mut names = Vec::new();
    for spec in table.visible() {
        names.push(spec.name.to_string());
        if let Some(r) = reference().get(spec.name) {
            names.extend(r.subcommands.iter().map(|s| s.name.clone()));
        }
        let prefix = format!("{}|", spec.name);
        names.extend(
            EXTRA_SUBCOMMANDS
                .iter()
                .filter(|(n, _)| n.starts_with(&prefix))
                .map(|(n, _)| n.to_string()),
        );
    }
    names
}

fn extra_arity(full: &str) -> Option<i32> {
    EXTRA_SUBCOMMANDS
        .iter()
        .find(|(n, _)| *n == full)
        .map(|(_, arity)| *arity)
}

/// Checks that `argv` names a subcommand this server has, with the right arity, when `spec`
/// is a container command; the server does this before authentication, as Redis does (an
/// unauthenticated `CLIENT FOO` is told the subcommand is unknown, not NOAUTH).
pub fn check_subcommand(spec: &Spec, argv: &[Bytes]) -> Result<(), CmdError> {
    let (Some(r), Some(sub)) = (reference().get(spec.name), argv.get(1)) else {
        return Ok(());
    };
    if r.subcommands.is_empty() {
        return Ok(());
    }
    let full = format!("{}|{}", spec.name, args::lower(sub));
    let arity = match r.subcommands().find(|s| s.name == full) {
        Some(s) => s.arity,
        None => extra_arity(&full).ok_or_else(|| CmdError::unknown_subcommand(sub, spec.name))?,
    };
    let argc = argv.len() as i64;
    let arity = i64::from(arity);
    if (arity >= 0 && argc != arity) || (arity < 0 && argc < -arity) {
        return Err(CmdError::wrong_arity(&full));
    }
    Ok(())
}

/// Finds the subcommand `argv[1]` of the container command `parent` in `table` (its name and
/// arity) and checks the arity, with Redis's errors: `unknown subcommand 'x'. Try CLIENT
/// HELP.` and `wrong number of arguments for 'client|id' command`.
pub fn subcommand(
    parent: &str,
    table: &'static [(&'static str, i32)],
    argv: &[Bytes],
) -> Result<&'static str, CmdError> {
    let Some(sub) = argv.get(1) else {
        return Err(CmdError::wrong_arity(parent));
    };
    let lower = args::lower(sub);
    let Some(&(name, arity)) = table.iter().find(|(n, _)| *n == lower) else {
        return Err(CmdError::unknown_subcommand(sub, parent));
    };
    let argc = argv.len() as i64;
    let ok = if arity >= 0 {
        argc == i64::from(arity)
    } else {
        argc >= -i64::from(arity)
    };
    if ok {
        Ok(name)
    } else {
        Err(CmdError::wrong_arity(&format!("{parent}|{name}")))
    }
}

/// The HELP reply of a container command, as Redis's `addReplyHelp`: a header line, the
/// given lines, and the HELP entry, all as status replies.
pub fn help_reply(command: &str, lines: &[&str]) -> Reply {
    let mut out = Vec::with_capacity(lines.len() + 3);
    out.push(Reply::Simple(Bytes::from(format!(
        "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        command.to_ascii_uppercase()
    ))));
    out.extend(
        lines
            .iter()
            .map(|l| Reply::Simple(Bytes::copy_from_slice(l.as_bytes()))),
    );
    out.push(Reply::simple("HELP"));
    out.push(Reply::simple("    Prints this help."));
    Reply::Array(out)
}

const HELP: &[&str] = &[
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
];

/// The reference entries of the commands `table` has, by their table name.
fn visible(table: &Table) -> impl Iterator<Item = &'static RefCommand> {
    table
        .visible()
        .into_iter()
        .filter_map(|spec| reference().get(spec.name))
}

/// Finds a command by the name a client uses (`get`, `client|list`), as Redis's
/// `lookupCommandBySds`.
fn lookup_full(table: &Table, name: &[u8]) -> Option<&'static RefCommand> {
    let mut parts = name.split(|&b| b == b'|');
    let parent = parts.next()?;
    let sub = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let spec = table.get(parent).filter(|s| !s.has(flags::INTERNAL))?;
    let r = reference().get(spec.name)?;
    match sub {
        None => Some(r),
        Some(sub) => r.subcommand(sub),
    }
}

/// Finds the command a full argv would run (`object encoding k` → `object|encoding`), as
/// Redis's `lookupCommand`.
fn lookup_argv(table: &Table, argv: &[Bytes]) -> Option<&'static RefCommand> {
    let spec = table.get(&argv[0]).filter(|s| !s.has(flags::INTERNAL))?;
    let r = reference().get(spec.name)?;
    match argv.get(1) {
        Some(sub) if !r.subcommands.is_empty() => r.subcommand(sub),
        _ => Some(r),
    }
}

fn run(session: &mut dyn Session, argv: &[Bytes]) -> CmdResult {
    let table = session.table();
    if argv.len() == 1 {
        return Ok(Reply::Array(
            visible(table).map(RefCommand::info_reply).collect(),
        ));
    }
    match subcommand("command", SUBCOMMANDS, argv)? {
        "count" => Ok(Reply::Int(table.visible().len() as i64)),
        "info" if argv.len() == 2 => Ok(Reply::Array(
            visible(table).map(RefCommand::info_reply).collect(),
        )),
        "info" => Ok(Reply::Array(
            argv[2..]
                .iter()
                .map(|name| lookup_full(table, name).map_or(Reply::Nil, RefCommand::info_reply))
                .collect(),
        )),
        "docs" if argv.len() == 2 => Ok(Reply::Map(
            visible(table)
                .map(|r| (Reply::bulk(r.name.clone()), r.docs_reply()))
                .collect(),
        )),
        "docs" => Ok(Reply::Map(
            argv[2..]
                .iter()
                .filter_map(|name| lookup_full(table, name))
                .map(|r| (Reply::bulk(r.name.clone()), r.docs_reply()))
                .collect(),
        )),
        "list" => list(table, argv),
        "getkeys" => get_keys(table, &argv[2..], false),
        "getkeysandflags" => get_keys(table, &argv[2..], true),
        _ => Ok(help_reply("command", HELP)),
    }
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern].
fn list(table: &Table, argv: &[Bytes]) -> CmdResult {
    enum Filter<'a> {
        All,
        Module,
        AclCat(String),
        Pattern(&'a [u8]),
    }
    let filter = match &argv[2..] {
        [] => Filter::All,
        [by, kind, arg] if args::is(by, "FILTERBY") => {
            if args::is(kind, "MODULE") {
                Filter::Module
            } else if args::is(kind, "ACLCAT") {
                Filter::AclCat(format!("@{}", args::lower(arg)))
            } else if args::is(kind, "PATTERN") {
                Filter::Pattern(arg)
            } else {
                return Err(CmdError::Syntax);
            }
        }
        _ => return Err(CmdError::Syntax),
    };
    let keep = |r: &RefCommand| match &filter {
        Filter::All => true,
        Filter::Module => false,
        Filter::AclCat(cat) => r.acl_categories.iter().any(|c| c.eq_ignore_ascii_case(cat)),
        Filter::Pattern(p) => glob::matches(p, r.name.as_bytes(), true),
    };
    let mut names = Vec::new();
    for r in visible(table) {
        for c in std::iter::once(r).chain(r.subcommands()) {
            if keep(c) {
                names.push(Reply::bulk(c.name.clone()));
            }
        }
    }
    Ok(Reply::Array(names))
}

/// COMMAND GETKEYS / GETKEYSANDFLAGS (Redis's `getKeysSubcommandImpl`).
fn get_keys(table: &Table, target: &[Bytes], with_flags: bool) -> CmdResult {
    let r = lookup_argv(table, target)
        .ok_or_else(|| CmdError::other("ERR Invalid command specified"))?;
    if !r.has_keys() {
        return Err(CmdError::other("ERR The command has no key arguments"));
    }
    if !r.arity_ok(target.len()) {
        return Err(CmdError::other(
            "ERR Invalid number of arguments specified for command",
        ));
    }
    let keys = match r.keys(target) {
        Some(keys) if !keys.is_empty() => keys,
        _ if r.has_flag("no_mandatory_keys") => Vec::new(),
        _ => {
            return Err(CmdError::other(
                "ERR Invalid arguments specified for command",
            ));
        }
    };
    Ok(Reply::Array(
        keys.into_iter()
            .map(|(i, flags)| {
                let key = Reply::Bulk(target[i].clone());
                if with_flags {
                    Reply::Array(vec![key, statuses(&flags)])
                } else {
                    key
                }
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::session::testing::TestSession;
    use crate::resp::Protocol;

    #[test]
    fn reference_parses() {
        let r = reference();
        // Redis 7.0's 240 commands, and redraft's own RAFT.* commands.
        let own = r.keys().filter(|name| name.starts_with("raft.")).count();
        assert_eq!((r.len() - own, own), (240, 6));
        let get = &r["get"];
        assert_eq!(
            (get.arity, get.first_key, get.last_key, get.step),
            (2, 1, 1, 1)
        );
        assert_eq!(r["client"].subcommands.len(), 16);
        assert!(matches!(
            r["zunionstore"].key_specs[1].find_keys,
            FindKeys::Keynum { .. }
        ));
    }

    /// The container commands' own subcommand tables agree with Redis's arities.
    #[test]
    fn subcommand_tables_match_reference() {
        use crate::cmd::{connection, server};
        for (parent, table) in [
            ("client", connection::client::SUBCOMMANDS),
            ("command", SUBCOMMANDS),
            ("config", server::config::SUBCOMMANDS),
            ("slowlog", server::slowlog::SUBCOMMANDS),
        ] {
            for (sub, arity) in table {
                let full = format!("{parent}|{sub}");
                match reference()[parent]
                    .subcommands
                    .iter()
                    .find(|s| s.name == full)
                {
                    Some(r) => assert_eq!(*arity, r.arity, "{full}"),
                    None => assert_eq!(extra_arity(&full), Some(*arity), "{full}"),
                }
            }
        }
    }

    #[test]
    fn info_entries_in_both_protocols() {
        let mut s = TestSession::new();
        let get2 = "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n\
                    :1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n\
                    *2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\n\
                    index\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n\
                    $4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\n\
                    keystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";
        assert_eq!(s.wire(&["COMMAND", "INFO", "get"]), get2);
        let get3 = "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n\
                    :1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n\
                    ~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\n\
                    index\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n\
                    $4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\n\
                    keystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n";
        s.client.protocol = Protocol::Resp3;
        assert_eq!(s.wire(&["command", "info", "GET"]), get3);
        s.client.protocol = Protocol::Resp2;
        assert_eq!(
            s.wire(&["COMMAND", "INFO", "nosuch", "ping"]),
            "*2\r\n$-1\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n\
             +@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\n\
             response_policy:all_succeeded\r\n*0\r\n*0\r\n"
        );
        assert_eq!(
            s.wire(&["COMMAND", "INFO", "config|get"]),
            "*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n\
             +stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n\
             *0\r\n"
        );
        // Subcommands this server does not have are left out.
        assert_eq!(
            s.wire(&["COMMAND", "INFO", "client|pause", "client|nosuch"]),
            "*2\r\n$-1\r\n$-1\r\n"
        );
        let Reply::Array(all) = s.run(&["COMMAND"]) else {
            panic!()
        };
        assert_eq!(all.len(), s.table.visible().len());
        assert_eq!(
            s.wire(&["COMMAND", "COUNT"]),
            format!(":{}\r\n", s.table.visible().len())
        );
    }

    #[test]
    fn renamed_and_disabled_commands() {
        let mut s = TestSession::with_config(crate::Config {
            rename_commands: vec![
                ("get".into(), "fetch".into()),
                ("flushall".into(), "".into()),
            ],
            ..crate::Config::default()
        });
        assert_eq!(
            s.wire(&["COMMAND", "INFO", "get", "flushall"]),
            "*2\r\n$-1\r\n$-1\r\n"
        );
        assert!(
            s.wire(&["COMMAND", "INFO", "fetch"])
                .starts_with("*1\r\n*10\r\n$3\r\nget\r\n")
        );
        let count = Table::canonical().visible().len() - 1;
        assert_eq!(s.wire(&["COMMAND", "COUNT"]), format!(":{count}\r\n"));
    }

    #[test]
    fn docs_in_both_protocols() {
        let mut s = TestSession::new();
        s.client.protocol = Protocol::Resp3;
        assert_eq!(
            s.wire(&["COMMAND", "DOCS", "get", "nosuch"]),
            "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n\
             $5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n\
             $4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\n\
             type\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n"
        );
        // History as a set of pairs, arguments with flags, as Redis 7.0.
        let hello = s.wire(&["COMMAND", "DOCS", "hello"]);
        assert!(
            hello.contains("$7\r\nhistory\r\n~1\r\n*2\r\n$5\r\n6.2.0\r\n"),
            "{hello}"
        );
        assert!(
            hello.contains("$5\r\nflags\r\n~1\r\n+optional\r\n"),
            "{hello}"
        );
        s.client.protocol = Protocol::Resp2;
        let client = s.wire(&["COMMAND", "DOCS", "client"]);
        assert!(client.starts_with("*2\r\n$6\r\nclient\r\n*10\r\n$7\r\nsummary\r\n"));
        assert!(client.contains("$11\r\nsubcommands\r\n*"));
        assert!(client.contains("$11\r\nclient|list\r\n"));
        assert!(!client.contains("client|pause"));
        assert_eq!(s.wire(&["COMMAND", "DOCS", "nosuch"]), "*0\r\n");
    }

    #[test]
    fn list_and_filters() {
        let mut s = TestSession::new();
        let Reply::Array(all) = s.run(&["COMMAND", "LIST"]) else {
            panic!()
        };
        assert!(all.contains(&Reply::text("get")));
        assert!(all.contains(&Reply::text("client|list")));
        assert!(!all.contains(&Reply::text("client|pause")));
        let Reply::Array(conn) = s.run(&["COMMAND", "LIST", "FILTERBY", "ACLCAT", "Connection"])
        else {
            panic!()
        };
        assert!(conn.contains(&Reply::text("hello")));
        assert!(!conn.contains(&Reply::text("get")));
        assert_eq!(
            s.run(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "SEL*"]),
            Reply::Array(vec![Reply::text("select")])
        );
        assert_eq!(
            s.wire(&["COMMAND", "LIST", "FILTERBY", "MODULE", "x"]),
            "*0\r\n"
        );
        for bad in [
            &["COMMAND", "LIST", "FILTERBY"][..],
            &["COMMAND", "LIST", "FILTERBY", "foo", "x"],
            &["COMMAND", "LIST", "x"],
        ] {
            assert_eq!(s.wire(bad), "-ERR syntax error\r\n");
        }
    }

    #[test]
    fn getkeys() {
        let mut s = TestSession::new();
        assert_eq!(
            s.wire(&["COMMAND", "GETKEYS", "SET", "a", "b"]),
            "*1\r\n$1\r\na\r\n"
        );
        assert_eq!(
            s.wire(&["COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"]),
            "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n"
        );
        for (args, err) in [
            (
                &["COMMAND", "GETKEYS", "nosuch", "a"][..],
                "-ERR Invalid command specified\r\n",
            ),
            (
                &["COMMAND", "GETKEYS", "get", "a", "b"],
                "-ERR Invalid number of arguments specified for command\r\n",
            ),
            (
                &["COMMAND", "GETKEYS", "ping", "x"],
                "-ERR The command has no key arguments\r\n",
            ),
            (
                &["COMMAND", "GETKEYS", "client", "list"],
                "-ERR The command has no key arguments\r\n",
            ),
            (
                &["COMMAND", "GETKEYS", "get"],
                "-ERR wrong number of arguments for 'command|getkeys' command\r\n",
            ),
        ] {
            assert_eq!(s.wire(args), err, "{args:?}");
        }
    }

    /// Key extraction through the specs, for commands this table may not have yet.
    #[test]
    fn key_specs() {
        let keys = |name: &str, args: &[&str]| {
            let argv: Vec<Bytes> = args
                .iter()
                .map(|a| Bytes::copy_from_slice(a.as_bytes()))
                .collect();
            reference()[name].keys(&argv).map(|k| {
                k.into_iter()
                    .map(|(i, _)| args[i].to_string())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            keys("mset", &["mset", "a", "1", "b", "2"]),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            keys(
                "zunionstore",
                &["zunionstore", "d", "2", "a", "b", "weights", "1", "2"]
            ),
            Some(vec!["d".into(), "a".into(), "b".into()])
        );
        assert_eq!(
            keys("zunionstore", &["zunionstore", "d", "5", "a", "b"]),
            None
        );
        assert_eq!(
            keys("zunionstore", &["zunionstore", "d", "x", "a", "b"]),
            None
        );
        assert_eq!(
            keys(
                "xread",
                &["xread", "count", "1", "streams", "a", "b", "0", "0"]
            ),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            keys("lmpop", &["lmpop", "2", "a", "b", "left"]),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(keys("eval", &["eval", "s", "0"]), None);
        assert_eq!(
            keys("eval", &["eval", "s", "1", "k", "v"]),
            Some(vec!["k".into()])
        );
        assert_eq!(keys("eval", &["eval", "s", "99999999999999999999"]), None);
        assert_eq!(
            keys("sort", &["sort", "k", "by", "x", "store", "d", "get", "y"]),
            Some(vec!["k".into(), "d".into()])
        );
        assert_eq!(
            keys(
                "migrate",
                &["migrate", "h", "1", "", "0", "5", "copy", "keys", "a", "b"]
            ),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            keys("migrate", &["migrate", "h", "1", "k", "0", "5"]),
            Some(vec!["k".into()])
        );
    }

    #[test]
    fn getkeysandflags_with_variable_flags() {
        let mut s = TestSession::new();
        let flags = |s: &mut TestSession, args: &[&str]| {
            let mut argv = vec!["COMMAND", "GETKEYSANDFLAGS"];
            argv.extend_from_slice(args);
            s.wire(&argv)
        };
        assert_eq!(
            flags(&mut s, &["set", "a", "b", "get"]),
            "*1\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n"
        );
        assert_eq!(
            flags(&mut s, &["set", "a", "b", "EX", "10"]),
            "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n"
        );
    }

    #[test]
    fn subcommand_errors() {
        let mut s = TestSession::new();
        assert_eq!(
            s.wire(&["COMMAND", "foo"]),
            "-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n"
        );
        assert_eq!(
            s.wire(&["COMMAND", "COUNT", "x"]),
            "-ERR wrong number of arguments for 'command|count' command\r\n"
        );
        let help = s.wire(&["COMMAND", "HELP"]);
        assert!(help.starts_with(
            "*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        ));
        assert!(help.ends_with("+HELP\r\n+    Prints this help.\r\n"));
    }

    #[test]
    fn full_names() {
        let argv = |a: &[&str]| -> Vec<Bytes> {
            a.iter()
                .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                .collect()
        };
        assert_eq!(
            full_name(&SPEC, &argv(&["command", "INFO"])),
            "command|info"
        );
        assert_eq!(full_name(&SPEC, &argv(&["command"])), "command");
        assert_eq!(full_name(&SPEC, &argv(&["command", "x"])), "command");
        let client = &crate::cmd::connection::client::SPEC;
        assert_eq!(
            full_name(client, &argv(&["client", "setinfo"])),
            "client|setinfo"
        );
        let names = all_full_names(Table::canonical());
        assert!(names.contains(&"client|setinfo".to_string()));
        assert!(names.contains(&"get".to_string()));
    }

    #[test]
    fn subcommands_checked_before_auth() {
        let argv = |a: &[&str]| -> Vec<Bytes> {
            a.iter()
                .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                .collect()
        };
        let client = &crate::cmd::connection::client::SPEC;
        assert_eq!(check_subcommand(client, &argv(&["client", "id"])), Ok(()));
        assert_eq!(
            check_subcommand(client, &argv(&["client", "SETINFO", "LIB-NAME", "x"])),
            Ok(())
        );
        assert_eq!(
            check_subcommand(client, &argv(&["client", "Foo"]))
                .unwrap_err()
                .to_string(),
            "ERR unknown subcommand 'Foo'. Try CLIENT HELP."
        );
        assert_eq!(
            check_subcommand(client, &argv(&["client", "pause", "1"]))
                .unwrap_err()
                .to_string(),
            "ERR unknown subcommand 'pause'. Try CLIENT HELP."
        );
        assert_eq!(
            check_subcommand(client, &argv(&["client", "ID", "x"]))
                .unwrap_err()
                .to_string(),
            "ERR wrong number of arguments for 'client|id' command"
        );
        assert_eq!(
            check_subcommand(&crate::cmd::string::get::SPEC, &argv(&["get", "k"])),
            Ok(())
        );
    }
}
