//! Copies of the files a cold case runs and loads, written the way an
//! installer writes them.
//!
//! A file's pages in the page cache keep the shape of the writes that made
//! them: the file `write()` made (what `cp`, `install`, package managers
//! and image layers do) sits in large folios, physically contiguous runs of
//! pages, while a file its writer filled through a shared mapping (LLD, the
//! linker of every Rust build here, writes its output that way) sits in
//! single pages. A fresh process runs its code for the first time from
//! those pages, and measured on this machine (AMD EPYC, KVM) the first run
//! of the same code costs more from single pages: the cold load of the C
//! greeter took 1.64–1.81× the raw cycle from the benchmark binary as the
//! linker left it and 1.30–1.46× from a copy of it, byte for byte the same
//! file (`docs/PERFORMANCE.md`). Tenon runs more code of the host binary
//! than the raw cycle does, so the layout decides part of the ratio. The
//! cold cases run from installed copies, as a deployed program does, and
//! the `-as-linked` rows show the other case.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A folder of installed copies, removed when dropped.
pub struct Installed {
    dir: PathBuf,
    copies: usize,
}

impl Installed {
    /// A new, empty folder in the temporary directory; `label` names it.
    pub fn new(label: &str) -> Installed {
        let dir = std::env::temp_dir().join(format!(
            "tenon-bench-installed-{label}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the installed copies' folder can be made");
        Installed { dir, copies: 0 }
    }

    /// Writes a copy of `file` with `write()`, under its own name and
    /// permissions, and returns its path.
    pub fn copy(&mut self, file: &Path) -> PathBuf {
        // A folder per copy: two plugins may share a file name.
        self.copies += 1;
        let dir = self.dir.join(self.copies.to_string());
        std::fs::create_dir_all(&dir).expect("a copy's folder can be made");
        let name = file.file_name().expect("a file to copy has a name");
        let copy = dir.join(name);
        let bytes = std::fs::read(file)
            .unwrap_or_else(|e| panic!("reading {} to install it: {e}", file.display()));
        // Not `std::fs::copy`: it may share the original's extents
        // (`copy_file_range`, reflinks), and the copy must be written.
        let mut out = std::fs::File::create(&copy).expect("the copy can be created");
        out.write_all(&bytes).expect("the copy can be written");
        let permissions = std::fs::metadata(file)
            .expect("the original's permissions can be read")
            .permissions();
        out.set_permissions(permissions)
            .expect("the copy takes the original's permissions");
        copy
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
