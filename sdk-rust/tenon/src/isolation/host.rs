//! The host's side of an isolated plugin: its current process, the restart
//! policy, and the instances living there.

use super::frame::Reader;
use super::process::{ControlFailure, Declaration, Exit, InterfaceFailure, Process};
use super::shm::op;
use super::{Isolation, Restart};
use crate::integrity::Opened;
use crate::{AbiVersion, CrashSite, Error, HostServices, InterfaceInfo, Plugin, PluginInfo};
use core::ffi::c_void;
use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tenon_interface::sys::{tenon_buffer, tenon_status};
use tenon_interface::{Interface, ProxyInstance, Remote, Status, WireArg};

/// An isolated plugin, as the host sees it.
pub(crate) struct Host {
    options: Isolation,
    path: PathBuf,
    name: String,
    /// The plugin's bytes, kept open to start a new process on restart.
    file: File,
    services: HostServices,
    current: Mutex<Current>,
}

/// The process now serving the plugin, and its history.
struct Current {
    process: Arc<Process>,
    /// When processes died, for the restart policy.
    deaths: VecDeque<Instant>,
    /// Restarts within the last minute, for the backoff.
    streak: u32,
}

impl Host {
    /// Starts the plugin's process and reads its metadata from it.
    pub(crate) fn start(
        options: &Isolation,
        path: &Path,
        opened: Opened,
        services: &HostServices,
    ) -> Result<(PluginInfo, Host), Error> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(limit) = options
            .memory_limit
            .filter(|&limit| limit <= options.shared_memory())
        {
            return Err(Error::IsolationFailed {
                plugin: name,
                reason: format!(
                    "memory_limit ({limit} bytes) is not above the shared memory the child maps before the plugin loads ({} slots of {} bytes: Isolation::slots and slot_size); raise the limit or shrink the slots",
                    options.slots, options.slot_size
                ),
            });
        }
        let (process, hello) = Process::spawn(options, &name, path, &opened.file, services)
            .map_err(|error| under_memory_limit(error, options))?;
        let info = decode_hello(&hello, path, &name)
            .map_err(|error| under_memory_limit(error, options))?;
        process.set_label(&info.name);
        tracing::debug!(target: "tenon", plugin = %info.name, path = %path.display(), "loaded plugin isolated");
        let host = Host {
            options: options.clone(),
            path: path.to_path_buf(),
            name: info.name.clone(),
            file: opened.file,
            services: services.clone(),
            current: Mutex::new(Current {
                process,
                deaths: VecDeque::new(),
                streak: 0,
            }),
        };
        Ok((info, host))
    }

    /// The live process, restarting a dead one if the policy allows.
    fn process(&self) -> Result<Arc<Process>, Error> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        // A process killed for a deadline may not be reaped yet: then
        // `wait_exit` below waits for that.
        if !current.process.is_dead() {
            return Ok(Arc::clone(&current.process));
        }
        let exit = current
            .process
            .wait_exit(Duration::from_millis(100))
            .unwrap_or_default();
        let crashed = || Error::Crashed {
            plugin: self.name.clone(),
            signal: exit.signal,
            exit_code: exit.exit_code,
            last_words: exit.last_words.clone(),
            // Running out of the limit looks like any other death, at
            // whatever point it came: name it whenever there was one.
            memory_limit: self.options.memory_limit,
            site: CrashSite::FoundDead,
        };
        let now = Instant::now();
        let wait = match self.options.restart {
            Restart::Never => return Err(crashed()),
            Restart::Always { backoff } => {
                if current
                    .deaths
                    .back()
                    .is_some_and(|last| now.duration_since(*last) > Duration::from_secs(60))
                {
                    current.streak = 0;
                }
                backoff * 2u32.pow(current.streak.min(6))
            }
            Restart::AtMost { n, window } => {
                while current
                    .deaths
                    .front()
                    .is_some_and(|first| now.duration_since(*first) > window)
                {
                    current.deaths.pop_front();
                }
                if current.deaths.len() >= n as usize {
                    // The error is the death's, as without a policy; say in
                    // the log that the policy is why nothing was restarted.
                    tracing::info!(target: "tenon", plugin = %self.name, max_restarts = n, window_ms = window.as_millis() as u64, "not restarting the plugin's process: its restarts within the window are used up");
                    return Err(crashed());
                }
                Duration::ZERO
            }
        };
        std::thread::sleep(wait);
        current.deaths.push_back(now);
        current.streak += 1;
        let (process, _) = Process::spawn(
            &self.options,
            &self.name,
            &self.path,
            &self.file,
            &self.services,
        )
        .map_err(|error| under_memory_limit(error, &self.options))?;
        process.set_label(&self.name);
        tracing::info!(target: "tenon", plugin = %self.name, "restarted the plugin's process");
        let dead = std::mem::replace(&mut current.process, Arc::clone(&process));
        drop(current);
        // Unlocked: its drop may wait for the rest of its output.
        drop(dead);
        Ok(process)
    }

    /// The deadline of a control request: the per-plugin call timeout.
    fn deadline(&self) -> Option<Instant> {
        super::scoped_deadline().or_else(|| self.options.call_timeout.map(|t| Instant::now() + t))
    }

    /// The error of a control request that failed; `site` is what the
    /// request was, where a child that died answering it died.
    fn control_error(&self, failure: ControlFailure, deadline: Duration, site: CrashSite) -> Error {
        match failure {
            ControlFailure::Refused(reason) => Error::IsolationFailed {
                plugin: self.name.clone(),
                reason,
            },
            ControlFailure::TimedOut => Error::TimedOut {
                plugin: self.name.clone(),
                deadline,
            },
            ControlFailure::Crashed(
                Exit {
                    signal,
                    exit_code,
                    last_words,
                },
                found_dead,
            ) => Error::Crashed {
                plugin: self.name.clone(),
                signal,
                exit_code,
                last_words,
                // A create or health check can die of the limit too.
                memory_limit: self.options.memory_limit,
                site: if found_dead {
                    CrashSite::FoundDead
                } else {
                    site
                },
            },
        }
    }

    /// Checks that the plugin implements `I` with every method: the id,
    /// version and size from the metadata, the slots in the child.
    pub(crate) fn require<I: ?Sized + Interface>(&self, info: &PluginInfo) -> Result<(), Error> {
        let process = self.process()?;
        self.interface_index::<I>(&process, info).map(|_| ())
    }

    fn interface_index<I: ?Sized + Interface>(
        &self,
        process: &Process,
        info: &PluginInfo,
    ) -> Result<u32, Error> {
        let wanted = Wanted::of::<I>();
        self.wanted_index(process, info, &wanted)
    }

    /// The child's index of an interface, checked against the metadata
    /// (id, version, size) and in the child (every slot).
    fn wanted_index(
        &self,
        process: &Process,
        info: &PluginInfo,
        wanted: &Wanted,
    ) -> Result<u32, Error> {
        let entry = crate::plugin::offered_index(info, wanted.id, wanted.version)?;
        let size = info.interfaces[entry].vtable_size;
        if (size as usize) < wanted.min_vtable_size {
            return Err(Error::VtableTooSmall {
                plugin: self.name.clone(),
                id: wanted.id.to_owned(),
                size,
                required: wanted.min_vtable_size,
            });
        }
        let deadline = self.deadline();
        process
            .interface(
                wanted.id,
                wanted.version,
                Declaration {
                    methods: wanted.methods,
                    plugin_vtable_size: size,
                },
                deadline,
            )
            .map_err(|failure| match failure {
                InterfaceFailure::Control(failure) => {
                    self.control_error(
                        failure,
                        self.options.call_timeout.unwrap_or_default(),
                        CrashSite::InterfaceLookup,
                    )
                }
                InterfaceFailure::NullSlot(name) => Error::NullSlot {
                    plugin: self.name.clone(),
                    id: wanted.id.to_owned(),
                    method: wanted
                        .methods
                        .iter()
                        .find(|m| m.name == name)
                        .map_or("(unknown)", |m| m.name),
                },
                InterfaceFailure::NotDeclared => Error::IsolationFailed {
                    plugin: self.name.clone(),
                    reason: format!(
                        "the child program does not declare interface {} version {}: the runner must link the crate that declares it (with interface!)",
                        wanted.id,
                        wanted.version
                    ),
                },
                InterfaceFailure::OtherDeclaration(reason) => Error::IsolationFailed {
                    plugin: self.name.clone(),
                    reason,
                },
                InterfaceFailure::Protocol => Error::IsolationFailed {
                    plugin: self.name.clone(),
                    reason: "malformed interface lookup reply".to_owned(),
                },
                InterfaceFailure::Other(reason) => Error::IsolationFailed {
                    plugin: self.name.clone(),
                    reason,
                },
            })
    }

    /// A round trip to the child's dispatcher.
    pub(crate) fn ping(&self, deadline: Duration) -> Result<Duration, Error> {
        let process = self.process()?;
        let start = Instant::now();
        process
            .control(op::PING, 0, &[], Some(start + deadline))
            .map_err(|failure| self.control_error(failure, deadline, CrashSite::HealthCheck))?;
        Ok(start.elapsed())
    }

    /// Creates an instance in the child.
    pub(crate) fn create(&self, config: &str, _info: &PluginInfo) -> Result<RemoteInstance, Error> {
        let process = self.process()?;
        let start = Instant::now();
        let deadline = self.deadline();
        let (status, out, error) = process
            .control(op::CREATE, 0, config.as_bytes(), deadline)
            .map_err(|failure| {
                // The deadline that passed: one set with `with_deadline`
                // comes first, else the plugin's call timeout.
                let limit = match super::scoped_deadline() {
                    Some(scoped) => scoped.saturating_duration_since(start),
                    None => self.options.call_timeout.unwrap_or_default(),
                };
                self.control_error(failure, limit, CrashSite::Create)
            })?;
        if status != Status::OK.0 {
            return Err(Error::CreateFailed {
                plugin: self.name.clone(),
                status: Status(status),
                message: error,
            });
        }
        let id = Reader::new(&out)
            .u32()
            .ok_or_else(|| Error::IsolationFailed {
                plugin: self.name.clone(),
                reason: "malformed create reply".to_owned(),
            })?;
        Ok(RemoteInstance {
            process,
            id,
            call_timeout: self.options.call_timeout,
            proxies: Mutex::new(Vec::new()),
            c_vtables: Mutex::new(Vec::new()),
        })
    }
}

