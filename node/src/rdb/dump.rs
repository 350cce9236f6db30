//! DUMP and RESTORE payloads: one value in RDB form, then the RDB version (2 bytes LE) and
//! the CRC64 of everything before (8 bytes LE), exactly as Redis's `createDumpPayload`, so
//! keys move between stock Redis and redraft.

use super::crc64;
use super::encode::{value_type, write_value};
use super::error::RdbError;
use super::format::{MAX_READ_VERSION, RDB_VERSION};
use super::input::Input;
use super::load::{self, At};
use super::sink::Sink;
use crate::store::Value;

/// The DUMP payload of `value` (RDB version 10, LZF on, as Redis 7.0 writes it).
pub fn dump(value: &Value) -> Vec<u8> {
    let mut sink = Sink::new(Vec::new(), true);
    // Writing to a Vec cannot fail.
    let _ = sink.byte(value_type(value));
    let _ = write_value(&mut sink, value);
    let _ = sink.put(&(RDB_VERSION as u16).to_le_bytes());
    sink.finish().unwrap_or_default()
}

/// The value in a RESTORE payload for `key` (the key only names it in errors). Refused, as
/// Redis refuses it ("DUMP payload version or checksum are wrong"), when shorter than its
/// footer, from a newer RDB version than this reader knows, or with a wrong checksum; and
/// when the value is damaged, of an unsupported type, empty, or followed by extra bytes.
pub fn restore(key: &[u8], payload: &[u8]) -> Result<Value, RdbError> {
    let Some(body_len) = payload.len().checked_sub(10) else {
        return Err(RdbError::Truncated {
            offset: payload.len(),
            what: "a DUMP payload footer",
        });
    };
    let (body, footer) = payload.split_at(body_len);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    if u32::from(version) > MAX_READ_VERSION {
        return Err(RdbError::Version {
            version: version.to_string(),
        });
    }
    let mut stored = [0u8; 8];
    stored.copy_from_slice(&footer[2..]);
    let stored = u64::from_le_bytes(stored);
    let computed = crc64::crc64(&payload[..payload.len() - 8]);
    if stored != computed {
        return Err(RdbError::Checksum {
            offset: body_len + 2,
            stored,
            computed,
        });
    }
    let mut input = Input::new(body);
    let rdb_type = input.u8("a value type")?;
    let at = At {
        db: 0,
        key,
        offset: 0,
    };
    let value = load::value(&mut input, rdb_type, &at)?
        .ok_or_else(|| RdbError::corrupt(0, "the payload holds an empty collection"))?;
    if input.remaining() != 0 {
        return Err(RdbError::corrupt(
            input.pos(),
            format!("{} bytes after the value", input.remaining()),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::List;

    #[test]
    fn payloads_are_byte_identical_to_redis_dump() {
        // DUMP on redis-server 7.0.15 after `SET k hello` and `RPUSH l a 1`.
        let string = b"\x00\x05hello\n\x00cr\xdfve4 \n";
        let list = b"\x12\x01\x02\x0c\x0c\x00\x00\x00\x02\x00\x81a\x02\x01\x01\xff\n\x00\x94\x96+#\xac\x17\xaa\x85";
        let hello = Value::Str(crate::store::Str::new(b"hello"));
        let mut l = List::new();
        l.push_back(b"a");
        l.push_back(b"1");
        let l = Value::List(Arc::new(l));
        assert_eq!(dump(&hello), string);
        assert_eq!(dump(&l), list);
        assert_eq!(restore(b"k", string), Ok(hello));
        assert_eq!(restore(b"l", list), Ok(l));
    }

    #[test]
    fn damaged_payloads_are_refused() {
        let payload = dump(&Value::Str(crate::store::Str::new(b"12345")));
        for cut in 0..payload.len() {
            assert!(restore(b"k", &payload[..cut]).is_err());
        }
        let mut bad = payload.clone();
        bad[1] ^= 1;
        assert!(matches!(
            restore(b"k", &bad),
            Err(RdbError::Checksum { .. })
        ));
        let mut newer = payload.clone();
        let n = newer.len();
        newer[n - 10] = 99;
        assert!(matches!(
            restore(b"k", &newer),
            Err(RdbError::Version { .. })
        ));
    }
}
