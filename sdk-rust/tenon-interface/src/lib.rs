//! Declaring Tenon plugin interfaces in Rust.
//!
//! An interface is a C header (id, version, vtable struct) that every plugin
//! language includes. Rust gets the vtable struct through bindgen, and the
//! [`interface!`] macro turns a trait declaration into everything both sides
//! need — with the compiler checking that the trait and the C vtable agree.
//!
//! This crate is shared by hosts (the `tenon` crate) and Rust plugins (the
//! `tenon-plugin` crate); both re-export it, so applications rarely depend
//! on it directly.
//!
//! Every declared interface can also be carried across a process boundary
//! with no code written for it (see [`remote`]): `interface!` generates a
//! proxy vtable ([`Interface::PROXY_VTABLE`]) that sends each call's
//! arguments as [`WireArg`]s to a [`Remote`], a dispatcher
//! ([`Interface::dispatch`]) that checks them on the far side and calls a
//! real vtable, and an entry in a link-time registry ([`declared`]), so
//! that a process that knows an interface only by id and version can do
//! both. Failures the carrier reports (a crashed or hung plugin process)
//! come back as [`CallError`]s with a typed [`Fault`].
//!
//! Conventions every generated method follows (see `docs/ABI.md`):
//! the instance comes first, then the arguments as [`ArgType::Raw`], then the
//! result's out-parameter as [`Ret::Raw`], then `tenon_buffer *error`; the
//! return value is a `tenon_status`.
#![deny(missing_docs)]

pub mod boundary;
mod buffer;
mod call_error;
mod declare;
mod fault;
mod gate;
mod interface;
mod marshal;
pub mod raw;
mod registry;
pub mod remote;
mod state;
mod status;
mod wire;

pub use buffer::{append, HostBuffer};
pub use call_error::{CallError, CallResult};
pub use fault::Fault;
pub use gate::{CallGuard, Entered};
pub use interface::{
    in_shared_call, verify_vtable, Borrowed, Client, Counted, Implement, Interface, Method,
    Receiver, Reuse, ValueKind, VtableRefusal,
};
pub use marshal::{Arg, ArgType, Ret};
pub use registry::{all_declared, declared, registry_supported, Declared, DispatchFn, NotDeclared};
pub use remote::{ProxyInstance, Remote};
pub use state::State;
pub use status::Status;
/// The raw C types of `plugin.h`.
pub use tenon_sys as sys;
pub use wire::WireArg;

