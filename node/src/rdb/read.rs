//! Reading a whole RDB file into a store: header, opcodes, keys, EOF and checksum.

use std::borrow::Cow;

use bytes::Bytes;

use super::crc64;
use super::error::RdbError;
use super::format::*;
use super::input::Input;
use super::load::{self, At};
use crate::store::{Entry, Store};

/// What a file holds once loaded.
pub struct Loaded {
    /// The keys, each stamped with its version (see [`read`] and [`read_stamped`]).
    pub store: Store,
    /// The AUX fields in file order (`redis-ver`, `ctime`, and any of the writer's own).
    pub aux: Vec<(Bytes, Bytes)>,
    /// The RDB version of the file (the four digits after `REDIS`).
    pub rdb_version: u32,
    /// Function libraries (FUNCTION2 records: each a library's source, `#!lua name=...`).
    /// redraft has no functions: the caller decides whether to refuse a file that has some.
    pub functions: Vec<Bytes>,
    /// Keys holding empty collections, skipped as Redis 7.0 skips them.
    pub skipped_empty: usize,
}

impl Loaded {
    /// The value of AUX field `name`, if the file has it.
    pub fn aux(&self, name: &[u8]) -> Option<&Bytes> {
        self.aux.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// Loads an RDB file (any version from 1 to 12, every encoding Redis has written) into a new
/// store of `databases` databases. Every key gets `version` as its last-change index (the
/// snapshot's log index).
///
/// Keys whose expiry has passed are loaded like any other (as a Redis replica loads them):
/// the reader has no clock, so two nodes loading the same file always hold the same state.
/// Such keys are invisible to reads, and the leader deletes them as it deletes any expired
/// key. An expiry at or before the epoch (which the store cannot represent) becomes 1 ms
/// after it: still long past.
///
/// The whole file is checked before anything is returned: a damaged file, a checksum
/// mismatch, a database beyond `databases`, a stream, a module value or module AUX data is
/// an error naming the offset, and nothing is half-loaded. A zero checksum means the writer
/// had checksums off (`rdbchecksum no`) and is accepted, as Redis does.
pub fn read(data: &[u8], databases: usize, version: u64) -> Result<Loaded, RdbError> {
    read_stamped(data, databases, |_, _| version)
}

/// [`read`], with each key's version from `stamp`: called once per key, in file order, with
/// the AUX fields read so far (a writer puts them before the keys) and the key's database.
pub fn read_stamped(
    data: &[u8],
    databases: usize,
    mut stamp: impl FnMut(&[(Bytes, Bytes)], usize) -> u64,
) -> Result<Loaded, RdbError> {
    let mut input = Input::new(data);
    let rdb_version = header(&mut input)?;
    let mut loaded = Loaded {
        store: Store::new(databases),
        aux: Vec::new(),
        rdb_version,
        functions: Vec::new(),
        skipped_empty: 0,
    };
    let databases = loaded.store.db_count();
    let mut db = 0usize;
    let mut expire: Option<u64> = None;
    loop {
        let at = input.pos();
        match input.u8("an opcode")? {
            OP_EOF => return eof(&mut input, rdb_version).map(|()| loaded),
            OP_SELECTDB => {
                let n = input.len("SELECTDB")?;
                db = usize::try_from(n).ok().filter(|&d| d < databases).ok_or(
                    RdbError::DbOutOfRange {
                        offset: at,
                        db: n,
                        databases,
                    },
                )?;
            }
            OP_EXPIRETIME => {
                let secs = i32::from_le_bytes(input.array("EXPIRETIME")?);
                expire = Some(clamp_expire(i64::from(secs).saturating_mul(1000)));
            }
            OP_EXPIRETIME_MS => {
                let ms = i64::from_le_bytes(input.array("EXPIRETIME_MS")?);
                expire = Some(clamp_expire(ms));
            }
            OP_RESIZEDB => {
                // Sizing hints only; never trusted for allocation.
                input.len("RESIZEDB")?;
                input.len("RESIZEDB")?;
            }
            OP_AUX => {
                let name = input.string("an AUX name")?;
                let value = input.string("an AUX value")?;
                loaded.aux.push((
                    Bytes::from(name.into_owned()),
                    Bytes::from(value.into_owned()),
                ));
            }
            OP_FREQ => {
                input.u8("FREQ")?;
            }
            OP_IDLE => {
                input.len("IDLE")?;
            }
            OP_FUNCTION2 => {
                let code = input.string("a FUNCTION2 library")?;
                loaded.functions.push(Bytes::from(code.into_owned()));
            }
            OP_SLOT_INFO => {
                for _ in 0..3 {
                    input.len("SLOT_INFO")?;
                }
            }
            OP_MODULE_AUX => return Err(module_aux(&mut input, at)),
            OP_FUNCTION_PRE_GA => {
                return Err(RdbError::Unsupported {
                    offset: at,
                    message: "a function in the format of Redis 7.0 release candidates (opcode 246); save the file again with Redis 7.0 or later".into(),
                });
            }
            rdb_type => {
                let entry = key_value(&mut input, rdb_type, db, at, expire.take())?;
                match entry {
                    Some((key, mut entry)) => {
                        entry.version = stamp(&loaded.aux, db);
                        insert(&mut loaded.store, db, key, entry, at)?
                    }
                    None => loaded.skipped_empty += 1,
                }
            }
        }
    }
}

/// `REDIS` and four version digits.
fn header(input: &mut Input<'_>) -> Result<u32, RdbError> {
    let magic = input.bytes(5, "the header").map_err(|_| RdbError::NotRdb)?;
    if magic != b"REDIS" {
        return Err(RdbError::NotRdb);
    }
    let digits = input
        .bytes(4, "the version")
        .map_err(|_| RdbError::Version {
            version: String::new(),
        })?;
    let text = String::from_utf8_lossy(digits).into_owned();
    text.parse::<u32>()
        .ok()
        .filter(|v| (1..=MAX_READ_VERSION).contains(v) && digits.iter().all(u8::is_ascii_digit))
        .ok_or(RdbError::Version { version: text })
}

/// After EOF: from version 5 on, the CRC64 of everything before it (0 when disabled).
fn eof(input: &mut Input<'_>, rdb_version: u32) -> Result<(), RdbError> {
    if rdb_version < 5 {
        return Ok(());
    }
    let covered = input.consumed();
    let offset = input.pos();
    let stored = u64::from_le_bytes(input.array("the checksum")?);
    let computed = crc64::crc64(covered);
    if stored != 0 && stored != computed {
        return Err(RdbError::Checksum {
            offset,
            stored,
            computed,
        });
    }
    Ok(())
}

/// A key as read (borrowed from the file unless it was compressed) and its entry.
type KeyEntry<'a> = (Cow<'a, [u8]>, Entry);

/// One key and its value; None for an empty collection.
fn key_value<'a>(
    input: &mut Input<'a>,
    rdb_type: u8,
    db: usize,
    offset: usize,
    expire: Option<u64>,
) -> Result<Option<KeyEntry<'a>>, RdbError> {
    let key = input.string("a key")?;
    let at = At {
        db,
        key: &key,
        offset,
    };
    let Some(value) = load::value(input, rdb_type, &at)? else {
        return Ok(None);
    };
    Ok(Some((key, Entry::with_expire(value, expire, 0))))
}