/// A load that failed in a child with a memory limit may have failed for
/// the limit alone: the loader cannot map the library, which the child
/// reports as a file that is not a library, or the child cannot start its
/// slot threads and exits (`crashed`; its last words are only what it
/// wrote). Say so in the error, whose kind stays the same.
fn under_memory_limit(error: Error, options: &Isolation) -> Error {
    let Some(limit) = options.memory_limit else {
        return error;
    };
    let hint = format!(
        "the child ran under memory_limit ({limit} bytes), which counts its whole address space (the program, the plugin, a stack per slot thread, {} bytes of shared memory); a limit too small fails loading this way",
        options.shared_memory()
    );
    match error {
        Error::InChild { kind, message } => Error::InChild {
            kind,
            message: format!("{message} ({hint})"),
        },
        Error::Crashed {
            plugin,
            signal,
            exit_code,
            last_words,
            memory_limit: _,
            site,
        } => Error::Crashed {
            plugin,
            signal,
            exit_code,
            last_words,
            memory_limit: Some(limit),
            site,
        },
        other => other,
    }
}

/// Reads the handshake: the plugin's metadata, or the load error the child
/// met.
fn decode_hello(hello: &[u8], path: &Path, name: &str) -> Result<PluginInfo, Error> {
    let malformed = || Error::IsolationFailed {
        plugin: name.to_owned(),
        reason: "malformed handshake".to_owned(),
    };
    let mut reader = Reader::new(hello);
    match reader.u32().ok_or_else(malformed)? {
        0 => {}
        1 => {
            let kind = reader.str().ok_or_else(malformed)?;
            let message = reader.str().ok_or_else(malformed)?;
            return Err(Error::InChild {
                kind: crate::error::static_kind(kind),
                message: message.to_owned(),
            });
        }
        _ => return Err(malformed()),
    }
    let plugin_name = reader.str().ok_or_else(malformed)?.to_owned();
    let version = reader.str().ok_or_else(malformed)?;
    let version = semver::Version::parse(version).map_err(|_| malformed())?;
    let has_description = reader.u32().ok_or_else(malformed)? != 0;
    let description = reader.str().ok_or_else(malformed)?;
    let major = reader.u32().ok_or_else(malformed)?;
    let minor = reader.u32().ok_or_else(malformed)?;
    let flags = reader.u64().ok_or_else(malformed)?;
    let count = reader.u32().ok_or_else(malformed)?;
    let mut interfaces = Vec::with_capacity(count.min(4096) as usize);
    for _ in 0..count {
        interfaces.push(InterfaceInfo {
            id: reader.str().ok_or_else(malformed)?.to_owned(),
            version: reader.u32().ok_or_else(malformed)?,
            vtable_size: reader.u32().ok_or_else(malformed)?,
        });
    }
    Ok(PluginInfo {
        path: path.to_path_buf(),
        name: plugin_name,
        version,
        description: has_description.then(|| description.to_owned()),
        abi: AbiVersion {
            major: major as u16,
            minor: minor as u16,
        },
        flags,
        interfaces,
    })
}

