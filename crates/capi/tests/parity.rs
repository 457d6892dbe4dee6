//! Parity of the bindings with the Rust client, checked rather than hoped
//! for. `bindings/parity.json` lists, for every batch option, progress and
//! report field and client entry point of the Rust crate, its Python and
//! its C spelling, or why a binding has none. This test:
//!
//! - reads the Rust items from the sources (`pub` fields of the option and
//!   report structs, `pub fn`s of their impls and of `Client`, the
//!   constructors of the sans-IO pair) and fails when one is in no entry,
//!   or when an entry names an item the sources no longer have;
//! - checks each Python spelling in `python/idv_delete/_native.pyi` and
//!   each C spelling in `include/delete.h`, as the right kind (class,
//!   property, method, keyword; function, constant, struct field);
//! - accepts a missing spelling only with one of [`REASONS`];
//! - generates the README's parity table from the list: the README's text
//!   between the two markers must equal it (`PARITY_BLESS=1` rewrites it).
//!
//! Plain text parsing, no extra dependencies: the sources are rustfmt'd
//! and the header is generated, so their shapes are stable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Why a binding may lack an item; `{"none": "REASON: why"}` must start
/// with one of these.
const REASONS: [(&str, &str); 5] = [
    (
        "builder",
        "Rust builder plumbing that the binding does for its user",
    ),
    (
        "derived",
        "computed from spellings the binding has, as its text says",
    ),
    (
        "rust-types",
        "returns or takes a Rust-only value; the binding sets it otherwise",
    ),
    (
        "interrupt",
        "the binding's language stops the call its own way (Ctrl-C)",
    ),
    (
        "cli",
        "exists for the CLI's own checks; the binding reports the same later",
    ),
];

const BEGIN: &str = "<!-- parity:begin: generated from bindings/parity.json by crates/capi/tests/parity.rs; PARITY_BLESS=1 cargo test -p idv-delete-capi --test parity rewrites it -->";
const END: &str = "<!-- parity:end -->";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The lines of the block that `opening` (a whole trimmed line such as
/// `pub struct BatchReport {`) starts at column 0, up to its closing `}`;
/// several blocks are joined (a type may have several impls).
fn blocks<'a>(source: &'a str, opening: &str) -> Vec<&'a str> {
    let mut lines = Vec::new();
    let mut inside = false;
    for line in source.lines() {
        if inside {
            if line == "}" {
                inside = false;
            } else {
                lines.push(line);
            }
        } else if line == opening {
            inside = true;
        }
    }
    lines
}

/// `pub` fields (`Type.field`) of `pub struct name` in `source`.
fn fields(source: &str, name: &str, items: &mut Vec<String>) {
    let lines = blocks(source, &format!("pub struct {name} {{"));
    assert!(!lines.is_empty(), "no `pub struct {name} {{` found");
    for line in lines {
        if let Some(rest) = line.strip_prefix("    pub ") {
            if let Some((field, _)) = rest.split_once(':') {
                items.push(format!("{name}.{field}"));
            }
        }
    }
}

/// `pub fn`s (`Type::name()`) of `impl name` in `source`; with
/// `constructors`, only those returning the type itself.
fn functions(source: &str, name: &str, constructors: bool, items: &mut Vec<String>) {
    let lines = blocks(source, &format!("impl {name} {{"));
    assert!(!lines.is_empty(), "no `impl {name} {{` found");
    for (at, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("    pub fn ") else {
            continue;
        };
        let function: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The signature: up to the line that opens the body.
        let mut signature = String::new();
        for line in &lines[at..] {
            signature.push_str(line);
            if line.trim_end().ends_with('{') {
                break;
            }
        }
        let returns_itself = signature
            .split_once("->")
            .is_some_and(|(_, ret)| has_word(ret, name) || has_word(ret, "Self"));
        if !constructors || returns_itself {
            items.push(format!("{name}::{function}()"));
        }
    }
}