fn insert(
    store: &mut Store,
    db: usize,
    key: Cow<'_, [u8]>,
    entry: Entry,
    offset: usize,
) -> Result<(), RdbError> {
    if store.db_mut(db).insert_new(&key, entry) {
        Ok(())
    } else {
        Err(RdbError::DuplicateKey {
            offset,
            db,
            key: key.into_owned(),
        })
    }
}

/// An expiry the store can hold: it uses 0 for "no expiry".
fn clamp_expire(ms: i64) -> u64 {
    u64::try_from(ms).unwrap_or(0).max(1)
}

/// Module AUX data can only be read by its module, which redraft does not have.
fn module_aux(input: &mut Input<'_>, offset: usize) -> RdbError {
    let name = input
        .len("MODULE_AUX")
        .map(module_name)
        .unwrap_or_else(|_| "?".into());
    RdbError::Unsupported {
        offset,
        message: format!(
            "AUX data of Redis module {name}; redraft has no modules (save the file from a server without the module)"
        ),
    }
}

/// A module's name from its 64-bit type id: nine characters of 6 bits, then a 10-bit
/// encoding version (Redis's `moduleTypeNameByID`).
pub(super) fn module_name(id: u64) -> String {
    const CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut name = [0u8; 9];
    let mut rest = id >> 10;
    for slot in name.iter_mut().rev() {
        *slot = CHARS[(rest & 63) as usize];
        rest >>= 6;
    }
    String::from_utf8_lossy(&name).into_owned()
}
