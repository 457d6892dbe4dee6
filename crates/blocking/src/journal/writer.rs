//! Appending to a journal durably: the group-commit writer.
//!
//! Workers append records to a shared buffer; one writer thread writes
//! everything pending in one `write` and, when a record that must be
//! durable is among it, one `fsync`, then wakes the workers whose records
//! are now durable. A `sent` record is durable before its request leaves;
//! an `outcome` is written at once but fsynced with the next group (or at
//! the end): a crash of the process loses nothing written, and if power
//! fails the item is simply in doubt again.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

use super::format::{encode, encode_header, Chainer, Record};
use super::JournalError;

/// Where the writer's bytes go: a file, or in tests a recorder of the
/// order of writes and syncs.
pub(crate) trait Sink: Send {
    /// Appends `bytes`.
    fn write(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Makes everything written durable.
    fn sync(&mut self) -> io::Result<()>;
}

impl Sink for File {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// Opens the journal file for appending: a new one gets its (chained)
/// header, a resumed one loses its torn tail (`resume`: the length of its
/// complete lines, and the chain after the last of them). Both are
/// durable, directory entry included, before this returns. Returns the
/// chain the writer continues.
pub(crate) fn open_file(
    path: &Path,
    resume: Option<(u64, Chainer)>,
) -> Result<(File, Chainer), JournalError> {
    let io_error = |e| JournalError::io(path, e);
    let mut chainer = Chainer::start();
    let mut file = match resume {
        Some((len, chain)) => {
            chainer = chain;
            let file = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(io_error)?;
            if file.metadata().map_err(io_error)?.len() > len {
                file.set_len(len).map_err(io_error)?;
            }
            file
        }
        None => {
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(path)
                .map_err(io_error)?;
            let header = encode_header(&crate::time::now_rfc3339(), true);
            file.write_all(&chainer.seal(header)).map_err(io_error)?;
            file
        }
    };
    file.seek(io::SeekFrom::End(0)).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    sync_parent_dir(path);
    Ok((file, chainer))
}

/// The group-commit writer.
pub(crate) struct JournalWriter {
    path: PathBuf,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<WriterState>,
    /// Wakes the writer thread.
    work: Condvar,
    /// Wakes workers waiting for durability.
    durable: Condvar,
}

struct WriterState {
    pending: Vec<u8>,
    /// The chain after the last record appended: records are sealed in
    /// the order they enter `pending`, under the same lock.
    chainer: Chainer,
    /// Sequence number of the last record appended.
    appended: u64,
    /// Every record up to this sequence number is written (and, if it had
    /// to be durable, synced).
    durable: u64,
    sync_wanted: bool,
    closing: bool,
    failed: Option<(io::ErrorKind, String)>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, WriterState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl JournalWriter {
    /// Starts the writer thread over `sink`, continuing `chainer` (what
    /// [`open_file`] returned); `path` names the journal in errors.
    pub(crate) fn start(
        sink: Box<dyn Sink>,
        path: &Path,
        chainer: Chainer,
    ) -> Result<JournalWriter, JournalError> {
        let shared = Arc::new(Shared {
            state: Mutex::new(WriterState {
                pending: Vec::new(),
                chainer,
                appended: 0,
                durable: 0,
                sync_wanted: false,
                closing: false,
                failed: None,
            }),
            work: Condvar::new(),
            durable: Condvar::new(),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("idv-delete-journal".into())
                .spawn(move || write_loop(sink, &shared))
                .map_err(|e| JournalError::io(path, e))?
        };
        Ok(JournalWriter {
            path: path.to_path_buf(),
            shared,
            thread: Some(thread),
        })
    }

    /// Appends `record` and waits until it is durable.
    pub(crate) fn append_durable(&self, record: &Record) -> Result<(), JournalError> {
        let mut state = self.shared.lock();
        let seq = self.push(&mut state, encode(record), true)?;
        while state.durable < seq && state.failed.is_none() {
            state = self
                .shared
                .durable
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        self.check(&state)
    }

    /// Appends `record` without waiting for it to be durable.
    pub(crate) fn append(&self, record: &Record) -> Result<(), JournalError> {
        let mut state = self.shared.lock();
        self.push(&mut state, encode(record), false).map(|_| ())
    }

    fn push(
        &self,
        state: &mut WriterState,
        canonical: Vec<u8>,
        sync: bool,
    ) -> Result<u64, JournalError> {
        self.check(state)?;
        let line = state.chainer.seal(canonical);
        state.pending.extend_from_slice(&line);
        state.appended += 1;
        state.sync_wanted |= sync;
        self.shared.work.notify_one();
        Ok(state.appended)
    }

    fn check(&self, state: &WriterState) -> Result<(), JournalError> {
        match &state.failed {
            None => Ok(()),
            Some((kind, message)) => Err(JournalError::io(
                &self.path,
                io::Error::new(*kind, message.clone()),
            )),
        }
    }

    /// Writes and syncs everything pending, stops the writer thread; gives
    /// the journal's fingerprint (the last line's chain value, hex), `None`
    /// for a journal continued unchained.
    pub(crate) fn close(mut self) -> Result<Option<String>, JournalError> {
        self.stop();
        let state = self.shared.lock();
        self.check(&state)?;
        Ok(state.chainer.0.as_ref().map(super::format::chain_hex))
    }

    fn stop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.work.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        self.stop();
    }
}

fn write_loop(mut sink: Box<dyn Sink>, shared: &Shared) {
    let mut batch = Vec::new();
    loop {
        let (upto, sync) = {
            let mut state = shared.lock();
            while state.pending.is_empty() && !state.closing {
                state = shared
                    .work
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if state.pending.is_empty() {
                // Closing with nothing pending: make the outcomes durable too.
                if let Err(e) = sink.sync() {
                    state.failed = Some((e.kind(), e.to_string()));
                }
                shared.durable.notify_all();
                return;
            }
            std::mem::swap(&mut batch, &mut state.pending);
            let sync = std::mem::take(&mut state.sync_wanted);
            (state.appended, sync)
        };
        let result = sink
            .write(&batch)
            .and_then(|()| if sync { sink.sync() } else { Ok(()) });
        batch.clear();
        let mut state = shared.lock();
        match result {
            Ok(()) => state.durable = upto,
            Err(e) => {
                state.failed = Some((e.kind(), e.to_string()));
                shared.durable.notify_all();
                return;
            }
        }
        shared.durable.notify_all();
    }
}

/// Makes a new journal's directory entry durable too (best effort: not
/// every platform can open a directory).
pub(crate) fn sync_parent_dir(path: &Path) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
}
