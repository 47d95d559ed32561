//! The example interfaces, declared once for hosts and Rust plugins.
//!
//! Each interface is a C header in `examples-c/interfaces/tenon_examples/`;
//! [`sys`] is its bindgen mirror (generated, checked in), and each trait
//! below is declared on top of it with [`tenon_interface::interface!`], which
//! fails to compile if the trait and the C vtable disagree.

/// The bindgen mirror of the example interface headers.
#[path = "bindings.rs"]
pub mod sys;

use tenon_interface::c_id;

tenon_interface::interface! {
    /// Greets someone by name (`org.tenon.example.greeter`, version 1).
    pub trait Greeter {
        const ID = c_id(sys::EXAMPLE_GREETER_ID);
        const VERSION = sys::EXAMPLE_GREETER_VERSION;
        type Vtable = sys::example_greeter_v1;

        /// A greeting for `name`; an empty name is valid.
        fn greet(&self, name: &str) -> String;
    }
}

tenon_interface::interface! {
    /// A key-value store with UTF-8 keys and byte values
    /// (`org.tenon.example.kv`, version 1). A key that is not stored makes
    /// `get` and `remove` fail with [`Status::NOT_FOUND`](tenon_interface::Status::NOT_FOUND).
    pub trait Kv {
        const ID = c_id(sys::EXAMPLE_KV_ID);
        const VERSION = sys::EXAMPLE_KV_VERSION;
        type Vtable = sys::example_kv_v1;

        /// The value stored under `key`.
        fn get(&self, key: &str) -> Vec<u8>;
        /// Stores `value` under `key`, replacing any previous value.
        fn put(&self, key: &str, value: &[u8]);
        /// Removes `key`.
        fn remove(&self, key: &str);
        /// The number of keys stored.
        fn len(&self) -> u64;
    }
}

tenon_interface::interface! {
    /// Turns bytes into bytes: a checksum, an encoding, a transform
    /// (`org.tenon.example.processor`, version 1).
    pub trait Processor {
        const ID = c_id(sys::EXAMPLE_PROCESSOR_ID);
        const VERSION = sys::EXAMPLE_PROCESSOR_VERSION;
        type Vtable = sys::example_processor_v1;

        /// The processor's name.
        fn name(&self) -> String;
        /// The result of processing `input`; empty input is valid.
        fn process(&self, input: &[u8]) -> Vec<u8>;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenon_interface::{Interface, Method, ValueKind};

    #[test]
    fn declarations_describe_their_methods() {
        assert_eq!(<dyn Greeter as Interface>::ID, "org.tenon.example.greeter");
        assert_eq!(
            <dyn Kv as Interface>::METHODS,
            &[
                Method {
                    name: "get",
                    args: &[ValueKind::Utf8],
                    result: Some(ValueKind::Bytes),
                    revision: 1,
                },
                Method {
                    name: "put",
                    args: &[ValueKind::Utf8, ValueKind::Bytes],
                    result: None,
                    revision: 1,
                },
                Method {
                    name: "remove",
                    args: &[ValueKind::Utf8],
                    result: None,
                    revision: 1,
                },
                Method {
                    name: "len",
                    args: &[],
                    result: Some(ValueKind::U64),
                    revision: 1,
                },
            ]
        );
        assert_eq!(
            <dyn Processor as Interface>::METHODS[0],
            Method {
                name: "name",
                args: &[],
                result: Some(ValueKind::Utf8),
                revision: 1,
            }
        );
    }
}
