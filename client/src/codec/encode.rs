//! Request encoding: every command goes out as a RESP array of bulk strings, the form Redis
//! reads fastest and the only one that carries binary arguments.

use bytes::{BufMut, Bytes, BytesMut};

/// Appends one command, as `*N\r\n$len\r\narg\r\n...`, to `out`.
///
/// ```
/// use bytes::BytesMut;
/// use redraft_client::codec::encode_command;
///
/// let mut out = BytesMut::new();
/// encode_command(&["GET", "k"], &mut out);
/// assert_eq!(&out[..], b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
/// ```
pub fn encode_command<A: AsRef<[u8]>>(args: &[A], out: &mut BytesMut) {
    let payload: usize = args.iter().map(|a| a.as_ref().len()).sum();
    out.reserve(payload + 16 * (args.len() + 1));
    header(out, b'*', args.len());
    for arg in args {
        let arg = arg.as_ref();
        header(out, b'$', arg.len());
        out.put_slice(arg);
        out.put_slice(b"\r\n");
    }
}

/// Encodes one command into its own buffer.
pub fn encode_to_bytes<A: AsRef<[u8]>>(args: &[A]) -> Bytes {
    let mut out = BytesMut::new();
    encode_command(args, &mut out);
    out.freeze()
}

fn header(out: &mut BytesMut, kind: u8, len: usize) {
    out.put_u8(kind);
    out.put_slice(len.to_string().as_bytes());
    out.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;
    use crate::codec::decode;

    #[test]
    fn binary_and_empty_arguments() {
        let out = encode_to_bytes(&[&b"SET"[..], b"", b"a\r\n\0"]);
        assert_eq!(&out[..], b"*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\n\0\r\n");
    }

    #[test]
    fn no_arguments() {
        let args: [&str; 0] = [];
        assert_eq!(&encode_to_bytes(&args)[..], b"*0\r\n");
    }

    #[test]
    fn round_trips_through_the_decoder() {
        let out = encode_to_bytes(&["HSET", "h", "f", "v"]);
        let (value, used) = decode(&out).unwrap().unwrap();
        assert_eq!(used, out.len());
        let Value::Array(items) = value else {
            panic!("{value:?}")
        };
        assert_eq!(items.len(), 4);
    }
}
