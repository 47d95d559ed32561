//! The control socket: one message with descriptors from host to child
//! (the plugin file and the shared memory, `SCM_RIGHTS`), and
//! length-prefixed messages on it after that (the handshake).

use rustix::net::{
    recvmsg, sendmsg, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags,
};
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;

/// The most descriptors one message carries.
const MAX_FDS: usize = 32;

/// A write to a closed peer fails instead of raising SIGPIPE (macOS has no
/// such flag: its sockets get `SO_NOSIGPIPE` in `platform/macos.rs`).
#[cfg(not(target_os = "macos"))]
const SEND_FLAGS: SendFlags = SendFlags::NOSIGNAL;
#[cfg(target_os = "macos")]
const SEND_FLAGS: SendFlags = SendFlags::empty();

/// Received descriptors are close-on-exec at once where the system can
/// (Linux); elsewhere [`receive`] sets it right after.
#[cfg(target_os = "linux")]
const RECV_FLAGS: RecvFlags = RecvFlags::CMSG_CLOEXEC;
#[cfg(not(target_os = "linux"))]
const RECV_FLAGS: RecvFlags = RecvFlags::empty();

/// Sends `bytes` (length-prefixed) with `fds` attached.
pub(crate) fn send(socket: &UnixStream, bytes: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
    let len = (bytes.len() as u32).to_le_bytes();
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
    let mut ancillary = SendAncillaryBuffer::new(&mut space);
    if !ancillary.push(SendAncillaryMessage::ScmRights(fds)) {
        return Err(io::Error::other("too many descriptors"));
    }
    // The descriptors travel with the first byte; the rest follows as a
    // plain stream.
    let sent = sendmsg(socket, &[IoSlice::new(&len)], &mut ancillary, SEND_FLAGS)?;
    let mut writer = socket;
    writer.write_all(&len[sent..])?;
    writer.write_all(bytes)
}

/// Receives what [`send`] sent: the bytes and the descriptors.
pub(crate) fn receive(socket: &UnixStream) -> io::Result<(Vec<u8>, Vec<OwnedFd>)> {
    let mut len = [0u8; 4];
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
    let mut ancillary = RecvAncillaryBuffer::new(&mut space);
    let received = recvmsg(
        socket,
        &mut [IoSliceMut::new(&mut len)],
        &mut ancillary,
        RECV_FLAGS,
    )?;
    if received.bytes == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    let mut fds = Vec::new();
    for message in ancillary.drain() {
        if let RecvAncillaryMessage::ScmRights(rights) = message {
            fds.extend(rights);
        }
    }
    #[cfg(not(target_os = "linux"))]
    for fd in &fds {
        // The child receives before it starts anything, so no exec can
        // have slipped in between.
        rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::CLOEXEC)?;
    }
    let mut reader = socket;
    reader.read_exact(&mut len[received.bytes..])?;
    let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
    reader.read_exact(&mut bytes)?;
    Ok((bytes, fds))
}

/// Writes one length-prefixed message.
pub(crate) fn write_message(socket: &UnixStream, bytes: &[u8]) -> io::Result<()> {
    let mut writer = socket;
    writer.write_all(&(bytes.len() as u32).to_le_bytes())?;
    writer.write_all(bytes)
}