/// Every Rust item the bindings must spell or excuse.
fn rust_items() -> Vec<String> {
    let batch = read("crates/blocking/src/batch.rs");
    let recheck = read("crates/blocking/src/recheck.rs");
    let client = read("crates/blocking/src/client.rs");
    let mut items = Vec::new();
    fields(&batch, "BatchOptions", &mut items);
    functions(&batch, "BatchOptions", false, &mut items);
    fields(&batch, "Progress", &mut items);
    fields(&batch, "BatchReport", &mut items);
    functions(&batch, "BatchReport", false, &mut items);
    fields(&recheck, "RecheckReport", &mut items);
    for source in [&client, &batch, &recheck] {
        functions(source, "Client", false, &mut items);
    }
    functions(
        &read("crates/blocking/src/journal/view.rs"),
        "JournalView",
        false,
        &mut items,
    );
    functions(&read("crates/core/src/op.rs"), "DeleteOp", true, &mut items);
    functions(
        &read("crates/core/src/token.rs"),
        "TokenState",
        true,
        &mut items,
    );
    items
}

/// A class of a `.pyi` stub: its name and lines.
fn python_classes(stub: &str) -> BTreeMap<String, Vec<&str>> {
    let mut classes: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in stub.lines() {
        if let Some(rest) = line.strip_prefix("class ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            classes.entry(name.clone()).or_default();
            current = Some(name);
        } else if !line.is_empty() && !line.starts_with(char::is_whitespace) {
            if line.starts_with("def ") {
                classes.entry(String::new()).or_default().push(line);
            }
            current = None;
        } else if let Some(name) = &current {
            classes.entry(name.clone()).or_default().push(line);
        }
    }
    classes
}

/// Whether `text` has `word` not preceded by an identifier character.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        !text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Whether the stub has `spelling` as its kind says (see the JSON's
/// comment).
fn python_has(classes: &BTreeMap<String, Vec<&str>>, spelling: &str) -> bool {
    // A module-level function, `name()`, is kept under the empty class name.
    if let Some(function) = spelling.strip_suffix("()").filter(|s| !s.contains('.')) {
        let def = format!("def {function}(");
        return classes
            .get("")
            .is_some_and(|lines| lines.iter().any(|line| line.starts_with(&def)));
    }
    let (class, member) = match spelling.split_once('.') {
        Some((class, member)) => (class, Some(member)),
        None => (spelling, None),
    };
    let Some(lines) = classes.get(class) else {
        return false;
    };
    let Some(member) = member else {
        return true;
    };
    let (name, call) = match member.split_once('(') {
        Some((name, call)) => (name, Some(call.trim_end_matches(')'))),
        None => (member, None),
    };
    let def = format!("    def {name}(");
    lines.iter().enumerate().any(|(at, line)| {
        if !line.starts_with(&def) {
            return false;
        }
        let property = lines[..at]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.trim() == "@property");
        match call {
            None => property,
            Some("") => !property,
            Some(keyword) => {
                let keyword = keyword.trim_end_matches('=');
                // The signature: up to the line that ends it.
                let mut signature = String::new();
                for line in &lines[at..] {
                    signature.push_str(line);
                    let line = line.trim_end();
                    if line.ends_with(':') || line.ends_with("...") {
                        break;
                    }
                }
                !property && has_word(&signature, &format!("{keyword}:"))
            }
        }
    })
}

/// Whether the header declares `spelling` as its kind says.
fn c_has(header: &str, spelling: &str) -> bool {
    if spelling.starts_with("DELETE_") {
        return header.lines().any(|l| {
            l.strip_prefix("#define ")
                .and_then(|r| r.split_whitespace().next())
                == Some(spelling)
        });
    }
    if let Some((record, field)) = spelling.split_once('.') {
        return blocks(header, &format!("typedef struct {record} {{"))
            .iter()
            .take_while(|l| !l.starts_with('}'))
            .any(|l| {
                let l = l.trim();
                !l.starts_with('*')
                    && !l.starts_with("/*")
                    && l.ends_with(&format!("{field};"))
                    && has_word(l, &format!("{field};"))
            });
    }
    header.lines().any(|line| {
        let trimmed = line.trim_start();
        !trimmed.starts_with('*')
            && !trimmed.starts_with("/*")
            && !trimmed.starts_with("#")
            && line.contains(&format!("{spelling}("))
            && has_word(line, &format!("{spelling}("))
    })
}

/// A binding's cell: its spellings, or why it has none.
enum Cell {
    Names(Vec<String>),
    None(String),
}

struct Entry {
    group: String,
    rust: Vec<String>,
    python: Cell,
    c: Cell,
}

fn strings(value: &Value, what: &str) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("bindings/parity.json: {what} must be a list of strings"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("bindings/parity.json: {what} must hold strings"))
                .to_owned()
        })
        .collect()
}