/// The id of a C header's `#define X_ID "..."`, which bindgen renders as
/// NUL-terminated bytes, so that a Rust declaration takes its id from the
/// header instead of repeating it:
/// `const ID = tenon_interface::c_id(sys::EXAMPLE_GREETER_ID);`.
///
/// Fails to compile (in a `const`) unless the bytes are NUL-terminated UTF-8
/// without interior NULs.
pub const fn c_id(bytes: &'static [u8]) -> &'static core::ffi::CStr {
    match core::ffi::CStr::from_bytes_with_nul(bytes) {
        Ok(id) => {
            __private::c_str_text(id);
            id
        }
        Err(_) => panic!("an interface id must be a NUL-terminated C string without interior NULs"),
    }
}

#[doc(hidden)]
pub mod __private {
    use crate::{CallError, HostBuffer, Status};

    #[cfg(tenon_registry)]
    pub use crate::registry::TENON_INTERFACES_0_1;
    pub use crate::remote::{dispatch, proxy};
    pub use crate::wire::{check_args, from_wire, to_wire, WireRaw, WireRet};
    pub use linkme;

    /// The slot of method `index` of a vtable being dispatched, or why it
    /// cannot be called: the vtable ends before it (an earlier revision of
    /// the interface; `not_provided`, `TENON_UNSUPPORTED` on the wire) or it
    /// is NULL. `_field` names the slot's type and is never called.
    ///
    /// # Safety
    ///
    /// `vtable` must be a vtable of interface `I` accepted by
    /// [`verify_vtable`](crate::verify_vtable), and `F` the type of method
    /// `index`'s slot.
    #[inline]
    pub unsafe fn dispatch_slot<I: ?Sized + crate::Interface, F: Copy>(
        vtable: *const core::ffi::c_void,
        index: usize,
        _field: impl FnOnce(&I::Vtable) -> Option<F>,
    ) -> Result<F, CallError> {
        let method = &I::METHODS[index];
        // SAFETY: a verified vtable starts with its size.
        let size = unsafe { vtable.cast::<u32>().read() };
        if index >= crate::interface::slots::within(size, I::METHODS.len()) {
            return Err(not_provided(I::ID, method));
        }
        // SAFETY: the slot lies within the vtable's `struct_size`, and is an
        // `Option<F>` (by the caller).
        let slot = unsafe { crate::interface::slots::read::<Option<F>>(vtable, index) };
        slot.ok_or_else(|| {
            CallError::invalid_argument(format!("the vtable's `{}` is NULL", method.name))
        })
    }

    /// A call to `method`, which the callee's vtable ends before.
    #[cold]
    #[inline(never)]
    pub fn not_provided(id: &str, method: &crate::Method) -> CallError {
        CallError::not_provided(format!(
            "`{}` (revision {} of {id}) is not provided by this plugin: its vtable ends before it (it was built against an earlier revision of the interface)",
            method.name, method.revision
        ))
    }

    /// A call to the method named `name` of `I`, which the callee's vtable
    /// ends before.
    #[cold]
    #[inline(never)]
    pub fn not_provided_named<I: ?Sized + crate::Interface>(name: &str) -> CallError {
        match I::METHODS.iter().find(|method| method.name == name) {
            Some(method) => not_provided(I::ID, method),
            None => CallError::not_provided(format!("`{name}` is not provided by this plugin")),
        }
    }

    /// The revision a method's attributes give: `found` from a
    /// `#[revision(N)]`, 0 from none; one attribute at most.
    pub const fn revision_once(found: u32, rest: u32) -> u32 {
        assert!(rest == 0, "a method has more than one `#[revision(N)]`");
        assert!(
            found >= 2,
            "`#[revision(N)]` needs N of at least 2: methods without it are revision 1"
        );
        found
    }

    /// A method's revision: 1 unless an attribute said otherwise.
    pub const fn method_revision(found: u32) -> u32 {
        if found == 0 {
            1
        } else {
            found
        }
    }

    /// Methods of later revisions are appended: a revision never
    /// decreases from one method to the next.
    pub const fn check_revisions(methods: &[crate::Method]) {
        let mut index = 1;
        while index < methods.len() {
            assert!(
                methods[index].revision >= methods[index - 1].revision,
                "a method of a later revision must come after every method of earlier ones: `#[revision(N)]` methods are appended to the vtable, in order"
            );
            index += 1;
        }
    }

    /// A method of an implementation called with a NULL instance: a
    /// plugin calling a service its host offers must pass the instance
    /// `get_interface` stored, and a host one that `create` stored.
    #[cold]
    pub fn null_instance() -> CallError {
        CallError::invalid_argument(
            "a method was called with a NULL instance (pass the instance pointer get_interface or create gave)",
        )
    }

    /// A method number that names no method.
    #[cold]
    pub fn no_such_method(method: u32, count: usize) -> CallError {
        CallError::invalid_argument(format!(
            "method number {method} is out of range: the interface has {count} method(s)"
        ))
    }

    /// The text of an interface id; fails to compile if it is not UTF-8.
    pub const fn c_str_text(id: &'static core::ffi::CStr) -> &'static str {
        match core::str::from_utf8(id.to_bytes()) {
            Ok(text) => text,
            Err(_) => panic!("an interface id must be UTF-8"),
        }
    }

    /// The C layout of a vtable, walked field by field at compile time:
    /// a `uint32_t struct_size` at offset 0, then function pointers.
    pub struct VtableLayout {
        next: usize,
    }

    type Slot = Option<unsafe extern "C" fn()>;

    impl VtableLayout {
        /// Starts at `struct_size`, which must be at offset 0.
        pub const fn new(struct_size_offset: usize) -> Self {
            assert!(
                struct_size_offset == 0,
                "the vtable's `struct_size` must be its first field (is the type `#[repr(C)]`?)"
            );
            VtableLayout {
                next: core::mem::size_of::<u32>(),
            }
        }

        /// The next method, which must be where C puts the next function
        /// pointer.
        pub const fn method(self, offset: usize) -> Self {
            let expected = align_up(self.next, core::mem::align_of::<Slot>());
            assert!(
                offset == expected,
                "a vtable method is not where C puts it: the type must be `#[repr(C)]`, with `struct_size` and then the methods in declaration order"
            );
            VtableLayout {
                next: expected + core::mem::size_of::<Slot>(),
            }
        }

        /// The whole struct: nothing may follow the last method.
        pub const fn end(self, size: usize, align: usize) {
            assert!(
                size == align_up(self.next, align),
                "the vtable type has fields the declaration does not list"
            );
        }
    }

    const fn align_up(offset: usize, align: usize) -> usize {
        offset.div_ceil(align) * align
    }

    /// The result kind of a method: the one listed, or none.
    pub const fn result_kind(kinds: &[crate::ValueKind]) -> Option<crate::ValueKind> {
        match kinds {
            [kind] => Some(*kind),
            _ => None,
        }
    }

    /// Turns a method's status into a result, taking the message from the
    /// error buffer on failure.
    #[inline]
    pub fn check(status: i32, error: HostBuffer) -> Result<(), CallError> {
        if status == Status::OK.0 {
            Ok(())
        } else {
            Err(failed(status, error))
        }
    }

    /// Kept out of line, so that the successful path of every generated
    /// method stays small enough to inline.
    #[cold]
    #[inline(never)]
    fn failed(status: i32, error: HostBuffer) -> CallError {
        let message = error.into_message();
        // A proxy call that failed on the caller's side, or met a fault,
        // left its detail (kind, typed fault) for this check.
        match crate::fault::take_pending(Status(status)) {
            Some(detail) => detail.with_message(message),
            None => CallError::new(Status(status), message),
        }
    }
}
