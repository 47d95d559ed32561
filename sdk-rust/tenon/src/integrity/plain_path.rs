//! The plain spelling of a verbatim Windows path, where one names the same
//! file.
//!
//! Windows canonicalization answers in the verbatim form (`\\?\C:\dir\a.dll`,
//! `\\?\UNC\server\share\a.dll`), which the Win32 path functions pass on
//! without normalizing it. Users know the plain form (`C:\dir\a.dll`,
//! `\\server\share\a.dll`) and it names the same file whenever normalizing
//! it changes nothing: it fits the classic `MAX_PATH` limit, and no part of
//! it is one that normalization rewrites (`.`, `..`, a trailing dot or
//! space, a forward slash) or reads as a device (`NUL`, `COM1.txt`). A path
//! that fails any of these has only its verbatim form, which is kept.
//!
//! Pure string logic, so that its tests run on every platform; only the
//! Windows build applies it.

/// `MAX_PATH`, counting the terminating NUL, in UTF-16 units.
const MAX_PATH: usize = 260;

/// The plain form of `path` if it is a verbatim drive or UNC path that the
/// plain form names exactly; `None` when `path` should be kept as it is.
pub(crate) fn plain(path: &str) -> Option<String> {
    let rest = path.strip_prefix(r"\\?\")?;
    let (plain, parts) = match strip_unc(rest) {
        Some(unc) => {
            // The server and the share are both needed for a UNC path.
            let mut names = unc.split('\\');
            if names.next().is_none_or(str::is_empty) || names.next().is_none_or(str::is_empty) {
                return None;
            }
            (format!(r"\\{unc}"), unc)
        }
        None => {
            let bytes = rest.as_bytes();
            let drive = bytes.len() >= 3
                && bytes[0].is_ascii_alphabetic()
                && bytes[1] == b':'
                && bytes[2] == b'\\';
            if !drive {
                return None;
            }
            // `C:\` alone is the root: nothing after the drive to check.
            (rest.to_owned(), &rest[3..])
        }
    };
    let fits = plain.encode_utf16().count() < MAX_PATH;
    (fits && (parts.is_empty() || parts.split('\\').all(plain_name))).then_some(plain)
}

/// The verbatim form of the absolute path `path` (`C:\dir\a.dll` →
/// `\\?\C:\dir\a.dll`, `\\server\share\a.dll` → `\\?\UNC\server\share\a.dll`),
/// which names the file whatever its length; a path already verbatim is
/// kept. `None` for anything else (relative, a device path such as
/// `\\.\C:\`), which has no verbatim form to give.
///
/// `path` must already be normalized (`std::path::absolute` of the path
/// given): the verbatim form is passed on as it is written.
pub(crate) fn verbatim(path: &str) -> Option<String> {
    if path.starts_with(r"\\?\") {
        return Some(path.to_owned());
    }
    if let Some(unc) = path.strip_prefix(r"\\") {
        let mut names = unc.split('\\');
        // A server and a share; `\\.\` and `\\?\` are device paths.
        names
            .next()
            .filter(|n| !n.is_empty() && *n != "." && *n != "?")?;
        names.next().filter(|n| !n.is_empty())?;
        return Some(format!(r"\\?\UNC\{unc}"));
    }
    let bytes = path.as_bytes();
    let drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'\\';
    drive.then(|| format!(r"\\?\{path}"))
}

/// What follows `UNC\` (any case), if `rest` starts with it.
fn strip_unc(rest: &str) -> Option<&str> {
    let head = rest.get(..4)?;
    head.eq_ignore_ascii_case(r"UNC\").then(|| &rest[4..])
}

/// Whether `name`, one component of a path, reads the same through Win32
/// normalization as in a verbatim path.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.ends_with(['.', ' '])
        && !name
            .chars()
            .any(|c| c < ' ' || matches!(c, '/' | '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        && !device(name)
}

/// Whether Win32 reads `name` as a device, whatever its extension.
fn device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let numbered = upper
                .strip_prefix("COM")
                .or_else(|| upper.strip_prefix("LPT"));
            numbered.is_some_and(|n| {
                matches!(n, "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9")
                    || matches!(n, "\u{b9}" | "\u{b2}" | "\u{b3}")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{plain, verbatim};

    #[test]
    fn an_absolute_path_gets_its_verbatim_form() {
        let long = format!(r"C:\plugins\{}\greeter.dll", "d".repeat(300));
        assert_eq!(verbatim(&long), Some(format!(r"\\?\{long}")));
        assert_eq!(
            verbatim(r"\\server\share\greeter.dll").as_deref(),
            Some(r"\\?\UNC\server\share\greeter.dll")
        );
        assert_eq!(
            verbatim(r"\\?\C:\greeter.dll").as_deref(),
            Some(r"\\?\C:\greeter.dll")
        );
        // A long verbatim path keeps that form when shown.
        assert_eq!(plain(&verbatim(&long).unwrap()), None);
        for other in [
            r"greeter.dll",
            r"C:greeter.dll",
            r"\\.\C:\greeter.dll",
            r"\\server",
            r"\\server\",
            "/home/me/libgreeter.so",
        ] {
            assert_eq!(verbatim(other), None, "{other}");
        }
    }

    #[test]
    fn a_verbatim_drive_path_reads_plain() {
        assert_eq!(
            plain(r"\\?\C:\Users\me\plugins\greeter.dll").as_deref(),
            Some(r"C:\Users\me\plugins\greeter.dll")
        );
        assert_eq!(
            plain(r"\\?\Z:\work\a b\grüße 插件.dll").as_deref(),
            Some(r"Z:\work\a b\grüße 插件.dll")
        );
        assert_eq!(plain(r"\\?\d:\").as_deref(), Some(r"d:\"));
    }

    #[test]
    fn a_verbatim_unc_path_reads_as_a_plain_unc_path() {
        assert_eq!(
            plain(r"\\?\UNC\server\share\plugins\greeter.dll").as_deref(),
            Some(r"\\server\share\plugins\greeter.dll")
        );
        assert_eq!(
            plain(r"\\?\unc\server\share").as_deref(),
            Some(r"\\server\share")
        );
        assert_eq!(plain(r"\\?\UNC\server"), None);
        assert_eq!(plain(r"\\?\UNC\server\"), None);
        assert_eq!(plain(r"\\?\UNC\\share\a.dll"), None);
    }

    #[test]
    fn paths_without_the_verbatim_prefix_are_left_alone() {
        for path in [
            r"C:\plugins\greeter.dll",
            r"\\server\share\greeter.dll",
            "/home/me/libgreeter.so",
            r"\\.\C:\greeter.dll",
            "",
        ] {
            assert_eq!(plain(path), None, "{path}");
        }
    }

    #[test]
    fn other_verbatim_forms_are_kept() {
        for path in [
            r"\\?\Volume{0b1c2d3e-0000-0000-0000-100000000000}\greeter.dll",
            r"\\?\GLOBALROOT\Device\HarddiskVolume1\greeter.dll",
            r"\\?\C:",
            r"\\?\C:greeter.dll",
            r"\\?\1:\greeter.dll",
        ] {
            assert_eq!(plain(path), None, "{path}");
        }
    }

    #[test]
    fn a_path_too_long_for_max_path_stays_verbatim() {
        // C:\ + 255 characters is 258 units: fits with its NUL.
        let fits = format!(r"\\?\C:\{}", "a".repeat(255));
        assert_eq!(plain(&fits).map(|p| p.len()), Some(258));
        let at_limit = format!(r"\\?\C:\{}", "a".repeat(256));
        assert_eq!(plain(&at_limit).map(|p| p.len()), Some(259));
        let over = format!(r"\\?\C:\{}", "a".repeat(257));
        assert_eq!(plain(&over), None);
        // Counted in UTF-16 units: 'ü' is one unit (two UTF-8 bytes).
        let wide = format!(r"\\?\C:\{}", "ü".repeat(256));
        assert!(plain(&wide).is_some());
        // A character outside the BMP is two units.
        let astral = format!(r"\\?\C:\{}", "😀".repeat(129));
        assert_eq!(plain(&astral), None);
        let unc = format!(r"\\?\UNC\server\share\{}", "a".repeat(250));
        assert_eq!(plain(&unc), None);
    }

    #[test]
    fn names_normalization_would_change_stay_verbatim() {
        for name in [
            ".",
            "..",
            "dots.",
            "space ",
            "",
            "a/b",
            "a:stream",
            "what?",
            "star*",
            "a<b",
            "a|b",
            "tab\tname",
        ] {
            let path = format!(r"\\?\C:\plugins\{name}\greeter.dll");
            assert_eq!(plain(&path), None, "{path}");
        }
        assert_eq!(plain(r"\\?\C:\plugins\"), None, "a trailing separator");
        assert_eq!(
            plain(r"\\?\C:\plugins\\greeter.dll"),
            None,
            "a doubled separator"
        );
    }

    #[test]
    fn device_names_stay_verbatim_whatever_their_extension() {
        for name in [
            "NUL",
            "nul",
            "con.dll",
            "Aux.txt",
            "PRN",
            "COM1",
            "com9.dll",
            "LPT3",
            "lpt0",
            "COM\u{b9}",
            "CONIN$",
            "conout$.x",
            "NUL .dll",
        ] {
            let path = format!(r"\\?\C:\plugins\{name}");
            assert_eq!(plain(&path), None, "{path}");
        }
        for name in [
            "CONSOLE.dll",
            "COM10",
            "LPT",
            "nully.dll",
            "auxiliary",
            "com1x",
        ] {
            let path = format!(r"\\?\C:\plugins\{name}");
            assert!(plain(&path).is_some(), "{path}");
        }
    }
}
