//! The shared memory between a host and an isolated plugin's process: a
//! mapping only the two can reach (a sealed `memfd` on Linux, an unnamed
//! section on Windows: `platform::Mapping`) holding a header and a fixed
//! number of call slots, each with its wake-up (`platform::SlotWake`).
//!
//! Each slot is one call in flight: a header of atomic words (the futex
//! state word first) and a data area split into a request area (written by
//! the host), a reply area (written by the child: the result, then the error
//! message) and a callback area (a plugin's call back into the host during
//! the call, and the host's answer). Everything either side reads from the
//! other is read through atomics or copied out before it is trusted: the
//! child may be buggy or hostile, and the host checks every offset and
//! length against the areas' bounds.

use super::platform::{Mapping, SlotWake};
use std::io;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// Identifies a Tenon region (and its layout version).
const MAGIC: u32 = 0x7e40_0003;
/// The region header's size; slots follow it.
const HEADER_SIZE: usize = 4096;
/// Bytes at the end of the reply area kept for the error message.
pub(crate) const ERROR_AREA: usize = 64 << 10;

/// The region header, written by the host before the child maps it.
#[repr(C)]
struct Header {
    magic: AtomicU32,
    slots: AtomicU32,
    slot_size: AtomicU64,
    /// Which records the host would keep (`interest`): the host writes it
    /// whenever that changes, the child reads it before writing one.
    interest: AtomicU32,
}

/// The words of one slot, each written by one side at a time as the state
/// word says.
#[repr(C, align(128))]
pub(crate) struct SlotHeader {
    /// The futex word: see [`state`].
    pub state: AtomicU32,
    /// Bit [`HOST_ASLEEP`] / [`CHILD_ASLEEP`]: that side sleeps (or is
    /// about to) in `FUTEX_WAIT` on `state` and must be woken.
    pub sleepers: AtomicU32,
    /// The request: [`op`] and its operands.
    pub op: AtomicU32,
    pub method: AtomicU32,
    pub target: AtomicU64,
    pub request_len: AtomicU64,
    /// The reply: a status and lengths in the reply area.
    pub status: AtomicU32,
    pub out_len: AtomicU64,
    pub error_len: AtomicU64,
    /// Non-zero when the plugin returned `TENON_OK` with an output buffer
    /// whose bookkeeping it corrupted: the host reports kind
    /// `invalid_output`, as it does for a plugin in its own process.
    pub out_corrupted: AtomicU32,
    /// A callback (child → host) and its answer, in the callback area.
    pub callback_len: AtomicU64,
    pub callback_status: AtomicU32,
    pub callback_out_len: AtomicU64,
    pub callback_error_len: AtomicU64,
}

/// The states of a slot's futex word.
pub(crate) mod state {
    /// Free; nothing to do.
    pub const IDLE: u32 = 0;
    /// The host wrote a request; the child serves it.
    pub const REQUEST: u32 = 1;
    /// The child, inside the call, asks the host to run a host service.
    pub const CALLBACK: u32 = 2;
    /// The host answered the callback; the call goes on in the child.
    pub const CALLBACK_REPLY: u32 = 3;
    /// The child answered the request.
    pub const REPLY: u32 = 4;
    /// Written by the host only, once the child is dead, to wake waiters.
    pub const DEAD: u32 = 5;
}

/// The operations a request can carry.
pub(crate) mod op {
    /// Call method `method` of the interface registered as `target >> 32`
    /// on instance `target & 0xffff_ffff`.
    pub const CALL: u32 = 1;
    /// Create an instance; the request is the config. Reply: its id.
    pub const CREATE: u32 = 2;
    /// Destroy instance `target`.
    pub const DESTROY: u32 = 3;
    /// Answer at once (health check).
    pub const PING: u32 = 4;
    /// Look interface (id, version) up and verify its vtable; the reply is
    /// its index for CALL, or the name of a NULL method.
    pub const INTERFACE: u32 = 5;
}

/// Sleeper bits.
pub(crate) const HOST_ASLEEP: u32 = 1;
pub(crate) const CHILD_ASLEEP: u32 = 2;

/// A mapped region.
pub(crate) struct Shm {
    mapping: Mapping,
    slots: usize,
    slot_size: usize,
    wakes: Vec<SlotWake>,
}

// SAFETY: the mapping is shared memory accessed only through atomics and
// explicit copies; the pointer is valid until drop. The wake-ups are
// handles any thread may use.
unsafe impl Send for Shm {}
// SAFETY: as above.
unsafe impl Sync for Shm {}

