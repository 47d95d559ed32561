//! The processes around a test, read from `/proc` (Linux) or `ps`
//! (macOS): children, their state, and becoming the reaper of orphaned
//! descendants.

use std::time::{Duration, Instant};

/// The state letter (`R`, `S`, `Z`, …) and the parent of process `pid`, or
/// `None` if it does not exist.
#[cfg(target_os = "linux")]
pub fn state_and_parent(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ppid …": comm may hold spaces and parentheses, so the
    // fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    let parent = fields.next()?.parse().ok()?;
    Some((state, parent))
}

/// The children of process `parent`, with their state letters.
#[cfg(target_os = "linux")]
pub fn children_of(parent: u32) -> Vec<(u32, char)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let (state, ppid) = state_and_parent(pid)?;
            (ppid == parent).then_some((pid, state))
        })
        .collect()
}

/// The children of this process that are zombies (dead, not reaped), after
/// giving their parent (this process's supervisor threads) up to `grace`
/// to reap them.
pub fn zombies_after(grace: Duration) -> Vec<u32> {
    let until = Instant::now() + grace;
    loop {
        let zombies: Vec<u32> = children_of(std::process::id())
            .into_iter()
            .filter(|(_, state)| *state == 'Z')
            .map(|(pid, _)| pid)
            .collect();
        if zombies.is_empty() || Instant::now() >= until {
            return zombies;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether process `pid` still exists and is not a zombie.
pub fn is_running(pid: u32) -> bool {
    matches!(state_and_parent(pid), Some((state, _)) if state != 'Z' && state != 'X')
}

/// Makes this process the reaper of its orphaned descendants
/// (`PR_SET_CHILD_SUBREAPER`), so that a grandchild whose parent was killed
/// becomes this process's child, which the test can watch and reap, instead
/// of the container's init's (which may never reap it).
#[cfg(target_os = "linux")]
pub fn become_subreaper() {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes one integer argument
    // and touches no memory of this process.
    let result = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    assert_eq!(
        result,
        0,
        "PR_SET_CHILD_SUBREAPER: {}",
        std::io::Error::last_os_error()
    );
}

/// Reaps process `pid` if it is a dead child of this one; true if it was
/// reaped or no longer exists.
#[cfg(target_os = "linux")]
pub fn reap(pid: u32) -> bool {
    let mut status = 0;
    // SAFETY: waitpid with WNOHANG writes only `status`, a live local.
    let reaped = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
    reaped == pid as libc::pid_t || !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Every process's (pid, parent, state letter), from `ps`.
#[cfg(target_os = "macos")]
fn processes() -> Vec<(u32, u32, char)> {
    let Ok(output) = std::process::Command::new("ps")
        .args(["-A", "-o", "pid=,ppid=,stat="])
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let pid = fields.next()?.parse().ok()?;
            let parent = fields.next()?.parse().ok()?;
            let state = fields.next()?.chars().next()?;
            Some((pid, parent, state))
        })
        .collect()
}

/// The state letter (`R`, `S`, `Z`, …) and the parent of process `pid`, or
/// `None` if it does not exist.
#[cfg(target_os = "macos")]
pub fn state_and_parent(pid: u32) -> Option<(char, u32)> {
    processes()
        .into_iter()
        .find(|(p, _, _)| *p == pid)
        .map(|(_, parent, state)| (state, parent))
}

/// The children of process `parent`, with their state letters.
#[cfg(target_os = "macos")]
pub fn children_of(parent: u32) -> Vec<(u32, char)> {
    processes()
        .into_iter()
        .filter(|(_, p, _)| *p == parent)
        .map(|(pid, _, state)| (pid, state))
        .collect()
}

/// macOS has no subreaper: an orphan goes to launchd, which reaps it at
/// once, so [`reap`] only watches it disappear.
#[cfg(target_os = "macos")]
pub fn become_subreaper() {}

/// Whether process `pid` is gone (launchd reaped it) or dead.
#[cfg(target_os = "macos")]
pub fn reap(pid: u32) -> bool {
    !is_running(pid)
}