/// An instance living in an isolated plugin's process.
pub(crate) struct RemoteInstance {
    process: Arc<Process>,
    id: u32,
    call_timeout: Option<Duration>,
    /// The proxies handed out, one per interface; they live as long as the
    /// instance, which every handle borrows.
    proxies: Mutex<Vec<(u32, Box<ProxyInstance>)>>,
    /// For C callers, per interface, the declaration's proxy vtable with
    /// the plugin's own `struct_size` when the plugin's vtable is smaller
    /// (an earlier revision): `TENON_HAS_FIELD` then tells the revisions
    /// apart as in process. Pointer-aligned words, as the vtable needs.
    c_vtables: Mutex<Vec<(u32, Box<[usize]>)>>,
}

impl RemoteInstance {
    /// The proxy instance and vtable a client of `I` calls.
    pub(crate) fn target<I: ?Sized + Interface>(
        &self,
        plugin: &Plugin,
    ) -> Result<(*mut c_void, *const I::Vtable), Error> {
        let wanted = Wanted::of::<I>();
        let (_, instance) = self.proxy(plugin, &wanted)?;
        Ok((instance, I::PROXY_VTABLE as *const I::Vtable))
    }

    /// The proxy instance and vtable of a declared interface, for a caller
    /// that knows it only by id and version (`crate::c_interface`).
    pub(crate) fn target_declared(
        &self,
        plugin: &Plugin,
        declared: &'static tenon_interface::Declared,
    ) -> Result<(*mut c_void, *const c_void), Error> {
        let wanted = Wanted::declared(declared);
        let (iface, instance) = self.proxy(plugin, &wanted)?;
        let whole = declared.vtable_size();
        let own = plugin
            .info()
            .interfaces
            .iter()
            .find(|i| i.id == declared.id() && i.version == declared.version())
            .map_or(whole, |i| i.vtable_size as usize);
        if own >= whole {
            return Ok((instance, declared.proxy_vtable()));
        }
        let mut copies = self.c_vtables.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, copy)) = copies.iter().find(|(i, _)| *i == iface) {
            return Ok((instance, copy.as_ptr().cast()));
        }
        let mut copy =
            vec![0usize; whole.div_ceil(core::mem::size_of::<usize>())].into_boxed_slice();
        // SAFETY: the proxy vtable is the declaration's C vtable type,
        // `whole` bytes; the copy holds at least that many and is aligned
        // for pointers, as the vtable is; `struct_size` is its first field,
        // a `u32` at offset 0. `own` fits in `u32`: it came from one.
        unsafe {
            core::ptr::copy_nonoverlapping(
                declared.proxy_vtable().cast::<u8>(),
                copy.as_mut_ptr().cast::<u8>(),
                whole,
            );
            copy.as_mut_ptr().cast::<u32>().write(own as u32);
        }
        // The box's heap block stays put when the list grows.
        let vtable = copy.as_ptr().cast();
        copies.push((iface, copy));
        Ok((instance, vtable))
    }

    /// The proxy instance forwarding calls through one interface, with the
    /// index of that interface in the plugin's table.
    fn proxy(&self, plugin: &Plugin, wanted: &Wanted) -> Result<(u32, *mut c_void), Error> {
        let host = plugin
            .isolated_host()
            .expect("a remote instance's plugin is isolated");
        let iface = host.wanted_index(&self.process, plugin.info(), wanted)?;
        let mut proxies = self.proxies.lock().unwrap_or_else(|e| e.into_inner());
        let instance = match proxies.iter().find(|(i, _)| *i == iface) {
            Some((_, proxy)) => proxy.as_ptr(),
            None => {
                let remote: Arc<dyn Remote> = Arc::new(RemoteCall {
                    process: Arc::clone(&self.process),
                    iface,
                    instance: self.id,
                    call_timeout: self.call_timeout,
                });
                let proxy = Box::new(ProxyInstance::new(remote));
                let pointer = proxy.as_ptr();
                proxies.push((iface, proxy));
                pointer
            }
        };
        Ok((iface, instance))
    }
}

