//! Gives libdelete.so its SONAME, `libdelete.so.MAJOR` (`libdelete.so.0`
//! for 0.x). Programs linked against it record that name, so the loader
//! looks for `libdelete.so.0`: `make -C bindings/c install` installs the
//! chain `libdelete.so` -> `libdelete.so.0` -> `libdelete.so.0.1.0`, and
//! this script puts a `libdelete.so.0` -> `libdelete.so` link beside
//! cargo's output (`target/<profile>/`), so programs linked straight from
//! there (the C tests, the benchmark) run too. A later ABI-breaking major
//! version can then be installed beside this one.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // ELF platforms only: macOS names dylibs with -install_name instead.
    if !matches!(os.as_str(), "linux" | "freebsd" | "netbsd" | "openbsd") {
        return;
    }
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let soname = format!("libdelete.so.{major}");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    // OUT_DIR is <target>/<profile>/build/<package>-<hash>/out.
    let out_dir = std::env::var("OUT_DIR").unwrap_or_default();
    let Some(profile_dir) = Path::new(&out_dir).ancestors().nth(3) else {
        return;
    };
    let link = profile_dir.join(&soname);
    if std::fs::read_link(&link).is_err() {
        #[cfg(unix)]
        if let Err(error) = std::os::unix::fs::symlink("libdelete.so", &link) {
            println!("cargo:warning=cannot link {}: {error}", link.display());
        }
    }
}
