//! The crate's layering, checked on its source: the database and domain layers know nothing of
//! HTTP, no source file grows past `MAX_LINES`, and nothing points at the old shared directory.

use std::path::{Path, PathBuf};

/// The longest a source file may be (the generated `src/db/schema.rs` excepted).
const MAX_LINES: usize = 400;

/// What the database and domain layers must not mention: the web framework and the HTTP error
/// type of `crate::error`.
const HTTP_WORDS: [&str; 5] = [
    "actix",
    "ApiError",
    "ApiResult",
    "crate::error",
    "ErrorCode",
];

/// The layers below the HTTP layer: they decide and store, and never know how a result is sent.
const LOWER_LAYERS: [&str; 7] = [
    "src/db",
    "src/domain",
    "src/search",
    "src/upload",
    "src/stats",
    "src/jobs",
    "src/outbound",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, recursively, skipping directories named in `skip` and symlinks.
fn files(dir: &Path, skip: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            let path = entry.path();
            if kind.is_dir() {
                if !skip.iter().any(|s| entry.file_name() == *s) {
                    dirs.push(path);
                }
            } else if kind.is_file() {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    files(dir, &[])
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `file:line: text` of every line of the `LOWER_LAYERS` that mentions `HTTP_WORDS`,
/// comment lines (`//`, `///`, `//!`) aside.
fn http_in_lower_layers() -> Vec<String> {
    let mut found = Vec::new();
    for layer in LOWER_LAYERS {
        for file in rust_files(&root().join(layer)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                if let Some(word) = HTTP_WORDS.iter().find(|w| code.contains(*w)) {
                    found.push(format!("{}:{}: {word}: {code}", relative(&file), n + 1));
                }
            }
        }
    }
    found
}

/// `file: N lines` of every source file longer than `MAX_LINES`: Rust under src/, tests/ and
/// benches/ (the generated `src/db/schema.rs` excepted), and the pages' and end-to-end tests'
/// scripts under assets/ and e2e/.
fn long_files() -> Vec<String> {
    let schema = root().join("src/db/schema.rs");
    let is_source = |p: &PathBuf| {
        p.extension()
            .is_some_and(|e| e == "rs" || e == "js" || e == "mjs" || e == "css" || e == "html")
    };
    ["src", "tests", "benches", "assets", "e2e"]
        .into_iter()
        .flat_map(|dir| files(&root().join(dir), &["node_modules"]))
        .filter(|file| is_source(file) && *file != schema)
        .filter_map(|file| {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{}: {lines} lines", relative(&file)))
        })
        .collect()
}

/// Every file of the repository (outside .git, target, .ci and node_modules) that contains the
/// old shared directory's relative path.
fn shared_mentions() -> Vec<String> {
    // spelled in two pieces, so this file does not find itself
    let needle = concat!("..", "/shared").as_bytes();
    files(&root(), &[".git", "target", ".ci", "node_modules"])
        .into_iter()
        .filter(|file| {
            let bytes = std::fs::read(file).unwrap();
            bytes.windows(needle.len()).any(|w| w == needle)
        })
        .map(|file| relative(&file))
        .collect()
}

fn assert_none(found: Vec<String>, what: &str) {
    assert!(
        found.is_empty(),
        "{what} ({}):\n  {}",
        found.len(),
        found.join("\n  ")
    );
}

#[test]
fn lower_layers_know_nothing_of_http() {
    assert_none(
        http_in_lower_layers(),
        "the layers below routes/ mention actix or the HTTP error type",
    );
}

#[test]
fn source_files_stay_short() {
    assert_none(
        long_files(),
        &format!("source files over {MAX_LINES} lines"),
    );
}

#[test]
fn nothing_points_at_the_old_shared_directory() {
    assert_none(
        shared_mentions(),
        concat!("files mentioning ", "..", "/shared"),
    );
}
