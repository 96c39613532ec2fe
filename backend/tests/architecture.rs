//! Architecture invariants, enforced by reading the sources:
//! the pure core (`calendar/`, `availability/`, and the shared domain types in `domain/`) reads no clock and does no I/O of its own
//! (`calendar::parse_reader` reads from a reader its caller opened), and its imports stay
//! within std, chrono, chrono-tz, rrule, memchr, rustc-hash, serde (derives) and the core itself.
//! No two top-level modules use each other, and none uses the edges (`api`, `cli`); `api/` reaches
//! storage and the sync hub only through the booking service's named use cases; no source file
//! is longer than 800 lines outside its tests; the browser app reads the API through the wire
//! crate's types, never through copies of its own.

use std::path::Path;

const PURE: [&str; 3] = ["src/calendar", "src/availability", "src/domain"];

const FORBIDDEN: [&str; 10] = [
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
    "std::fs",
    "std::net",
    "std::env",
    "std::thread",
    "tokio",
    "reqwest",
];

const ALLOWED_USES: [&str; 11] = [
    "use std::",
    "use chrono",
    "use rrule",
    "use rustc_hash",
    "use memchr",
    "use super::",
    "use crate::calendar",
    "use crate::availability",
    "use crate::domain",
    "use serde",
    "use proptest",
];

