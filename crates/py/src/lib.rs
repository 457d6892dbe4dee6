//! The native half of the `idv_delete` Python package: the pyo3 module
//! `idv_delete._native`, built by maturin from the root `pyproject.toml`
//! into one abi3 wheel for CPython 3.9 and later.
//!
//! It is thin by design (`docs/ARCHITECTURE.md#bindings`): it converts Python values, calls the
//! Rust core and blocking client, and converts results back. Every request,
//! status reading and retry decision is the core's. The Python side
//! (`python/idv_delete/`) adds the exception classes, the progress bar and
//! the hand-written type stubs.

mod batch;
mod client;
mod credentials;
mod emulator;
mod errors;
mod interrupt;
mod journal;
mod later;
mod op;
mod outcome;
mod recheck;
mod repr;
mod sansio;
mod token;
mod unified;
mod value;

use idv_delete_blocking::ErrorKind;
use idv_delete_emulator as emu;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The Python test walks exactly the core's kinds against the exception
    // table in `_errors.py`.
    m.add(
        "ERROR_KINDS",
        PyTuple::new(py, ErrorKind::ALL.map(ErrorKind::as_str))?,
    )?;
    m.add_class::<client::Jumio>()?;
    m.add_class::<client::JumioPlatform>()?;
    m.add_class::<client::HyperVerge>()?;
    m.add_class::<later::Onfido>()?;
    m.add_class::<later::Persona>()?;
    m.add_class::<later::Stripe>()?;
    m.add_class::<later::Veriff>()?;
    m.add_class::<unified::Client>()?;
    m.add_class::<credentials::Item>()?;
    m.add_class::<credentials::JumioCredentials>()?;
    m.add_class::<credentials::JumioPlatformCredentials>()?;
    m.add_class::<credentials::HyperVergeCredentials>()?;
    m.add_class::<credentials::OnfidoCredentials>()?;
    m.add_class::<credentials::PersonaCredentials>()?;
    m.add_class::<credentials::StripeCredentials>()?;
    m.add_class::<credentials::VeriffCredentials>()?;
    m.add_class::<op::DeleteOp>()?;
    m.add_class::<op::Send>()?;
    m.add_class::<op::Wait>()?;
    m.add_class::<op::Authorize>()?;
    m.add_class::<op::Done>()?;
    m.add_class::<token::TokenState>()?;
    m.add_class::<token::BearerToken>()?;
    m.add_class::<token::Use>()?;
    m.add_class::<token::AwaitFetch>()?;
    m.add_class::<token::Refused>()?;
    m.add_class::<outcome::Deleted>()?;
    m.add_class::<outcome::Scheduled>()?;
    m.add_class::<outcome::Progress>()?;
    m.add_class::<outcome::BatchReport>()?;
    m.add_class::<outcome::FailedItem>()?;
    m.add_class::<recheck::RecheckReport>()?;
    m.add_class::<journal::JournalView>()?;
    m.add_class::<journal::JournalInfo>()?;
    m.add_class::<journal::JournalRun>()?;
    m.add_class::<journal::Counts>()?;
    m.add_class::<journal::Subject>()?;
    m.add_class::<journal::CrossDuplicate>()?;
    m.add_class::<journal::JournalItem>()?;
    m.add_function(wrap_pyfunction!(journal::read_journal, m)?)?;
    m.add_class::<sansio::Request>()?;
    m.add_function(wrap_pyfunction!(sansio::parse_response, m)?)?;
    m.add_class::<emulator::Emulator>()?;
    m.add_class::<emulator::Stats>()?;
    m.add_class::<emulator::ReferenceStats>()?;
    // The emulator's default credentials: test values, not secrets.
    for (name, value) in [
        ("EMULATOR_JUMIO_TOKEN", emu::DEFAULT_JUMIO_TOKEN),
        ("EMULATOR_JUMIO_SECRET", emu::DEFAULT_JUMIO_SECRET),
        ("EMULATOR_JUMIO_CLIENT_ID", emu::DEFAULT_JUMIO_CLIENT_ID),
        (
            "EMULATOR_JUMIO_CLIENT_SECRET",
            emu::DEFAULT_JUMIO_CLIENT_SECRET,
        ),
        ("EMULATOR_HYPERVERGE_APP_ID", emu::DEFAULT_HYPERVERGE_APP_ID),
        (
            "EMULATOR_HYPERVERGE_APP_KEY",
            emu::DEFAULT_HYPERVERGE_APP_KEY,
        ),
        ("EMULATOR_ONFIDO_API_TOKEN", emu::DEFAULT_ONFIDO_API_TOKEN),
        ("EMULATOR_PERSONA_API_KEY", emu::DEFAULT_PERSONA_API_KEY),
        (
            "EMULATOR_PERSONA_READ_ONLY_KEY",
            emu::DEFAULT_PERSONA_READ_ONLY_KEY,
        ),
        ("EMULATOR_STRIPE_SECRET_KEY", emu::DEFAULT_STRIPE_SECRET_KEY),
        ("EMULATOR_VERIFF_API_KEY", emu::DEFAULT_VERIFF_API_KEY),
        (
            "EMULATOR_VERIFF_SHARED_SECRET",
            emu::DEFAULT_VERIFF_SHARED_SECRET,
        ),
    ] {
        m.add(name, value)?;
    }
    Ok(())
}