impl Shm {
    /// A new region of `slots` slots of `slot_size` data bytes each (on
    /// Linux sealed against shrinking and growing, so the child cannot make
    /// the host's accesses fault; a Windows section has a fixed size).
    pub(crate) fn create(slots: usize, slot_size: usize) -> io::Result<Shm> {
        let len = HEADER_SIZE + slots * (size_of::<SlotHeader>() + slot_size);
        let mapping = Mapping::create(len)?;
        let wakes = (0..slots)
            .map(|_| SlotWake::create())
            .collect::<io::Result<Vec<_>>>()?;
        let shm = Shm {
            mapping,
            slots,
            slot_size,
            wakes,
        };
        let header = shm.header();
        header.slots.store(slots as u32, Ordering::Relaxed);
        header.slot_size.store(slot_size as u64, Ordering::Relaxed);
        header.magic.store(MAGIC, Ordering::Release);
        Ok(shm)
    }

    /// The region the host created, as the child received it: its mapping
    /// and (where they are objects of their own) the slots' wake-ups.
    pub(crate) fn open(mapping: Mapping, wakes: Vec<SlotWake>) -> io::Result<Shm> {
        let len = mapping.len();
        if len < HEADER_SIZE {
            return Err(io::Error::other("shared memory too small"));
        }
        let mut probe = Shm {
            mapping,
            slots: 0,
            slot_size: 0,
            wakes,
        };
        let header = probe.header();
        if header.magic.load(Ordering::Acquire) != MAGIC {
            return Err(io::Error::other("not a Tenon shared memory region"));
        }
        let slots = header.slots.load(Ordering::Relaxed) as usize;
        let slot_size = header.slot_size.load(Ordering::Relaxed) as usize;
        let expected = slots
            .checked_mul(size_of::<SlotHeader>() + slot_size)
            .and_then(|n| n.checked_add(HEADER_SIZE));
        // A Windows view is rounded up to whole pages.
        if expected.is_none_or(|expected| expected > len || (SlotWake::IN_WORD && expected != len))
        {
            return Err(io::Error::other("shared memory layout mismatch"));
        }
        if SlotWake::IN_WORD {
            probe.wakes = (0..slots)
                .map(|_| SlotWake::create())
                .collect::<io::Result<Vec<_>>>()?;
        } else if probe.wakes.len() != slots {
            return Err(io::Error::other("one wake-up per slot expected"));
        }
        probe.slots = slots;
        probe.slot_size = slot_size;
        Ok(probe)
    }

    fn header(&self) -> &Header {
        // SAFETY: the header lies at the start of the mapping, which is
        // page-aligned and at least HEADER_SIZE long; it is only atomics.
        unsafe { &*self.mapping.base().as_ptr().cast::<Header>() }
    }

    /// Tells the child which records the host would keep now.
    pub(crate) fn set_interest(&self, bits: u32) {
        self.header().interest.store(bits, Ordering::Relaxed);
    }

    /// Which records the host would keep, as it last said.
    pub(crate) fn interest(&self) -> u32 {
        self.header().interest.load(Ordering::Relaxed)
    }

    /// The mapping, to send to the child.
    pub(crate) fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// The slots' wake-ups, to send to the child.
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    pub(crate) fn wakes(&self) -> &[SlotWake] {
        &self.wakes
    }

    /// How many slots the region has.
    pub(crate) fn slots(&self) -> usize {
        self.slots
    }

    /// Slot `index` (`< slots()`).
    pub(crate) fn slot(&self, index: usize) -> Slot<'_> {
        assert!(index < self.slots, "slot {index} out of range");
        let stride = size_of::<SlotHeader>() + self.slot_size;
        // SAFETY: in bounds of the mapping by the layout computed in
        // `create`/checked in `open`.
        let header = unsafe {
            self.mapping
                .base()
                .as_ptr()
                .add(HEADER_SIZE + index * stride)
        };
        Slot {
            // SAFETY: aligned (HEADER_SIZE and the stride are multiples of
            // 128) and made only of atomics.
            header: unsafe { &*header.cast::<SlotHeader>() },
            wake: &self.wakes[index],
            // SAFETY: right after the header, within the mapping.
            data: unsafe { header.add(size_of::<SlotHeader>()) },
            size: self.slot_size,
            _shm: core::marker::PhantomData,
        }
    }
}

