//! Running the demo without arguments, in this repository: the example
//! plugins in every language are built first (with the compilers, `zig` and
//! cargo found on this machine), and the demo loads them. This is a
//! convenience of the repository, not part of the host: a host of your own
//! is given its plugin files, as the demo is when given paths.

use std::path::PathBuf;

/// The example plugins, built: their paths, and the languages they are in
/// as a phrase (`C, C++, Zig, Rust`). An example whose toolchain is missing
/// is reported as `TOOLCHAIN MISSING` on stderr and left out, unless
/// `TENON_REQUIRE_TOOLCHAINS=1`, which makes it an error.
pub fn build() -> Result<(Vec<PathBuf>, String), String> {
    println!("building the example plugins (C, C++, Zig, Rust) ...");
    let examples = tenon_test_plugins::try_all_examples()
        .map_err(|error| format!("could not build the example plugins: {error}"))?;
    let mut languages: Vec<&str> = Vec::new();
    for example in &examples {
        let name = language_name(example.language);
        if !languages.contains(&name) {
            languages.push(name);
        }
    }
    let mut phrase = languages.join(", ");
    let absent: Vec<&str> = tenon_test_plugins::LANGUAGES
        .iter()
        .map(|language| language_name(language))
        .filter(|name| !languages.contains(name))
        .collect();
    if !absent.is_empty() {
        phrase.push_str(&format!(
            " (none in {}: toolchain missing)",
            absent.join(", ")
        ));
    }
    let paths = examples.into_iter().map(|example| example.path).collect();
    Ok((paths, phrase))
}

/// The human name of a language as the example list spells it.
fn language_name(language: &str) -> &str {
    match language {
        "c" => "C",
        "cpp" => "C++",
        "zig" => "Zig",
        "rust" => "Rust",
        other => other,
    }
}
