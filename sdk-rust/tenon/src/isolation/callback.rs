//! A plugin's call into a host service, made during a call into it: the
//! child writes it into the calling slot's callback area and the host
//! thread waiting for that slot runs it, so host services run on the thread
//! that called the plugin, as in process.
//!
//! Layout in the callback area: the interface's version (u32), id
//! (length-prefixed), the method (u32), the argument count (u32), zero
//! padding to 8 bytes, then the argument records. The answer replaces it:
//! the result from offset 0, the error message from the area's middle.

use super::frame::{self, Reader, Writer};
use super::shm::{Area, Slot};
use crate::HostServices;
use std::sync::atomic::Ordering;
use tenon_interface::{HostBuffer, Status, WireArg};

/// Encodes a callback (the child's side) into `into`.
pub(crate) fn encode(
    into: &mut Vec<u8>,
    id: &str,
    version: u32,
    method: u32,
    args: &[WireArg<'_>],
) {
    let mut head = Writer::default();
    head.u32(version).str(id).u32(method).u32(args.len() as u32);
    into.clear();
    into.extend_from_slice(&head.bytes);
    into.resize(into.len().next_multiple_of(8), 0);
    let start = into.len();
    into.resize(start + frame::args_size(args), 0);
    frame::write_args(args, start, |at, bytes| {
        into[at..at + bytes.len()].copy_from_slice(bytes)
    });
}

/// Runs the callback waiting in `slot` (the host's side) and writes the
/// answer. Nothing in the request is trusted: it is copied out first, and a
/// malformed one is answered with `invalid_argument`.
pub(crate) fn serve(slot: &Slot<'_>, services: &HostServices) {
    let header = slot.header;
    let len = header.callback_len.load(Ordering::Acquire);
    let mut request = Vec::new();
    let (status, out, error) = if slot.read(Area::Callback, 0, len, &mut request) {
        run(&request, services)
    } else {
        (
            Status::INVALID_ARGUMENT.0,
            Vec::new(),
            b"malformed host-service call".to_vec(),
        )
    };
    let (_, size) = slot.bounds(Area::Callback);
    let half = size / 2;
    let (status, out, error) = if out.len() > half || error.len() > size - half {
        (
            Status::OUT_OF_MEMORY.0,
            Vec::new(),
            b"the host service's result does not fit in the slot's callback area".to_vec(),
        )
    } else {
        (status, out, error)
    };
    slot.write(Area::Callback, 0, &out);
    slot.write(Area::Callback, half, &error);
    header
        .callback_out_len
        .store(out.len() as u64, Ordering::Relaxed);
    header
        .callback_error_len
        .store(error.len() as u64, Ordering::Relaxed);
    header
        .callback_status
        .store(status as u32, Ordering::Release);
}

fn run(request: &[u8], services: &HostServices) -> (i32, Vec<u8>, Vec<u8>) {
    let refuse = |why: &str| {
        (
            Status::INVALID_ARGUMENT.0,
            Vec::new(),
            format!("malformed host-service call: {why}").into_bytes(),
        )
    };
    let mut reader = Reader::new(request);
    let (Some(version), Some(id), Some(method), Some(count)) =
        (reader.u32(), reader.str(), reader.u32(), reader.u32())
    else {
        return refuse("header");
    };
    let head = 4 + 8 + id.len() + 4 + 4;
    let start = head.next_multiple_of(8);
    let Some(rest) = request.get(start..) else {
        return refuse("header");
    };
    let args = match frame::parse_args(rest, count as usize) {
        Ok(args) => args,
        Err(why) => return refuse(why),
    };
    let Some((vtable, instance)) = services.find(id.as_bytes(), version) else {
        return (
            Status::NOT_FOUND.0,
            Vec::new(),
            format!("the host offers no {id} version {version}").into_bytes(),
        );
    };
    let Ok(declared) = tenon_interface::declared(id, version) else {
        return (
            Status::UNSUPPORTED.0,
            Vec::new(),
            format!("interface {id} version {version} is not declared in the host").into_bytes(),
        );
    };
    let mut out = HostBuffer::new();
    let mut error = HostBuffer::new();
    // SAFETY: `vtable` and `instance` are an offer of exactly this id and
    // version (so `declared`'s vtable type), alive while `services` is;
    // `dispatch` checks the method number and the arguments' kinds; the
    // buffers are live for the call.
    let status = unsafe {
        declared.dispatch(
            vtable,
            instance,
            method,
            &args,
            out.as_raw(),
            error.as_raw(),
        )
    };
    (
        status,
        out.into_vec().unwrap_or_default(),
        error.into_message().into_bytes(),
    )
}