/// The areas of a slot's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Area {
    /// Host → child: the request.
    Request,
    /// Child → host: the result and, in its last [`ERROR_AREA`] bytes, the
    /// error message.
    Reply,
    /// Child → host during a call: a host-service call; then its answer.
    Callback,
}

/// One slot of a mapped region.
#[derive(Clone, Copy)]
pub(crate) struct Slot<'a> {
    pub header: &'a SlotHeader,
    /// How a sleeper on this slot's state word is woken.
    pub wake: &'a SlotWake,
    data: *mut u8,
    size: usize,
    _shm: core::marker::PhantomData<&'a Shm>,
}

impl Slot<'_> {
    /// Where an area starts in the data, and its length: 3/8 request, 3/8
    /// reply, 1/4 callback.
    pub(crate) fn bounds(&self, area: Area) -> (usize, usize) {
        let eighth = self.size / 8;
        match area {
            Area::Request => (0, 3 * eighth),
            Area::Reply => (3 * eighth, 3 * eighth),
            Area::Callback => (6 * eighth, self.size - 6 * eighth),
        }
    }

    /// The start of an area, for the side that writes it.
    pub(crate) fn area_ptr(&self, area: Area) -> (*mut u8, usize) {
        let (start, len) = self.bounds(area);
        // SAFETY: `start` is within the slot's data.
        (unsafe { self.data.add(start) }, len)
    }

    /// Copies `bytes` to `offset` in `area`; false if they do not fit.
    pub(crate) fn write(&self, area: Area, offset: usize, bytes: &[u8]) -> bool {
        let (ptr, len) = self.area_ptr(area);
        if offset > len || bytes.len() > len - offset {
            return false;
        }
        // SAFETY: bounds checked above; the other side does not touch this
        // area while this side owns it (by the state word), and if it does
        // (a hostile child) the bytes are plain data either way.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr.add(offset), bytes.len()) };
        true
    }

    /// Appends `len` bytes at `offset` in `area` to a caller's
    /// `tenon_buffer`, copying once, straight from the shared memory.
    /// `Ok(false)` if they are not within the area; `Err` with the status
    /// the buffer's `reserve` gave.
    ///
    /// # Safety
    ///
    /// `buffer` is a live `tenon_buffer` lent for the call.
    pub(crate) unsafe fn append_to(
        &self,
        area: Area,
        offset: u64,
        len: u64,
        buffer: *mut tenon_interface::sys::tenon_buffer,
    ) -> Result<bool, i32> {
        let (ptr, size) = self.area_ptr(area);
        let (Ok(offset), Ok(len)) = (usize::try_from(offset), usize::try_from(len)) else {
            return Ok(false);
        };
        if offset > size || len > size - offset {
            return Ok(false);
        }
        if len == 0 {
            return Ok(true);
        }
        // SAFETY: `buffer` is live (caller); `reserve` is never NULL for a
        // buffer a host lends (`plugin.h`).
        let buffer = unsafe { &mut *buffer };
        if buffer.capacity - buffer.len < len {
            let Some(reserve) = buffer.reserve else {
                return Err(tenon_interface::Status::INVALID_ARGUMENT.0);
            };
            // SAFETY: the buffer's own callback on the buffer.
            let status = unsafe { reserve(buffer, len) };
            if status != 0 {
                return Err(status);
            }
        }
        // SAFETY: the source is within the area (checked); `reserve`
        // made `len` bytes available after `buffer.len`.
        unsafe {
            core::ptr::copy_nonoverlapping(ptr.add(offset), buffer.data.add(buffer.len), len);
        }
        buffer.len += len;
        Ok(true)
    }

    /// Copies `len` bytes at `offset` in `area` out into `into`; false
    /// (copying nothing) if they are not within the area.
    pub(crate) fn read(&self, area: Area, offset: u64, len: u64, into: &mut Vec<u8>) -> bool {
        let (ptr, size) = self.area_ptr(area);
        let (Ok(offset), Ok(len)) = (usize::try_from(offset), usize::try_from(len)) else {
            return false;
        };
        if offset > size || len > size - offset {
            return false;
        }
        into.reserve(len);
        // SAFETY: the source is within the area (checked above), the
        // destination has `len` bytes reserved; the bytes are copied before
        // anything is decided from them.
        unsafe {
            core::ptr::copy_nonoverlapping(ptr.add(offset), into.as_mut_ptr().add(into.len()), len);
            into.set_len(into.len() + len);
        }
        true
    }
}
