//! The headers of the application that an interface header includes
//! (`#include "acme/common.h"`), found without a preprocessor, in the one
//! way every tool that reads an interface header follows them: `tenon new`
//! copies them into the projects it writes (and gives their include roots
//! to the bindings), and [`model`](crate::model) reads the interface's id
//! and version macros from them when the header itself does not define
//! them.

use std::path::{Path, PathBuf};

use crate::conditional::{defines_next, split_directive, Conditionals, Reading};
use crate::model::{strip_comments, ModelError};

/// A header of the application's that the interface header includes,
/// directly or through another such header, and where its copy goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Included {
    /// The header in the application's tree.
    pub source: PathBuf,
    /// Its copy's path, `/`-separated, relative to the directory the project
    /// keeps the interface header in (`include/`, or `interface/` for Rust),
    /// so that the `#include` that named it finds it there as it did in the
    /// application's tree.
    pub copy: String,
}

/// The headers of an application that an interface header includes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Includes {
    /// Every header found, directly or transitively included, ordered by
    /// [`Included::copy`].
    pub headers: Vec<Included>,
    /// The include roots above the header's directory that some of them
    /// were found under (`include/` for `include/acme/shapes.h` including
    /// `<acme/common.h>`): what a compiler of the header needs as `-I`.
    pub roots: Vec<PathBuf>,
}

/// The headers `header` includes from its own tree, transitively, with
/// where each would be copied, and the include roots above the header's
/// directory that some of them were found under.
///
/// An `#include` is looked for where a compiler given `-I` the header's
/// directory would look: a quoted one first beside the file that includes
/// it, then (quoted or not) in the header's directory, then in an include
/// root the header was given under, an ancestor directory `R` whose path to
/// the header starts with the include's first component (`R/acme/shapes.h`
/// including `<acme/common.h>`), then in `include_dirs` (the `-I` of
/// `tenon bindgen`). `tenon/*.h` is skipped: it is the SDK's, which every
/// project has its own copy of; so is an `#include` in a branch the header
/// reader skips (`#if 0`, see [`model`](crate::model)). An angle include
/// found nowhere is taken for a system header (`<stdint.h>`) and left
/// alone; a quoted one found nowhere, an angle one whose first component
/// names a directory of the application's (`<acme/missing.h>`), and one whose copy would land outside
/// the project's header directory (`"../common.h"` from the interface
/// header) are errors naming the include: a project could not build without
/// them.
pub fn included_headers(header: &Path, include_dirs: &[PathBuf]) -> Result<Includes, ModelError> {
    walk(header, include_dirs).map_err(|message| ModelError::Header {
        file: None,
        message,
    })
}

fn walk(header: &Path, include_dirs: &[PathBuf]) -> Result<Includes, String> {
    let header_dir = match header.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let header_name = header
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let identity = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    // Copy path → the file copied there; the interface header's own copy
    // is taken.
    let mut copies: Vec<(String, PathBuf)> = vec![(header_name, identity(header))];
    let mut found = Vec::new();
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut queue = vec![(header.to_path_buf(), String::new())];
    while let Some((file, copy_dir)) = queue.pop() {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        for (name, quoted) in includes_in(&text) {
            if name.starts_with("tenon/") {
                continue;
            }
            let shown = if quoted {
                format!("\"{name}\"")
            } else {
                format!("<{name}>")
            };
            let refuse = |why: &str| {
                format!(
                    "{}: #include {shown} {why}; the project made from {} could not build \
                     without it",
                    file.display(),
                    header.display()
                )
            };
            if Path::new(&name).is_absolute() || name.contains('\\') {
                return Err(refuse(
                    "is not a relative path with `/` separators, so it has no place in the project",
                ));
            }
            let beside = file.parent().unwrap_or(Path::new(".")).join(&name);
            let root = include_root(&header_dir, &name);
            let (source, copy) = if quoted && beside.is_file() {
                (beside, format!("{copy_dir}{name}"))
            } else if header_dir.join(&name).is_file() {
                (header_dir.join(&name), name.clone())
            } else if let Some(root) = root.clone().filter(|r| r.join(&name).is_file()) {
                if !roots.contains(&root) {
                    roots.push(root.clone());
                }
                (root.join(&name), name.clone())
            } else if let Some(dir) = include_dirs.iter().find(|d| d.join(&name).is_file()) {
                (dir.join(&name), name.clone())
            } else if quoted || root.is_some() {
                return Err(refuse(&format!(
                    "is not found beside it nor under {}{}",
                    header_dir.display(),
                    root.iter()
                        .chain(include_dirs)
                        .map(|r| format!(" or {}", r.display()))
                        .collect::<String>()
                )));
            } else {
                // A system header.
                continue;
            };
            let Some(copy) = normalize(&copy) else {
                return Err(refuse(&format!(
                    "escapes upward out of the directory tree of {}: its copy would be \
                     outside the project's header directory",
                    header.display()
                )));
            };
            let id = identity(&source);
            match copies.iter().find(|(at, _)| *at == copy) {
                Some((_, already)) if *already == id => continue,
                Some((_, already)) => {
                    return Err(refuse(&format!(
                        "is {}, but {} already goes to that place in the project",
                        source.display(),
                        already.display()
                    )))
                }
                None => {}
            }
            if found.len() == MAX_INCLUDED {
                return Err(format!(
                    "{} includes more than {MAX_INCLUDED} headers of its own tree \
                     (through a directory link that leads back up?)",
                    header.display()
                ));
            }
            copies.push((copy.clone(), id));
            let dir = match copy.rfind('/') {
                Some(slash) => copy[..=slash].to_owned(),
                None => String::new(),
            };
            queue.push((source.clone(), dir));
            found.push(Included { source, copy });
        }
    }
    found.sort_by(|a, b| a.copy.cmp(&b.copy));
    Ok(Includes {
        headers: found,
        roots,
    })
}

