//! The host's side of an isolated plugin (placeholder until the runtime lands).

use crate::integrity::Opened;
use crate::{Error, HostServices, Plugin, PluginInfo};
use core::ffi::c_void;
use std::path::Path;
use std::time::Duration;
use tenon_interface::Interface;

/// An isolated plugin's process, as the host sees it.
pub(crate) struct Host {}

impl Host {
    pub(crate) fn start(
        _options: &super::Isolation,
        path: &Path,
        _opened: Opened,
        _services: &HostServices,
    ) -> Result<(PluginInfo, Host), Error> {
        let _ = path;
        Err(Error::IsolationUnsupported {
            reason: "not built yet".to_owned(),
        })
    }

    pub(crate) fn require<I: ?Sized + Interface>(&self, info: &PluginInfo) -> Result<(), Error> {
        crate::plugin::offered_entry::<I>(info).map(|_| ())
    }

    pub(crate) fn ping(&self, _deadline: Duration) -> Result<Duration, Error> {
        Ok(Duration::ZERO)
    }

    pub(crate) fn create(
        &self,
        _config: &str,
        _info: &PluginInfo,
    ) -> Result<RemoteInstance, Error> {
        unreachable!()
    }
}

/// An instance in an isolated plugin's process.
pub(crate) struct RemoteInstance {}

impl RemoteInstance {
    pub(crate) fn target<I: ?Sized + Interface>(
        &self,
        _plugin: &Plugin,
    ) -> Result<(*mut c_void, *const I::Vtable), Error> {
        unreachable!()
    }
}
