//! The `interface!` macro.

/// Declares a plugin interface in Rust, on top of its C vtable.
///
/// The input is a trait written as its users see it, plus three lines that
/// tie it to the C header: the id (a `&'static CStr`: a `c"..."` literal, or
/// [`c_id`](crate::c_id) of the header's `#define`), the version and the
/// bindgen-generated vtable struct. Each method takes `&self` and arguments of types that
/// implement [`Arg`](crate::Arg) (`&str`, `&[u8]`, integers, floats, `bool`),
/// and returns nothing or a type that implements [`Ret`](crate::Ret)
/// (`String`, `Vec<u8>`, integers, floats, `bool`).
///
/// The macro produces:
///
/// - the trait itself, each method returning
///   [`CallResult<T>`](crate::CallResult): plugins implement it;
/// - [`Interface`](crate::Interface) for `dyn Trait`: hosts ask for
///   `instance.interface::<dyn Trait>()`;
/// - [`Implement<T>`](crate::Implement) for `dyn Trait`: the C vtable for any
///   `T: Trait`, each method behind a panic boundary;
/// - the trait for [`Client<dyn Trait>`](crate::Client): the host's typed,
///   safe calls;
/// - [`Reuse`](crate::Reuse) for `dyn Trait`: the same calls through
///   [`Client::reusing`](crate::Client::reusing), which write `String` and
///   `Vec<u8>` results into a [`HostBuffer`](crate::HostBuffer) the host
///   keeps and return them as `&str` and `&[u8]`, so that a host calling in
///   a loop allocates nothing per call;
/// - [`Interface::PROXY_VTABLE`](crate::Interface::PROXY_VTABLE) and
///   [`Interface::dispatch`](crate::Interface::dispatch): the two halves of
///   a call carried across a process boundary (see
///   [`remote`](crate::remote)), and the interface's entry in the registry
///   [`declared`](crate::declared) reads.
///
/// The vtable is built with a struct literal of the C type, so a method that
/// is missing, extra, misnamed or has a different C signature than the
/// declaration implies is a compile error, not a crash.
///
/// For a method `fn m(&self, a: A, b: B) -> R`, the C slot must be
/// `tenon_status (*m)(void *instance, A', B', R' out, tenon_buffer *error)`,
/// where `A'` is `A`'s [`ArgType::Raw`](crate::ArgType::Raw) and `R'` is `R`'s
/// [`Ret::Raw`](crate::Ret::Raw); without `-> R` there is no `out`.
///
/// # Example
///
/// ```
/// // What bindgen generates from the interface's C header:
/// #[repr(C)]
/// #[derive(Clone, Copy)]
/// pub struct example_greeter_v1 {
///     pub struct_size: u32,
///     pub greet: Option<
///         unsafe extern "C" fn(
///             instance: *mut core::ffi::c_void,
///             name: tenon_sys::tenon_str,
///             out: *mut tenon_sys::tenon_buffer,
///             error: *mut tenon_sys::tenon_buffer,
///         ) -> tenon_sys::tenon_status,
///     >,
/// }
///
/// tenon_interface::interface! {
///     /// Greets someone by name.
///     pub trait Greeter {
///         const ID = c"org.tenon.example.greeter";
///         const VERSION = 1;
///         type Vtable = example_greeter_v1;
///
///         /// A greeting for `name`.
///         fn greet(&self, name: &str) -> String;
///     }
/// }
///
/// struct English;
///
/// impl Greeter for English {
///     fn greet(&self, name: &str) -> tenon_interface::CallResult<String> {
///         Ok(format!("Hello, {name}!"))
///     }
/// }
/// # use tenon_interface::Implement;
/// # let vtable = <dyn Greeter as Implement<English>>::VTABLE;
/// # assert_eq!(vtable.struct_size as usize, core::mem::size_of::<example_greeter_v1>());
/// # let english = English;
/// # // SAFETY: the vtable is `English`'s and outlives the client, as does
/// # // the instance; hosts get verified clients from the `tenon` crate.
/// # let client = unsafe {
/// #     tenon_interface::Client::<dyn Greeter>::new((&english as *const English).cast_mut().cast(), vtable)
/// # };
/// // A host's calls: a fresh `String` per call, or the host's own buffer.
/// assert_eq!(client.greet("Ada")?, "Hello, Ada!");
/// let mut out = tenon_interface::HostBuffer::new();
/// for name in ["Ada", "Grace"] {
///     let greeting: &str = client.reusing(&mut out).greet(name)?;
///     assert_eq!(greeting, format!("Hello, {name}!"));
/// }
/// # Ok::<(), tenon_interface::CallError>(())
/// ```
///
/// A result of [`Client::reusing`](crate::Client::reusing) borrows the
/// buffer, so the next call cannot overwrite a result still in use:
///
/// ```compile_fail,E0499
/// # #[repr(C)]
/// # #[derive(Clone, Copy)]
/// # pub struct example_greeter_v1 {
/// #     pub struct_size: u32,
/// #     pub greet: Option<
/// #         unsafe extern "C" fn(
/// #             instance: *mut core::ffi::c_void,
/// #             name: tenon_sys::tenon_str,
/// #             out: *mut tenon_sys::tenon_buffer,
/// #             error: *mut tenon_sys::tenon_buffer,
/// #         ) -> tenon_sys::tenon_status,
/// #     >,
/// # }
/// # tenon_interface::interface! {
/// #     pub trait Greeter {
/// #         const ID = c"org.tenon.example.greeter";
/// #         const VERSION = 1;
/// #         type Vtable = example_greeter_v1;
/// #         fn greet(&self, name: &str) -> String;
/// #     }
/// # }
/// fn both(client: &tenon_interface::Client<dyn Greeter>) -> tenon_interface::CallResult {
///     let mut out = tenon_interface::HostBuffer::new();
///     let first = client.reusing(&mut out).greet("Ada")?;
///     let second = client.reusing(&mut out).greet("Grace")?;
///     println!("{first} {second}");
///     Ok(())
/// }
/// ```
///
/// # Evolving an interface: `#[revision(N)]`
///
/// A method added to a published interface without bumping its version is
/// appended to the end of the C vtable and declared with the revision that
/// added it, `#[revision(2)]`, `#[revision(3)]`, … (methods without the
/// attribute are revision 1). Later revisions come after earlier ones, in
/// the vtable and in the declaration.
///
/// A plugin built against an earlier revision has a smaller vtable (its
/// `struct_size` ends before the new methods). The host accepts it as long
/// as it holds every revision-1 method ([`Interface::MIN_VTABLE_SIZE`](crate::Interface::MIN_VTABLE_SIZE)),
/// and calling a method it lacks returns a [`CallError`](crate::CallError)
/// of kind `not_provided` without reaching the plugin;
/// [`Client::provides`](crate::Client::provides) and
/// [`Client::revision`](crate::Client::revision) say so beforehand. A
/// plugin built against a later revision than the host's declaration works
/// too: the host reads the part of its vtable it knows. A Rust plugin
/// implements every method of the revision it is built against (the trait
/// requires them); to stay on an earlier revision, it builds against that
/// revision's declaration.
///
/// ```
/// # #[repr(C)]
/// # #[derive(Clone, Copy)]
/// # pub struct example_greeter_v1 {
/// #     pub struct_size: u32,
/// #     pub greet: Option<
/// #         unsafe extern "C" fn(
/// #             instance: *mut core::ffi::c_void,
/// #             name: tenon_sys::tenon_str,
/// #             out: *mut tenon_sys::tenon_buffer,
/// #             error: *mut tenon_sys::tenon_buffer,
/// #         ) -> tenon_sys::tenon_status,
/// #     >,
/// #     pub farewell: Option<
/// #         unsafe extern "C" fn(
/// #             instance: *mut core::ffi::c_void,
/// #             name: tenon_sys::tenon_str,
/// #             out: *mut tenon_sys::tenon_buffer,
/// #             error: *mut tenon_sys::tenon_buffer,
/// #         ) -> tenon_sys::tenon_status,
/// #     >,
/// # }
/// tenon_interface::interface! {
///     pub trait Greeter {
///         const ID = c"org.tenon.example.greeter";
///         const VERSION = 1;
///         type Vtable = example_greeter_v1;
///         fn greet(&self, name: &str) -> String;
///         /// Says goodbye; added in revision 2.
///         #[revision(2)]
///         fn farewell(&self, name: &str) -> String;
///     }
/// }
/// use tenon_interface::Interface;
/// assert_eq!(<dyn Greeter as Interface>::METHODS[1].revision, 2);
/// // `struct_size` and `greet`: what revision 1 had.
/// assert_eq!(<dyn Greeter as Interface>::MIN_VTABLE_SIZE, 2 * core::mem::size_of::<usize>());
/// ```
///
/// A method of an earlier revision after one of a later revision does not
/// compile:
///
/// ```compile_fail,E0080
/// # #[repr(C)]
/// # #[derive(Clone, Copy)]
/// # pub struct example_greeter_v1 {
/// #     pub struct_size: u32,
/// #     pub greet: Option<
/// #         unsafe extern "C" fn(
/// #             instance: *mut core::ffi::c_void,
/// #             name: tenon_sys::tenon_str,
/// #             out: *mut tenon_sys::tenon_buffer,
/// #             error: *mut tenon_sys::tenon_buffer,
/// #         ) -> tenon_sys::tenon_status,
/// #     >,
/// #     pub farewell: Option<
/// #         unsafe extern "C" fn(
/// #             instance: *mut core::ffi::c_void,
/// #             name: tenon_sys::tenon_str,
/// #             out: *mut tenon_sys::tenon_buffer,
/// #             error: *mut tenon_sys::tenon_buffer,
/// #         ) -> tenon_sys::tenon_status,
/// #     >,
/// # }
/// tenon_interface::interface! {
///     pub trait Greeter {
///         const ID = c"org.tenon.example.greeter";
///         const VERSION = 1;
///         type Vtable = example_greeter_v1;
///         #[revision(2)]
///         fn greet(&self, name: &str) -> String;
///         fn farewell(&self, name: &str) -> String;
///     }
/// }
/// ```
///
/// # Mismatches are compile errors
///
/// With the same C vtable as above, a declaration whose argument type does
/// not match the C parameter (`tenon_bytes` instead of `tenon_str`) does not
/// compile:
///
/// ```compile_fail,E0308
/// # #[repr(C)]
/// # #[derive(Clone, Copy)]
/// # pub struct example_greeter_v1 {
/// #     pub struct_size: u32,
/// #     pub greet: Option<
/// #         unsafe extern "C" fn(
/// #             instance: *mut core::ffi::c_void,
/// #             name: tenon_sys::tenon_str,
/// #             out: *mut tenon_sys::tenon_buffer,
/// #             error: *mut tenon_sys::tenon_buffer,
/// #         ) -> tenon_sys::tenon_status,
/// #     >,
/// # }
/// tenon_interface::interface! {
///     pub trait Greeter {
///         const ID = c"org.tenon.example.greeter";
///         const VERSION = 1;
///         type Vtable = example_greeter_v1;
///         fn greet(&self, name: &[u8]) -> String;
///     }
/// }
/// ```
///
/// nor does one that forgets the result the C method writes:
///
/// ```compile_fail,E0308
/// # #[repr(C)]
/// # #[derive(Clone, Copy)]
/// # pub struct example_greeter_v1 {
/// #     pub struct_size: u32,
/// #     pub greet: Option<
/// #         unsafe extern "C" fn(
/// #             instance: *mut core::ffi::c_void,
/// #             name: tenon_sys::tenon_str,
/// #             out: *mut tenon_sys::tenon_buffer,
/// #             error: *mut tenon_sys::tenon_buffer,
/// #         ) -> tenon_sys::tenon_status,
/// #     >,
/// # }
/// tenon_interface::interface! {
///     pub trait Greeter {
///         const ID = c"org.tenon.example.greeter";
///         const VERSION = 1;
///         type Vtable = example_greeter_v1;
///         fn greet(&self, name: &str);
///     }
/// }
/// ```
///
/// nor one that names a method the vtable lacks (or misses one it has):
///
/// ```compile_fail,E0560
/// # #[repr(C)]
/// # #[derive(Clone, Copy)]
/// # pub struct example_greeter_v1 {
/// #     pub struct_size: u32,
/// #     pub greet: Option<
/// #         unsafe extern "C" fn(
/// #             instance: *mut core::ffi::c_void,
/// #             name: tenon_sys::tenon_str,
/// #             out: *mut tenon_sys::tenon_buffer,
/// #             error: *mut tenon_sys::tenon_buffer,
/// #         ) -> tenon_sys::tenon_status,
/// #     >,
/// # }
/// tenon_interface::interface! {
///     pub trait Greeter {
///         const ID = c"org.tenon.example.greeter";
///         const VERSION = 1;
///         type Vtable = example_greeter_v1;
///         fn greet(&self, name: &str) -> String;
///         fn wave(&self);
///     }
/// }
/// ```
///
/// # The vtable's layout is checked
///
/// The vtable type must be laid out as C lays out the header's struct:
/// `struct_size` first, then the methods in declaration order. A type
/// without `#[repr(C)]`, which Rust is free to reorder, is refused at
/// compile time:
///
/// ```compile_fail,E0080
/// #[derive(Clone, Copy)]
/// pub struct example_greeter_v1 {
///     pub struct_size: u32,
///     pub greet: Option<
///         unsafe extern "C" fn(
///             instance: *mut core::ffi::c_void,
///             name: tenon_sys::tenon_str,
///             out: *mut tenon_sys::tenon_buffer,
///             error: *mut tenon_sys::tenon_buffer,
///         ) -> tenon_sys::tenon_status,
///     >,
/// }
/// tenon_interface::interface! {
///     pub trait Greeter {
///         const ID = c"org.tenon.example.greeter";
///         const VERSION = 1;
///         type Vtable = example_greeter_v1;
///         fn greet(&self, name: &str) -> String;
///     }
/// }
/// ```
///
/// and so is a `#[repr(C)]` one whose `struct_size` is not first:
///
/// ```compile_fail,E0080
/// #[repr(C)]
/// #[derive(Clone, Copy)]
/// pub struct example_greeter_v1 {
///     pub greet: Option<
///         unsafe extern "C" fn(
///             instance: *mut core::ffi::c_void,
///             name: tenon_sys::tenon_str,
///             out: *mut tenon_sys::tenon_buffer,
///             error: *mut tenon_sys::tenon_buffer,
///         ) -> tenon_sys::tenon_status,
///     >,
///     pub struct_size: u32,
/// }
/// tenon_interface::interface! {
///     pub trait Greeter {
///         const ID = c"org.tenon.example.greeter";
///         const VERSION = 1;
///         type Vtable = example_greeter_v1;
///         fn greet(&self, name: &str) -> String;
///     }
/// }
/// ```
#[macro_export]
macro_rules! interface {
    (
        $(#[$attr:meta])*
        $vis:vis trait $name:ident {
            const ID = $id:expr;
            const VERSION = $version:expr;
            type Vtable = $vtable:path;
            $(
                $(#[$($method_attr:tt)*])*
                fn $method:ident(&self $(, $arg:ident : $arg_ty:ty)* $(,)?) $(-> $ret:ty)?;
            )+
        }
    ) => {
        $(#[$attr])*
        $vis trait $name {
            $(
                $crate::__interface_item! {
                    $(#[$($method_attr)*])*
                    fn $method(&self $(, $arg: $arg_ty)*) -> $crate::CallResult<$($ret)?>;
                }
            )+
        }

        const _: () = {
            /// Each method's number: its index in `METHODS` and on the wire.
            #[allow(non_camel_case_types, dead_code)]
            enum Index {
                $($method,)+
            }

            // SAFETY: `Vtable` is the type the caller named as this
            // interface's C vtable, and `missing_slot` checks every method
            // the client calls.
            unsafe impl $crate::Interface for dyn $name {
                const ID: &'static str = $crate::__private::c_str_text($id);
                const C_ID: &'static ::core::ffi::CStr = $id;
                const VERSION: u32 = $version;
                type Vtable = $vtable;
                const METHODS: &'static [$crate::Method] = &[$(
                    $crate::Method {
                        name: ::core::stringify!($method),
                        args: &[$(<$arg_ty as $crate::ArgType>::KIND),*],
                        result: $crate::__private::result_kind(&[$(<$ret as $crate::Ret>::KIND)?]),
                        revision: $crate::__private::method_revision(
                            $crate::__interface_revision!($(#[$($method_attr)*])*),
                        ),
                    },
                )+];

                const PROXY_VTABLE: &'static $vtable = &{
                    type __TenonVtable = $vtable;
                    __TenonVtable {
                    struct_size: ::core::mem::size_of::<$vtable>() as u32,
                    $(
                        $method: {
                            unsafe extern "C" fn proxy(
                                instance: *mut ::core::ffi::c_void,
                                $($arg: <$arg_ty as $crate::ArgType>::Raw,)*
                                $(out: <$ret as $crate::Ret>::Raw,)?
                                error: *mut $crate::sys::tenon_buffer,
                            ) -> $crate::sys::tenon_status {
                                // Borrowed arguments cross as borrows of
                                // the caller's memory, valid for this call.
                                let call_scope = ();
                                // SAFETY: the caller passes a
                                // `ProxyInstance`'s pointer as the instance
                                // (`PROXY_VTABLE`'s contract), and borrowed
                                // arguments and buffers valid for this call.
                                unsafe {
                                    $crate::__private::proxy(instance, error, |remote, error| {
                                        let args: &[$crate::WireArg<'_>] = &[
                                            $($crate::__private::to_wire($arg, &call_scope)?,)*
                                        ];
                                        #[allow(unused_variables)]
                                        let result = ();
                                        $(let result: <$ret as $crate::Ret>::Raw = out;)?
                                        <($($ret)?) as $crate::__private::WireRet>::proxy(
                                            result,
                                            |out| remote.call(Index::$method as u32, args, out, error),
                                        )
                                    })
                                }
                            }
                            ::core::option::Option::Some(proxy)
                        },
                    )+
                    }
                };

                unsafe fn dispatch(
                    vtable: *const ::core::ffi::c_void,
                    instance: *mut ::core::ffi::c_void,
                    method: u32,
                    args: &[$crate::WireArg<'_>],
                    out: *mut $crate::sys::tenon_buffer,
                    error: *mut $crate::sys::tenon_buffer,
                ) -> $crate::sys::tenon_status {
                    let methods = <Self as $crate::Interface>::METHODS;
                    // SAFETY: by the caller, a verified vtable of this
                    // interface, an instance it may be called with, and
                    // buffers lent to this call; the arguments are
                    // checked before the method is called.
                    unsafe {
                        $crate::__private::dispatch(error, || {
                            $(
                                if method == Index::$method as u32 {
                                    let signature = &methods[method as usize];
                                    // SAFETY: as above; the closure names
                                    // the slot's type.
                                    let slot = unsafe {
                                        $crate::__private::dispatch_slot::<Self, _>(
                                            vtable,
                                            method as usize,
                                            |vtable: &$vtable| vtable.$method,
                                        )
                                    }?;
                                    $crate::__private::check_args(signature, args)?;
                                    #[allow(unused_mut, unused_variables)]
                                    let mut position = 0usize;
                                    $(
                                        let $arg = $crate::__private::from_wire::<
                                            <$arg_ty as $crate::ArgType>::Raw,
                                        >(signature, args, &mut position)?;
                                    )*
                                    #[allow(unused_variables)]
                                    let call = |result| {
                                        // SAFETY: the verified slot, called
                                        // with checked arguments that borrow
                                        // `args`, and buffers lent to this
                                        // call.
                                        unsafe {
                                            slot(
                                                instance,
                                                $($arg,)*
                                                $({
                                                    let result: <$ret as $crate::Ret>::Raw = result;
                                                    result
                                                },)?
                                                error,
                                            )
                                        }
                                    };
                                    return <($($ret)?) as $crate::__private::WireRet>::dispatch(out, call);
                                }
                            )+
                            ::core::result::Result::Err($crate::__private::no_such_method(method, methods.len()))
                        })
                    }
                }
            }

            $crate::__register_interface!(dyn $name);

            // Later revisions append: `#[revision(N)]` methods come after
            // every method of an earlier revision.
            const _: () = $crate::__private::check_revisions(<dyn $name as $crate::Interface>::METHODS);
        };

        // The vtable type must have the C layout the header gives it:
        // `struct_size` first, then one function pointer per method in
        // declaration order, and nothing else. A type without `#[repr(C)]`
        // (which Rust may reorder) or with its fields in another order
        // fails to compile here; bindgen's types always pass.
        const _: () = {
            let mut layout = $crate::__private::VtableLayout::new(
                ::core::mem::offset_of!($vtable, struct_size),
            );
            $(layout = layout.method(::core::mem::offset_of!($vtable, $method));)+
            layout.end(::core::mem::size_of::<$vtable>(), ::core::mem::align_of::<$vtable>());
        };

        const _: () = {
            /// The vtable of `T`'s implementation, reaching `T` from the
            /// instance pointer as `R` says.
            const fn vtable<T: $name + 'static, R: $crate::Receiver<T>>() -> $vtable {
                type __TenonVtable = $vtable;
                __TenonVtable {
                struct_size: ::core::mem::size_of::<$vtable>() as u32,
                $(
                    $method: {
                        unsafe extern "C" fn shim<T: $name, R: $crate::Receiver<T>>(
                            instance: *mut ::core::ffi::c_void,
                            $($arg: <$arg_ty as $crate::ArgType>::Raw,)*
                            $(out: <$ret as $crate::Ret>::Raw,)?
                            error: *mut $crate::sys::tenon_buffer,
                        ) -> $crate::sys::tenon_status {
                            // Borrowed arguments are decoded against a borrow
                            // of this local, so they cannot outlive the call
                            // (a declaration asking for `&'static str` fails
                            // here, at compile time).
                            let call_scope = ();
                            // SAFETY: the caller passes the instance pointer
                            // `R` expects (`Implement`), and borrowed
                            // arguments and buffers valid for this call.
                            unsafe {
                                $crate::boundary::guard(error, || {
                                    // A pointer that is not the instance
                                    // cannot be told from one that is; NULL
                                    // can, and is refused as proxies do.
                                    if instance.is_null() {
                                        return ::core::result::Result::Err(
                                            $crate::__private::null_instance(),
                                        );
                                    }
                                    R::with(instance, |this: &T| {
                                        $(let $arg = <$arg_ty as $crate::Arg<'_>>::from_raw($arg, &call_scope)?;)*
                                        #[allow(unused_variables)]
                                        let result = <T as $name>::$method(this $(, $arg)*)?;
                                        $(<$ret as $crate::Ret>::write(result, out)?;)?
                                        ::core::result::Result::Ok(())
                                    })
                                })
                            }
                        }
                        ::core::option::Option::Some(shim::<T, R>)
                    },
                )+
                }
            }

            // SAFETY: `VTABLE`'s shims borrow the instance as a `T`;
            // `SHARED_VTABLE`'s hold it as an `Arc<T>` for each call.
            unsafe impl<T: $name + 'static> $crate::Implement<T> for dyn $name {
                const VTABLE: &'static $vtable = &vtable::<T, $crate::Borrowed>();
                const SHARED_VTABLE: &'static $vtable = &vtable::<T, $crate::Counted>();
            }
        };

        // The host's calls. Always inlined: each is a thin wrapper around
        // one indirect call (failure paths are out of line), and as a call
        // of its own it would add a frame to every call the host makes.
        impl $name for $crate::Client<dyn $name> {
            $(
                #[inline(always)]
                fn $method(&self $(, $arg: $arg_ty)*) -> $crate::CallResult<$($ret)?> {
                    // Refused here, before the plugin is reached: a
                    // re-entrant call on an instance that is not
                    // thread-safe, or a call through a host table whose
                    // instance was destroyed.
                    let _entered = self.enter()?;
                    const REVISION: u32 = $crate::__private::method_revision(
                        $crate::__interface_revision!($(#[$($method_attr)*])*),
                    );
                    let method = if REVISION > 1 {
                        // A later revision's slot is NULL when the callee
                        // was built before it (`Client` copies a short
                        // vtable into a whole one).
                        match self.vtable().$method {
                            ::core::option::Option::Some(method) => method,
                            ::core::option::Option::None => {
                                return ::core::result::Result::Err(
                                    $crate::__private::not_provided_named::<dyn $name>(
                                        ::core::stringify!($method),
                                    ),
                                )
                            }
                        }
                    } else {
                        // SAFETY: `Client::new` requires a vtable that holds
                        // every revision-1 method, non-NULL, which the host
                        // verified.
                        unsafe { self.vtable().$method.unwrap_unchecked() }
                    };
                    let mut error = $crate::HostBuffer::new();
                    $(let mut slot = <$ret as $crate::Ret>::new_slot();)?
                    // SAFETY: the instance and vtable are valid for the
                    // client's lifetime (`Client::new`); arguments borrow
                    // values that outlive the call; the buffers are ours.
                    let status = unsafe {
                        method(
                            self.instance_ptr(),
                            $($crate::Arg::to_raw(&$arg),)*
                            $(<$ret as $crate::Ret>::slot_raw(&mut slot),)?
                            error.as_raw(),
                        )
                    };
                    $crate::__private::check(status, error)?;
                    #[allow(unused_variables)]
                    let value = ();
                    $(let value = <$ret as $crate::Ret>::finish(slot)?;)?
                    ::core::result::Result::Ok(value)
                }
            )+
        }

        // The calls of `Client::reusing`: the same methods, writing buffer
        // results into the caller's `HostBuffer`. The type needs no name of
        // its own: callers reach it through `Reuse::Calls`.
        const _: () = {
            /// The methods of the interface, writing their results into a
            /// buffer the caller keeps (see `Client::reusing`).
            pub struct Calls<'c, 'b> {
                client: &'c $crate::Client<dyn $name>,
                out: &'b mut $crate::HostBuffer,
            }

            impl<'c, 'b> Calls<'c, 'b> {
                $(
                    $crate::__interface_item! {
                    $(#[$($method_attr)*])*
                    #[inline(always)]
                    pub fn $method(
                        self $(, $arg: $arg_ty)*
                    ) -> $crate::CallResult<$(<$ret as $crate::Ret>::Reused<'b>)?> {
                        // As in the trait's methods above.
                        let _entered = self.client.enter()?;
                        const REVISION: u32 = $crate::__private::method_revision(
                            $crate::__interface_revision!($(#[$($method_attr)*])*),
                        );
                        let method = if REVISION > 1 {
                            match self.client.vtable().$method {
                                ::core::option::Option::Some(method) => method,
                                ::core::option::Option::None => {
                                    return ::core::result::Result::Err(
                                        $crate::__private::not_provided_named::<dyn $name>(
                                            ::core::stringify!($method),
                                        ),
                                    )
                                }
                            }
                        } else {
                            // SAFETY: as in the trait's methods above.
                            unsafe { self.client.vtable().$method.unwrap_unchecked() }
                        };
                        let mut error = $crate::HostBuffer::new();
                        #[allow(unused_variables)]
                        let out = self.out;
                        $(let mut slot = <$ret as $crate::Ret>::new_reuse_slot();)?
                        // SAFETY: as in the trait's methods above; `out` is
                        // the caller's buffer, borrowed for longer than the
                        // call.
                        let status = unsafe {
                            method(
                                self.client.instance_ptr(),
                                $($crate::Arg::to_raw(&$arg),)*
                                $(<$ret as $crate::Ret>::reuse_raw(&mut slot, out),)?
                                error.as_raw(),
                            )
                        };
                        $crate::__private::check(status, error)?;
                        #[allow(unused_variables)]
                        let value = ();
                        $(let value = <$ret as $crate::Ret>::finish_reused(slot, out)?;)?
                        ::core::result::Result::Ok(value)
                    }
                    }
                )+
            }

            impl $crate::Reuse for dyn $name {
                type Calls<'c, 'b> = Calls<'c, 'b>;

                #[inline]
                fn calls<'c, 'b>(
                    client: &'c $crate::Client<dyn $name>,
                    out: &'b mut $crate::HostBuffer,
                ) -> Calls<'c, 'b> {
                    Calls { client, out }
                }
            }
        };
    };
}

/// One item of an `interface!` declaration with its `#[revision(N)]`
/// attribute removed (the attribute only tells the macro where the method
/// belongs; it is not a Rust attribute).
#[doc(hidden)]
#[macro_export]
macro_rules! __interface_item {
    (@kept [$($kept:tt)*] #[revision $($skipped:tt)*] $($rest:tt)*) => {
        $crate::__interface_item! { @kept [$($kept)*] $($rest)* }
    };
    (@kept [$($kept:tt)*] #[$($attr:tt)*] $($rest:tt)*) => {
        $crate::__interface_item! { @kept [$($kept)* #[$($attr)*]] $($rest)* }
    };
    (@kept [$($kept:tt)*] $($item:tt)*) => {
        $($kept)* $($item)*
    };
    ($($item:tt)*) => {
        $crate::__interface_item! { @kept [] $($item)* }
    };
}

/// The `N` of a method's `#[revision(N)]` among its attributes, or 0.
#[doc(hidden)]
#[macro_export]
macro_rules! __interface_revision {
    () => {
        0u32
    };
    (#[revision($revision:expr)] $($rest:tt)*) => {
        $crate::__private::revision_once($revision, $crate::__interface_revision!($($rest)*))
    };
    (#[revision $($bad:tt)*] $($rest:tt)*) => {
        ::core::compile_error!("write a method's revision as `#[revision(N)]`")
    };
    (#[$($attr:tt)*] $($rest:tt)*) => {
        $crate::__interface_revision!($($rest)*)
    };
}
