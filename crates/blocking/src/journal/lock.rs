//! One run at a time per journal: an advisory lock held for the whole run.
//!
//! The lock is on a sidecar file, `<journal>.lock`, not on the journal:
//! the sidecar holds the holder's process id and host, so that a second
//! run can say who holds it. The operating system releases the lock when
//! the holder dies, so a stale sidecar from a killed run never blocks; the
//! sidecar is removed when the run ends. A lock taken on a sidecar that
//! its holder removed meanwhile is taken again on the new file.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::JournalError;

/// The lock of a journal; released (and its sidecar removed) on drop.
#[derive(Debug)]
pub(crate) struct JournalLock {
    path: PathBuf,
    file: File,
}

/// The sidecar's path for `journal`.
pub(crate) fn lock_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl JournalLock {
    /// Takes the lock of `journal` at once, or fails naming the holder.
    pub(crate) fn acquire(journal: &Path) -> Result<JournalLock, JournalError> {
        let path = lock_path(journal);
        let io_error = |e| JournalError::io(&path, e);
        loop {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io_error)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    return Err(JournalError::Locked {
                        path: journal.to_path_buf(),
                        holder: holder.trim().chars().take(200).collect(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io_error(e)),
            }
            // The holder may have removed this file after we opened it and
            // before we locked it: then lock the file now at the path.
            let same = match (file.metadata(), fs::metadata(&path)) {
                (Ok(ours), Ok(now)) => same_file(&ours, &now),
                _ => false,
            };
            if !same {
                continue;
            }
            file.set_len(0).map_err(io_error)?;
            file.rewind().map_err(io_error)?;
            writeln!(file, "pid {} on {}", std::process::id(), host_name()).map_err(io_error)?;
            return Ok(JournalLock { path, file });
        }
    }
}

impl Drop for JournalLock {
    fn drop(&mut self) {
        // Removed while still locked, so no other run can lock this file
        // and then see it vanish.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    true
}

/// This machine's name, for the lock's holder line and nothing else.
fn host_name() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this host".into())
}