#[test]
fn the_pure_core_reads_no_clock_and_does_no_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for dir in PURE {
        for entry in std::fs::read_dir(root.join(dir)).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source file");
            let name = path.display();
            for word in FORBIDDEN {
                assert!(!text.contains(word), "{name} mentions {word}");
            }
            for line in text.lines().map(str::trim_start) {
                if line.starts_with("use ") {
                    assert!(
                        ALLOWED_USES.iter().any(|a| line.starts_with(a)),
                        "{name}: {line}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} files checked");
}

/// The backend's top-level modules whose dependencies are checked.
const MODULES: [&str; 13] = [
    "config",
    "store",
    "sync",
    "sources",
    "api",
    "cli",
    "notify",
    "booking",
    "availability",
    "calendar",
    "domain",
    "queue",
    "clock",
];

/// The edges: they may use every module, and none may use them.
const EDGES: [&str; 2] = ["api", "cli"];

/// The source files of a top-level module (`src/NAME.rs` or every file under `src/NAME/`),
/// without test files (`tests.rs`, `test_support.rs`).
fn module_files(root: &Path, name: &str) -> Vec<std::path::PathBuf> {
    let file = root.join("src").join(format!("{name}.rs"));
    if file.is_file() {
        return vec![file];
    }
    let mut found = Vec::new();
    let mut dirs = vec![root.join("src").join(name)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path
                    .file_name()
                    .is_some_and(|n| n == "tests.rs" || n == "test_support.rs")
            {
                found.push(path);
            }
        }
    }
    found
}

/// The code of a file without comments and without its `#[cfg(test)]` items (a test module
/// is skipped to its closing brace).
fn code_outside_tests(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("#[cfg(test)]") {
            // Skip the next item: to the end of its line when it has no block, else to the
            // brace that closes it.
            let mut depth = 0i32;
            let mut opened = false;
            for next in lines.by_ref() {
                depth += next.matches('{').count() as i32 - next.matches('}').count() as i32;
                opened |= next.contains('{');
                if (opened && depth <= 0) || (!opened && next.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        let code = trimmed.split(" //").next().unwrap_or_default();
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The top-level modules `code` names: `crate::X` and `use crate::{X, Y::…}`.
fn crate_references(code: &str) -> std::collections::BTreeSet<String> {
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = std::collections::BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the first segment of each top-level entry.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        found.insert(word(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(word(rest));
        }
    }
    found
}

/// Which listed modules each module uses (outside its tests).
fn module_graph() -> std::collections::BTreeMap<&'static str, std::collections::BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    MODULES
        .iter()
        .map(|&name| {
            let files = module_files(root, name);
            assert!(!files.is_empty(), "no source of module {name}");
            let mut uses = std::collections::BTreeSet::new();
            for file in files {
                let text = std::fs::read_to_string(&file).expect("source file");
                uses.extend(crate_references(&code_outside_tests(&text)));
            }
            uses.retain(|u| u != name && MODULES.contains(&u.as_str()));
            (name, uses)
        })
        .collect()
}

#[test]
fn the_reference_reader_sees_paths_groups_and_skips_tests() {
    let code = code_outside_tests(
        "use crate::a::B;\nuse crate::{c, d::{E, F}, g::H};\n// crate::comment\n\
         fn f() { crate::i::j(); }\n#[cfg(test)]\nmod tests {\n    use crate::k;\n    fn t() {}\n}\n\
         #[cfg(test)]\nmod more;\nuse crate::l;\n",
    );
    let found: Vec<String> = crate_references(&code).into_iter().collect();
    assert_eq!(found, ["a", "c", "d", "g", "i", "l"]);
}

#[test]
fn no_two_top_level_modules_use_each_other_and_nothing_uses_the_edges() {
    let graph = module_graph();
    let mut problems = Vec::new();
    for (a, uses) in &graph {
        for b in uses {
            if EDGES.contains(&b.as_str()) && !EDGES.contains(a) {
                problems.push(format!("{a} uses the edge {b}"));
            }
        }
    }
    // Every cycle, found by a depth-first search from each module (a cycle is named once,
    // from its smallest module).
    for start in MODULES {
        let mut stack = vec![(start, vec![start])];
        while let Some((at, path)) = stack.pop() {
            for next in &graph[at] {
                let next = MODULES
                    .iter()
                    .copied()
                    .find(|m| m == next)
                    .expect("listed module");
                if next == start {
                    problems.push(format!("cycle: {} -> {start}", path.join(" -> ")));
                } else if next > start && !path.contains(&next) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push((next, longer));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}\n{graph:#?}");
}

#[test]
fn http_reaches_storage_and_the_hub_only_through_the_use_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for file in module_files(root, "api") {
        let text = std::fs::read_to_string(&file).expect("source file");
        for word in [
            "crate::store",
            ".store()",
            "rusqlite",
            ".hub()",
            "SyncHub",
            "notify::Host",
        ] {
            assert!(!text.contains(word), "{} mentions {word}", file.display());
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} files checked");
}

/// The most lines a source file holds outside its tests.
const MAX_LINES: usize = 800;

#[test]
fn no_source_file_is_longer_than_800_lines_outside_its_tests() {
    // The backend's and the frontend's sources (paths shown from the workspace root).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace");
    let mut too_long = Vec::new();
    let mut checked = 0;
    let mut dirs = vec![root.join("backend/src"), root.join("frontend/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.strip_prefix(root).expect("under the crate");
            let name = name.to_string_lossy().replace('\\', "/");
            if path.extension().is_none_or(|e| e != "rs") || name.ends_with("/tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source file");
            // Test modules aside; comments count (they are part of what a reader reads).
            let lines = text.lines().count() - test_module_lines(&text);
            if lines > MAX_LINES {
                too_long.push(format!("{name}: {lines} lines"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 150, "only {checked} files checked");
    assert!(too_long.is_empty(), "split these by concern: {too_long:#?}");
}

/// How many lines of `text` belong to `#[cfg(test)]` items.
fn test_module_lines(text: &str) -> usize {
    let mut count = 0;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("#[cfg(test)]") {
            continue;
        }
        count += 1;
        let mut depth = 0i32;
        let mut opened = false;
        for next in lines.by_ref() {
            count += 1;
            depth += next.matches('{').count() as i32 - next.matches('}').count() as i32;
            opened |= next.contains('{');
            if (opened && depth <= 0) || (!opened && next.trim_end().ends_with(';')) {
                break;
            }
        }
    }
    count
}

/// The types the wire crate (`openslot_wire`) declares: `pub struct` and `pub enum` names.
fn wire_type_names(root: &Path) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for path in rust_files(&root.join("../wire/src")) {
        let text = std::fs::read_to_string(&path).expect("wire source");
        for line in text.lines().map(str::trim_start) {
            let rest = line
                .strip_prefix("pub struct ")
                .or_else(|| line.strip_prefix("pub enum "));
            if let Some(rest) = rest {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
    }
    names
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The structs and enums in `text` that derive `Deserialize` and are named like a wire type
/// (the same name, or the same without its `Json`).
fn copies_of_wire_types(text: &str, wire: &std::collections::BTreeSet<String>) -> Vec<String> {
    let mut copies = Vec::new();
    let mut derives_deserialize = false;
    for line in text.lines().map(str::trim_start) {
        if line.starts_with("#[derive(") {
            derives_deserialize |= line.contains("Deserialize");
            continue;
        }
        if line.starts_with("#[") || line.starts_with("///") {
            continue;
        }
        let rest = [
            "pub struct ",
            "struct ",
            "pub enum ",
            "enum ",
            "pub(crate) struct ",
        ]
        .iter()
        .find_map(|p| line.strip_prefix(p));
        if let (Some(rest), true) = (rest, derives_deserialize) {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if wire.contains(&name) || wire.contains(&format!("{name}Json")) {
                copies.push(name);
            }
        }
        derives_deserialize = false;
    }
    copies
}

#[test]
fn the_copy_check_finds_a_copy() {
    let wire = ["BookingJson", "ErrorCode"].map(String::from).into();
    let text = "/// A copy.\n#[derive(Clone, Debug, Deserialize)]\n#[serde(rename_all = \"snake_case\")]\npub struct Booking {\n}\n\
                #[derive(serde::Deserialize)]\nenum ErrorCode {}\n\
                #[derive(Clone)]\nstruct BookingJson;\n\
                #[derive(Deserialize)]\nstruct Source {}\n";
    assert_eq!(copies_of_wire_types(text, &wire), ["Booking", "ErrorCode"]);
    // The dashboard's old `Source` and `Rules` are copies now that the wire crate has them.
    let wire = ["SourceJson", "RulesJson"].map(String::from).into();
    let text = "#[derive(Clone, Debug, Deserialize, PartialEq)]\npub struct Source {\n}\n\
                #[derive(Clone, Debug, Deserialize, PartialEq)]\npub struct Rules {\n}\n";
    assert_eq!(copies_of_wire_types(text, &wire), ["Source", "Rules"]);
}

#[test]
fn the_browser_app_has_no_copy_of_a_wire_type() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let wire = wire_type_names(root);
    for known in [
        "BookingJson",
        "ErrorJson",
        "ErrorCode",
        "AdminBookingJson",
        "WeekViewJson",
        "SourceJson",
        "SourceSettings",
        "RulesJson",
        "RulesDocument",
    ] {
        assert!(
            wire.contains(known),
            "the wire crate lost {known}: {wire:?}"
        );
    }
    let mut copies = Vec::new();
    for path in rust_files(&root.join("../frontend/src")) {
        let text = std::fs::read_to_string(&path).expect("frontend source");
        for name in copies_of_wire_types(&text, &wire) {
            copies.push(format!("{}: {name}", path.display()));
        }
    }
    assert!(
        copies.is_empty(),
        "use openslot_wire's types instead of these copies: {copies:#?}"
    );
}