/// How many headers [`included_headers`] finds at most: the cap ends a
/// walk that a directory link pointing back up would make endless.
const MAX_INCLUDED: usize = 256;

/// The `#include`s of a C header's text: each name, and whether it was
/// quoted (`"…"`) rather than bracketed (`<…>`). One in a branch the
/// header reader skips (`#if 0`, `#ifdef __cplusplus`, see
/// [`model`](crate::model)) is left out; one under a condition it cannot
/// evaluate is kept, since the project may need it.
fn includes_in(text: &str) -> Vec<(String, bool)> {
    let mut includes = Vec::new();
    let mut conditionals = Conditionals::new();
    let mut after = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        after += line.len();
        let rest_of_text = &text[after..];
        let line = line.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        // Roughly: lines of comments are not what makes an include guard's
        // `#ifndef` the first thing in the file.
        let pragma_once = trimmed.split_whitespace().collect::<Vec<_>>() == ["#pragma", "once"];
        if !(pragma_once
            || trimmed.is_empty()
            || ["//", "/*", "*"].iter().any(|c| trimmed.starts_with(c)))
        {
            conditionals.next_item();
        }
        let Some(directive) = trimmed.strip_prefix('#') else {
            continue;
        };
        let directive = strip_comments(directive);
        let directive = directive.trim();
        let (keyword, rest) = split_directive(directive);
        let mut words = rest.split_whitespace();
        // Conditionals that do not pair up are the model's to report; here
        // they leave the includes after them followed.
        let guarded = |name: &str| defines_next(rest_of_text, name);
        match conditionals.directive(keyword, rest.trim(), index + 1, guarded) {
            Ok(true) | Err(_) => continue,
            Ok(false) => {}
        }
        if conditionals.reading() == Reading::Skipped {
            continue;
        }
        match (keyword, words.next()) {
            ("define", Some(name)) => {
                let name = name.split('(').next().unwrap_or(name);
                conditionals.define(name, &words.collect::<Vec<_>>().join(" "));
                continue;
            }
            ("undef", Some(name)) => {
                conditionals.undefine(name);
                continue;
            }
            _ => {}
        }
        let Some(rest) = line
            .trim_start()
            .strip_prefix('#')
            .and_then(|rest| rest.trim_start().strip_prefix("include"))
        else {
            continue;
        };
        let rest = rest.trim_start();
        let (close, quoted) = match rest.chars().next() {
            Some('"') => ('"', true),
            Some('<') => ('>', false),
            // A macro include (`#include ACME_CONFIG`) names no file here.
            _ => continue,
        };
        if let Some(end) = rest[1..].find(close) {
            includes.push((rest[1..=end].to_owned(), quoted));
        }
    }
    includes
}

/// The include root an include `name` can be found under when the
/// interface header is in `header_dir`: the nearest ancestor `R` of
/// `header_dir` with `header_dir` under `R/first`, where `first` is the
/// include's first component, so that `R` is where the application passes
/// `-I` for its headers (`include/` for `include/acme/shapes.h` including
/// `<acme/common.h>`).
fn include_root(header_dir: &Path, name: &str) -> Option<PathBuf> {
    let (first, _) = name.split_once('/')?;
    if first == "." || first == ".." {
        return None;
    }
    let absolute = std::path::absolute(header_dir).ok()?;
    absolute
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|n| n == first))
        .and_then(Path::parent)
        .map(Path::to_path_buf)
}

/// `path` with its `.` and `..` components resolved, or `None` if it
/// climbs above where it starts.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_are_read_as_a_preprocessor_reads_them() {
        let text = "#include <tenon/plugin.h>\n  #  include \"acme/common.h\" /* why */\n\
                    // #include \"commented.h\"\n#include ACME_CONFIG\n#include <stdint.h>\n\
                    #define X \"#include <no.h>\"\n";
        assert_eq!(
            includes_in(text),
            [
                ("tenon/plugin.h".to_owned(), false),
                ("acme/common.h".to_owned(), true),
                ("stdint.h".to_owned(), false),
            ]
        );
    }

    #[test]
    fn includes_in_branches_not_taken_are_left_out() {
        let text = "#ifndef ACME_H\n#define ACME_H\n#if 0 // old\n#include \"old.h\"\n\
                    #elif defined(ACME_WIN)\n#include \"win.h\"\n#else\n#include \"posix.h\"\n\
                    #endif\n#ifdef __cplusplus\n#include <string>\n#endif\n\
                    #define ACME_NEW\n#ifndef ACME_NEW\n#include \"legacy.h\"\n#endif\n#endif\n";
        assert_eq!(
            includes_in(text),
            [("win.h".to_owned(), true), ("posix.h".to_owned(), true)]
        );
    }

    #[test]
    fn a_copy_path_that_climbs_out_is_refused() {
        assert_eq!(
            normalize("acme/./detail/../common.h").as_deref(),
            Some("acme/common.h")
        );
        assert_eq!(normalize("acme/../common.h").as_deref(), Some("common.h"));
        assert_eq!(normalize("../common.h"), None);
        assert_eq!(normalize("acme/../../common.h"), None);
    }
}
