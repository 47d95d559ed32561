//! The byte layouts of what crosses the boundary: call arguments in a
//! slot's areas, and the control messages (the handshake) on the socket.
//!
//! Arguments are 16-byte records in declaration order: a tag word (0: a
//! scalar, 1: a slice) and the scalar's bits or the slice's length; a
//! slice's bytes follow its record, padded to 8 bytes. Fixed shapes need no
//! schema; every length is checked against what is left before use.

use tenon_interface::WireArg;

const WORD: u64 = 0;
const SLICE: u64 = 1;

/// The bytes `args` take as records.
pub(crate) fn args_size(args: &[WireArg<'_>]) -> usize {
    args.iter()
        .map(|arg| match arg {
            WireArg::Word(_) => 16,
            WireArg::Slice(bytes) => 16 + bytes.len().next_multiple_of(8),
        })
        .sum()
}

/// Writes `args` as records through `put(offset, bytes)`, starting at
/// `offset`; returns the offset after them. `put` must accept everything
/// (the caller checked [`args_size`]).
pub(crate) fn write_args(
    args: &[WireArg<'_>],
    mut offset: usize,
    mut put: impl FnMut(usize, &[u8]),
) -> usize {
    for arg in args {
        match arg {
            WireArg::Word(word) => {
                put(offset, &WORD.to_le_bytes());
                put(offset + 8, &word.to_le_bytes());
                offset += 16;
            }
            WireArg::Slice(bytes) => {
                put(offset, &SLICE.to_le_bytes());
                put(offset + 8, &(bytes.len() as u64).to_le_bytes());
                put(offset + 16, bytes);
                offset += 16 + bytes.len().next_multiple_of(8);
            }
        }
    }
    offset
}

/// Reads `count` records from `bytes`; slices borrow `bytes`.
pub(crate) fn parse_args(bytes: &[u8], count: usize) -> Result<Vec<WireArg<'_>>, &'static str> {
    let mut reader = Reader::new(bytes);
    let mut args = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        let tag = reader.u64().ok_or("argument record cut short")?;
        let value = reader.u64().ok_or("argument record cut short")?;
        match tag {
            WORD => args.push(WireArg::Word(value)),
            SLICE => {
                let len = usize::try_from(value).map_err(|_| "argument too long")?;
                let slice = reader.take(len).ok_or("argument bytes cut short")?;
                reader
                    .take(len.next_multiple_of(8) - len)
                    .ok_or("argument padding cut short")?;
                args.push(WireArg::Slice(slice));
            }
            _ => return Err("unknown argument tag"),
        }
    }
    Ok(args)
}

/// How one method of a declaration carries its calls, as the host and the
/// child compare them: a runner built with another declaration of an
/// interface than the host's would dispatch the host's calls by its own.
pub(crate) fn method_signature(method: &tenon_interface::Method) -> String {
    format!("{}{:?}->{:?}", method.name, method.args, method.result)
}

/// Builds a control message or a small request.
#[derive(Default)]
pub(crate) struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn u32(&mut self, value: u32) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_le_bytes());
        self
    }

    pub(crate) fn u64(&mut self, value: u64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_le_bytes());
        self
    }

    pub(crate) fn bytes(&mut self, value: &[u8]) -> &mut Self {
        self.u64(value.len() as u64);
        self.bytes.extend_from_slice(value);
        self
    }

    pub(crate) fn str(&mut self, value: &str) -> &mut Self {
        self.bytes(value.as_bytes())
    }
}

/// Reads what a [`Writer`] built, checking every length.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub(crate) fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        if len > self.rest.len() {
            return None;
        }
        let (head, tail) = self.rest.split_at(len);
        self.rest = tail;
        Some(head)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u64()?).ok()?;
        self.take(len)
    }

    pub(crate) fn str(&mut self) -> Option<&'a str> {
        core::str::from_utf8(self.bytes()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_round_trip_and_truncation_is_refused() {
        let args = [
            WireArg::Word(7),
            WireArg::Slice(b"hello"),
            WireArg::Slice(b""),
            WireArg::Word(u64::MAX),
        ];
        let mut buf = vec![0u8; args_size(&args)];
        let end = write_args(&args, 0, |at, bytes| {
            buf[at..at + bytes.len()].copy_from_slice(bytes)
        });
        assert_eq!(end, buf.len());
        assert_eq!(parse_args(&buf, 4).unwrap(), args);
        for cut in 0..buf.len() {
            assert!(parse_args(&buf[..cut], 4).is_err(), "cut at {cut}");
        }
        let mut huge = buf.clone();
        huge[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(parse_args(&huge, 4).is_err());
    }
}
