//! Who ran a batch and where, for the journal's chain of custody
//! ([`crate::journal::Custody`]): the operating-system user and the host
//! name, read without a new dependency and never failing (an unknown one
//! is `None`). Values are printable ASCII, at most
//! [`idv_delete_core::MAX_EVIDENCE_VALUE`] bytes, so an odd environment
//! cannot forge or bloat a journal line.

/// The user: `USER`, else `LOGNAME`, else `USERNAME` (Windows), else, on
/// Unix, the process's uid (read from the owner of `/proc/self`, so no
/// `libc` is needed) by its name in `/etc/passwd`, or as `uid N` (a
/// container or a service often sets no `USER`).
pub(crate) fn user() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().and_then(|v| clean(&v)))
        .or_else(uid)
}

#[cfg(unix)]
fn uid() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    // name:password:uid:...
    let name = passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid.to_string()).then_some(name)
    });
    clean(&name.map_or_else(|| format!("uid {uid}"), str::to_owned))
}

#[cfg(not(unix))]
fn uid() -> Option<String> {
    None
}

/// The host name: `/etc/hostname`, else `/proc/sys/kernel/hostname`,
/// else `HOSTNAME` or `COMPUTERNAME` (Windows).
pub(crate) fn host() -> Option<String> {
    ["/etc/hostname", "/proc/sys/kernel/hostname"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok().and_then(|v| clean(&v)))
        .or_else(|| {
            ["HOSTNAME", "COMPUTERNAME"]
                .iter()
                .find_map(|name| std::env::var(name).ok().and_then(|v| clean(&v)))
        })
}

/// `raw` trimmed, `None` when empty or not printable ASCII, else cut to
/// [`idv_delete_core::MAX_EVIDENCE_VALUE`] bytes. A name that is not
/// printable ASCII is dropped rather than mangled: a wrong name is worse
/// evidence than none.
fn clean(raw: &str) -> Option<String> {
    let text = raw.trim();
    let printable = text.bytes().all(|b| (0x20..0x7f).contains(&b));
    (printable && !text.is_empty())
        .then(|| text[..text.len().min(idv_delete_core::MAX_EVIDENCE_VALUE)].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_printable() {
        assert_eq!(clean(" alice\n").as_deref(), Some("alice"));
        assert_eq!(clean(&"h".repeat(300)).map(|h| h.len()), Some(128));
        assert_eq!(clean("bad\u{1b}[31m"), None);
        assert_eq!(clean(" \n"), None);
    }

    #[test]
    fn this_machine_has_a_user_and_a_host() {
        // Linux always has /proc/self and a kernel host name.
        if cfg!(target_os = "linux") {
            assert!(user().is_some_and(|u| !u.is_empty()));
            assert!(host().is_some_and(|h| !h.is_empty()));
        }
    }
}
