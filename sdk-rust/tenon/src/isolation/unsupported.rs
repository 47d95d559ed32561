//! Where isolation is not implemented (every platform but Linux, macOS and Windows): the same
//! types, never constructed, so that the rest of the crate has one shape.

use crate::integrity::Opened;
use crate::{Error, HostServices, Plugin, PluginInfo};
use core::ffi::c_void;
use std::path::Path;
use std::time::Duration;
use tenon_interface::Interface;

/// An isolated plugin; none can exist here.
pub(crate) enum Host {}

impl Host {
    pub(crate) fn start(
        _options: &super::Isolation,
        _path: &Path,
        _opened: Opened,
        _services: &HostServices,
    ) -> Result<(PluginInfo, Host), Error> {
        Err(Error::IsolationUnsupported {
            reason:
                "process isolation is implemented on Linux, macOS and Windows only in this release"
                    .to_owned(),
        })
    }

    #[allow(clippy::extra_unused_type_parameters)]
    pub(crate) fn require<I: ?Sized + Interface>(&self, _info: &PluginInfo) -> Result<(), Error> {
        match *self {}
    }

    pub(crate) fn ping(&self, _deadline: Duration) -> Result<Duration, Error> {
        match *self {}
    }

    pub(crate) fn create(
        &self,
        _config: &str,
        _info: &PluginInfo,
    ) -> Result<RemoteInstance, Error> {
        match *self {}
    }
}

/// An instance of an isolated plugin; none can exist here.
pub(crate) enum RemoteInstance {}

impl RemoteInstance {
    pub(crate) fn target<I: ?Sized + Interface>(
        &self,
        _plugin: &Plugin,
    ) -> Result<(*mut c_void, *const I::Vtable), Error> {
        match *self {}
    }

    pub(crate) fn target_declared(
        &self,
        _plugin: &Plugin,
        _declared: &'static tenon_interface::Declared,
    ) -> Result<(*mut c_void, *const c_void), Error> {
        match *self {}
    }
}