fn cell(value: &Value, what: &str) -> Cell {
    match value.get("none") {
        Some(why) => Cell::None(
            why.as_str()
                .unwrap_or_else(|| panic!("bindings/parity.json: {what}'s none must be a string"))
                .to_owned(),
        ),
        None => Cell::Names(strings(value, what)),
    }
}

fn entries() -> Vec<Entry> {
    let table: Value =
        serde_json::from_str(&read("bindings/parity.json")).expect("bindings/parity.json is JSON");
    let list = table["entries"]
        .as_array()
        .expect("bindings/parity.json has an \"entries\" list");
    list.iter()
        .enumerate()
        .map(|(at, entry)| {
            let keys: Vec<&str> = entry
                .as_object()
                .unwrap_or_else(|| panic!("bindings/parity.json: entries[{at}] is not an object"))
                .keys()
                .map(String::as_str)
                .collect();
            for key in &keys {
                assert!(
                    ["group", "rust", "python", "c"].contains(key),
                    "bindings/parity.json: entries[{at}] has an unknown key {key:?}: use group, rust, python, c"
                );
            }
            let what = format!("entries[{at}]");
            Entry {
                group: entry["group"]
                    .as_str()
                    .unwrap_or_else(|| panic!("bindings/parity.json: {what} lacks a group"))
                    .to_owned(),
                rust: strings(&entry["rust"], &format!("{what}.rust")),
                python: cell(&entry["python"], &format!("{what}.python")),
                c: cell(&entry["c"], &format!("{what}.c")),
            }
        })
        .collect()
}

/// What is wrong with the list: one line each, saying what to do.
fn problems(entries: &[Entry], rust: &[String], stub: &str, header: &str) -> Vec<String> {
    let classes = python_classes(stub);
    let mut problems = Vec::new();
    let mut listed: BTreeMap<&str, usize> = BTreeMap::new();
    for (at, entry) in entries.iter().enumerate() {
        for item in &entry.rust {
            if let Some(first) = listed.insert(item, at) {
                problems.push(format!(
                    "bindings/parity.json lists Rust {item} twice (entries {first} and {at}): keep one"
                ));
            }
            if !rust.contains(item) {
                problems.push(format!(
                    "bindings/parity.json names Rust {item}, which the sources no longer have: rename or remove its entry"
                ));
            }
        }
        let first = entry.rust.first().map_or("?", String::as_str);
        for (binding, cell) in [("Python", &entry.python), ("C", &entry.c)] {
            match cell {
                Cell::None(why) => {
                    let reason = why.split(':').next().unwrap_or("");
                    if !REASONS.iter().any(|(known, _)| *known == reason) {
                        problems.push(format!(
                            "{binding} lacks {first} with reason {why:?}, which is not one this test accepts ({}): add the spelling to the binding instead",
                            REASONS.map(|(r, _)| r).join(", ")
                        ));
                    }
                }
                Cell::Names(names) if names.is_empty() => problems.push(format!(
                    "{binding}: the entry of {first} names nothing: give its spellings or a none"
                )),
                Cell::Names(names) => {
                    for name in names {
                        let found = match binding {
                            "Python" => python_has(&classes, name),
                            _ => c_has(header, name),
                        };
                        if !found {
                            let file = match binding {
                                "Python" => "python/idv_delete/_native.pyi",
                                _ => "include/delete.h",
                            };
                            problems.push(format!(
                                "{binding} lacks {name} (for Rust {first}) in {file}, or not as that kind: add it or list why in bindings/parity.json"
                            ));
                        }
                    }
                }
            }
        }
    }
    for item in rust {
        if !listed.contains_key(item.as_str()) {
            problems.push(format!(
                "Rust has {item} but bindings/parity.json has no entry for it: add its Python and C spellings, or a none with a listed reason"
            ));
        }
    }
    problems
}

