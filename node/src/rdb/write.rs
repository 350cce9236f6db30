//! Writing a whole store as an RDB file (version 10, what Redis 7.0 writes and loads).

use std::io::{self, Write};

use super::encode::{is_empty, value_type, write_value};
use super::format::*;
use super::sink::Sink;
use crate::store::{Db, Store};

/// What goes in the file besides the keys. Nothing here is read from a clock or the process,
/// so two nodes holding the same state with the same `Header` write byte-identical files.
#[derive(Clone, Debug)]
pub struct Header<'a> {
    /// The `ctime` AUX field: the save time in Unix seconds, chosen by the caller (e.g. the
    /// time of the last applied log entry).
    pub ctime: u64,
    /// The `used-mem` AUX field, in bytes.
    pub used_mem: u64,
    /// Further AUX fields (name, value), written after Redis's own in this order; Redis
    /// ignores names it does not know.
    pub aux: &'a [(&'a [u8], &'a [u8])],
    /// Redis's `rdbcompression`: LZF-compress strings longer than 20 bytes when it saves
    /// space. On by default in Redis.
    pub compression: bool,
}

/// The `redis-ver` AUX field: the Redis version whose format the file follows.
pub const REDIS_VER: &[u8] = b"7.0.0";

/// Writes `store` to `out` as an RDB file: the AUX fields, then per non-empty database
/// SELECTDB, RESIZEDB and every key in the store's iteration order (expired keys included,
/// as Redis saves them, each with EXPIRETIME_MS when it has a TTL), then EOF and the CRC64.
///
/// Streams: memory use is one buffer plus the value being written, whatever the store's size.
/// Pass a clone of the store to write a point-in-time view while it keeps changing (cloning
/// is cheap: databases share structure, collections are copied on write).
pub fn write<W: Write>(store: &Store, header: &Header<'_>, out: W) -> io::Result<W> {
    let mut sink = Sink::new(out, header.compression);
    sink.put(format!("REDIS{RDB_VERSION:04}").as_bytes())?;
    write_aux(&mut sink, header)?;
    for (index, db) in store.dbs() {
        if !db.is_empty() {
            write_db(&mut sink, index, db)?;
        }
    }
    sink.byte(OP_EOF)?;
    sink.finish()
}

fn write_aux<W: Write>(sink: &mut Sink<W>, header: &Header<'_>) -> io::Result<()> {
    let bits = (usize::BITS as u64).to_string();
    let ctime = header.ctime.to_string();
    let used_mem = header.used_mem.to_string();
    let own: [(&[u8], &[u8]); 5] = [
        (b"redis-ver", REDIS_VER),
        (b"redis-bits", bits.as_bytes()),
        (b"ctime", ctime.as_bytes()),
        (b"used-mem", used_mem.as_bytes()),
        (b"aof-base", b"0"),
    ];
    for (name, value) in own.iter().chain(header.aux) {
        sink.byte(OP_AUX)?;
        sink.string(name)?;
        sink.string(value)?;
    }
    Ok(())
}

fn write_db<W: Write>(sink: &mut Sink<W>, index: usize, db: &Db) -> io::Result<()> {
    sink.byte(OP_SELECTDB)?;
    sink.len(index as u64)?;
    sink.byte(OP_RESIZEDB)?;
    sink.len(db.len() as u64)?;
    sink.len(db.volatile_len() as u64)?;
    for (key, entry) in db.iter() {
        if is_empty(&entry.value) {
            continue;
        }
        if let Some(at) = entry.expire_at() {
            sink.byte(OP_EXPIRETIME_MS)?;
            sink.put(&at.to_le_bytes())?;
        }
        sink.byte(value_type(&entry.value))?;
        sink.string(key)?;
        write_value(sink, &entry.value)?;
    }
    Ok(())
}