/// An interface as a lookup needs it: from a Rust type or a declaration.
struct Wanted<'a> {
    id: &'a str,
    version: u32,
    /// The smallest vtable the plugin may offer: revision 1's.
    min_vtable_size: usize,
    methods: &'static [tenon_interface::Method],
}

impl Wanted<'static> {
    /// The interface `I` of the host's own Rust code.
    fn of<I: ?Sized + Interface>() -> Self {
        Wanted {
            id: I::ID,
            version: I::VERSION,
            min_vtable_size: I::MIN_VTABLE_SIZE,
            methods: I::METHODS,
        }
    }

    /// An interface known by its linked `interface!` declaration.
    fn declared(declared: &'static tenon_interface::Declared) -> Self {
        Wanted {
            id: declared.id(),
            version: declared.version(),
            min_vtable_size: declared.min_vtable_size(),
            methods: declared.methods(),
        }
    }
}

impl Drop for RemoteInstance {
    fn drop(&mut self) {
        if self.process.is_dead() {
            return;
        }
        let deadline = self.call_timeout.map(|t| Instant::now() + t);
        let _ = self
            .process
            .control(op::DESTROY, u64::from(self.id), &[], deadline);
    }
}

/// Where a proxy's calls go: one instance, through one interface, in one
/// process.
struct RemoteCall {
    process: Arc<Process>,
    iface: u32,
    instance: u32,
    call_timeout: Option<Duration>,
}

impl Remote for RemoteCall {
    unsafe fn call(
        &self,
        method: u32,
        args: &[WireArg<'_>],
        out: *mut tenon_buffer,
        error: *mut tenon_buffer,
    ) -> tenon_status {
        let now = Instant::now();
        let deadline = match (super::scoped_deadline(), self.call_timeout) {
            (Some(scoped), _) => Some((scoped, scoped.saturating_duration_since(now))),
            (None, Some(timeout)) => Some((now + timeout, timeout)),
            (None, None) => None,
        };
        // SAFETY: forwarded from the caller, who lends `out` and `error`.
        unsafe {
            self.process.call(
                (u64::from(self.iface) << 32) | u64::from(self.instance),
                method,
                args,
                out,
                error,
                deadline,
            )
        }
    }
}
