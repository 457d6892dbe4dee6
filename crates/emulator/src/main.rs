//! `idv-delete-emulator`: see `idv-delete-emulator --help` and the library docs.

use clap::Parser;

/// A local, stateful, fault-injecting server of the Jumio and HyperVerge delete APIs.
#[derive(Parser)]
#[command(name = "idv-delete-emulator", version)]
struct Cli {
    #[command(flatten)]
    args: idv_delete_emulator::cli::Args,
}

fn main() -> std::process::ExitCode {
    let Err(error) = idv_delete_emulator::cli::run(Cli::parse().args);
    eprintln!("idv-delete-emulator: {error}");
    std::process::ExitCode::FAILURE
}
