//! Interfaces described by the C headers given with `--interface`: what
//! `tenon check` knows of an interface it was not built with.

use std::path::{Path, PathBuf};
use tenon_bindgen::InterfaceModel;

/// One interface, read from its header.
#[derive(Clone, Debug)]
pub struct Described {
    /// The header it was read from.
    pub header: PathBuf,
    /// What the header declares.
    pub model: InterfaceModel,
}

impl Described {
    /// The methods a vtable of `slots` function pointers provides: all of
    /// them, or, for a plugin built against an earlier revision (`[revision
    /// N]` tags), the prefix its revision has.
    pub fn provided(&self, slots: usize) -> usize {
        self.model.methods.len().min(slots)
    }

    /// The latest revision whose methods a vtable of `slots` function
    /// pointers holds in full (1 at the least: a vtable short of revision 1
    /// is refused before its methods are called).
    pub fn reached(&self, slots: usize) -> u32 {
        match self.model.methods.get(slots) {
            Some(missing) => missing.since.saturating_sub(1).max(1),
            None => self.model.revision(),
        }
    }

    /// How many methods the first revision has: the fewest a vtable of
    /// this interface may hold.
    pub fn required(&self) -> usize {
        self.model.methods_of_revision(1).count()
    }
}

/// Reads every header; `Err` names the first that cannot be read as an
/// interface (a usage error), or two headers for the same interface at the
/// same version. Headers of two versions of one id are both kept: a plugin
/// offers one of them, and an application that moved to a new version
/// checks its plugins of either with the same command line.
pub fn read(headers: &[PathBuf]) -> Result<Vec<Described>, String> {
    let mut described: Vec<Described> = Vec::new();
    for header in headers {
        let model = read_one(header)?;
        if let Some(earlier) = described
            .iter()
            .find(|d| d.model.id == model.id && d.model.version == model.version)
        {
            return Err(format!(
                "--interface {} and --interface {} both describe {} version {}",
                earlier.header.display(),
                header.display(),
                model.id,
                model.version
            ));
        }
        described.push(Described {
            header: header.clone(),
            model,
        });
    }
    Ok(described)
}

fn read_one(header: &Path) -> Result<InterfaceModel, String> {
    InterfaceModel::from_header(header).map_err(|e| format!("--interface {e}"))
}