fn code(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn show(cell: &Cell) -> String {
    match cell {
        Cell::Names(names) => code(names),
        Cell::None(why) => {
            let text = why.split_once(':').map_or(why.as_str(), |(_, t)| t.trim());
            format!("none: {text}")
        }
    }
}

/// The README's table, between the markers.
fn table(entries: &[Entry]) -> String {
    let mut out = String::from(
        "| what | Rust (`idv_delete_blocking`) | Python (`idv_delete`) | C (`delete.h`) |\n|---|---|---|---|\n",
    );
    for entry in entries {
        let group = match entry.group.as_str() {
            "client" => "client",
            "options" => "batch option",
            "progress" => "progress",
            "report" => "batch report",
            "recheck" => "recheck report",
            "journal" => "journal view",
            other => panic!("bindings/parity.json: unknown group {other:?}"),
        };
        out.push_str(&format!(
            "| {group} | {} | {} | {} |\n",
            code(&entry.rust),
            show(&entry.python),
            show(&entry.c)
        ));
    }
    out
}

#[test]
fn every_rust_item_is_spelt_or_excused_in_python_and_c() {
    let entries = entries();
    let rust = rust_items();
    let problems = problems(
        &entries,
        &rust,
        &read("python/idv_delete/_native.pyi"),
        &read("include/delete.h"),
    );
    assert!(
        problems.is_empty(),
        "{} parity problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_readme_table_is_generated_from_the_list() {
    let generated = table(&entries());
    let readme = read("README.md");
    let (Some(begin), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md lacks the parity markers:\n{BEGIN}\n{END}");
    };
    let current = &readme[begin + BEGIN.len()..end];
    let wanted = format!("\n{generated}");
    if std::env::var_os("PARITY_BLESS").is_some_and(|v| v == "1") {
        let updated = format!(
            "{}{wanted}{}",
            &readme[..begin + BEGIN.len()],
            &readme[end..]
        );
        std::fs::write(root().join("README.md"), updated).expect("README.md is writable");
        return;
    }
    assert!(
        current == wanted,
        "README.md's parity table differs from bindings/parity.json: regenerate it with \
         `PARITY_BLESS=1 cargo test -p idv-delete-capi --test parity` and commit it"
    );
}

/// The checks can fail: what is absent, or present as another kind, is
/// refused, and the enumeration finds what the sources have.
#[test]
fn the_checks_refuse_what_is_absent() {
    let stub = read("python/idv_delete/_native.pyi");
    let classes = python_classes(&stub);
    assert!(python_has(&classes, "BatchReport.deleted"));
    assert!(
        !python_has(&classes, "BatchReport.deleted()"),
        "a property is not a method"
    );
    assert!(
        !python_has(&classes, "Client.delete"),
        "a method is not a property"
    );
    assert!(!python_has(&classes, "BatchReport.no_such_field"));
    assert!(python_has(&classes, "Client.delete_many(journal=)"));
    assert!(!python_has(
        &classes,
        "Client.delete_many(no_such_keyword=)"
    ));
    assert!(!python_has(&classes, "NoSuchClass"));

    let header = read("include/delete.h");
    assert!(c_has(&header, "delete_client_delete_items"));
    assert!(!c_has(&header, "delete_client_no_such_function"));
    assert!(c_has(&header, "DELETE_BATCH_COUNT_DELETED"));
    assert!(!c_has(&header, "DELETE_BATCH_COUNT_NO_SUCH"));
    assert!(c_has(&header, "delete_progress.done"));
    assert!(!c_has(&header, "delete_progress.no_such_field"));
    assert!(
        !c_has(&header, "delete_item.done"),
        "a field of another struct"
    );

    let rust = rust_items();
    for item in [
        "BatchOptions.dry_run",
        "BatchOptions::adaptive_rate()",
        "Progress.in_flight",
        "BatchReport.journal_notes",
        "BatchReport::done()",
        "RecheckReport.not_offered",
        "Client::delete_resumed_cancellable()",
        "Client::delete_many()",
        "Client::recheck_journal()",
        "DeleteOp::new()",
        "TokenState::new()",
    ] {
        assert!(
            rust.contains(&item.to_owned()),
            "{item} not enumerated: {rust:?}"
        );
    }
    assert!(
        !rust.contains(&"DeleteOp::poll_action()".to_owned()),
        "only the pair's constructors are entry points"
    );

    // A Rust item without an entry, and an entry with an unlisted reason.
    let mut entries = entries();
    let gone = entries.pop().expect("entries");
    entries.push(Entry {
        group: gone.group,
        rust: gone.rust.clone(),
        python: Cell::None("later: not yet".into()),
        c: gone.c,
    });
    let found = problems(&entries[1..], &rust, &stub, &header);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("Rust has Client::builder()")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.contains("\"later: not yet\"")),
        "{found:?}"
    );
}
