//! `include/delete.h` is generated from this crate by cbindgen (pinned in
//! Cargo.toml) and committed. This test fails when the committed header is
//! stale; with `DELETE_BLESS=1` it rewrites it instead.

use std::path::Path;

/// The version macros, written into the header from the crate's version.
fn version_macros() -> String {
    format!(
        "\n/** The version of this header; `delete_version()` is that of the library. */\n\
         #define DELETE_VERSION_MAJOR {}\n\
         #define DELETE_VERSION_MINOR {}\n\
         #define DELETE_VERSION_PATCH {}\n\
         #define DELETE_VERSION_STRING \"{}\"\n",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION"),
    )
}

/// Warns when a returned code is ignored (GCC and Clang).
const MUST_USE: &str = "
#if defined(__GNUC__) || defined(__clang__)
#define DELETE_MUST_USE __attribute__((warn_unused_result))
#else
#define DELETE_MUST_USE
#endif
";

fn generate() -> String {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("crates/capi/cbindgen.toml is readable");
    config.after_includes = Some(format!("{}{MUST_USE}", version_macros()));
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut header = Vec::new();
    bindings.write(&mut header);
    String::from_utf8(header).expect("the header is UTF-8")
}

#[test]
fn header_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../include/delete.h");
    let generated = generate();
    if std::env::var_os("DELETE_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("include/delete.h is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/delete.h is stale: regenerate it with \
         `DELETE_BLESS=1 cargo test -p idv-delete-capi --test header` and commit it"
    );
}

#[test]
fn header_has_the_workspace_version_and_every_function() {
    let header = generate();
    assert!(header.contains(&format!(
        "#define DELETE_VERSION_STRING \"{}\"",
        env!("CARGO_PKG_VERSION")
    )));
    let sources = [
        "lib", "client", "outcome", "batch", "sansio", "result", "cancel",
    ]
    .map(|module| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("src/{module}.rs"));
        std::fs::read_to_string(path).expect("source is readable")
    })
    .concat();
    let exported: Vec<&str> = sources
        .split("pub extern \"C\" fn ")
        .skip(1)
        .map(|rest| rest.split('(').next().unwrap_or_default())
        .collect();
    assert!(exported.len() > 40, "found {}", exported.len());
    for name in exported {
        assert!(name.starts_with("delete_"), "{name} is not prefixed");
        assert!(header.contains(&format!("{name}(")), "{name} is missing");
    }
    for line in header.lines() {
        if let Some(name) = line.strip_prefix("#define ") {
            assert!(name.starts_with("DELETE_"), "macro {name}");
        }
    }
}
