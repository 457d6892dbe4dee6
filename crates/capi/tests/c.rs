//! The C and C++ tests of libdelete: compiles `tests/c/*.c` (C11, against
//! both `libdelete.a` and `libdelete.so`), `tests/c/*.cpp` (C++17, through
//! `bindings/c/include/delete.hpp`) and the example in
//! `bindings/c/examples`, then runs each under
//! `valgrind --error-exitcode=1 --leak-check=full` against fresh loopback
//! emulators (in-process, the same server as the `idv-delete-emulator`
//! binary), requiring zero errors and zero leaks.
//!
//! Needs a C compiler (`$CC`, default gcc), a C++ compiler (`$CXX`,
//! default g++), valgrind and a built libdelete (`cargo build -p
//! idv-delete-capi`). Without them each test says what is missing and
//! skips, so that plain `cargo test` works on any machine, unless
//! `IDV_DELETE_REQUIRE_C=1` (set by `scripts/test`, which installs the
//! tools and builds libdelete first): then a missing one is a failure.

use std::env;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use idv_delete_blocking::journal::JournalState;
use idv_delete_emulator::{Config, Emulator, Faults, SeedItem};

/// Longest a test program may run under valgrind.
const RUN_LIMIT: Duration = Duration::from_secs(300);
/// Programs compiled or run at once (the CI machine has 2 cores).
const PARALLEL: usize = 2;
/// Libraries a static libdelete needs besides libc.
const STATIC_LIBS: [&str; 3] = ["-lpthread", "-ldl", "-lm"];
/// The canary credentials of `tests/c/support.h`: the emulator at
/// `DELETE_TEST_CANARY_URL` accepts them, and no program's output may
/// contain them (nor the base64 of `token:secret`, checked by the programs).
const CANARY: [&str; 11] = [
    "CANARY-TOKEN-7f3a9c",
    "CANARY-SECRET-b41d2e",
    "CANARY-APPID-93c0e1",
    "CANARY-APPKEY-d5a8f4",
    "CANARY-CLIENTID-0e7b26",
    "CANARY-CLIENTSECRET-a9f3c8",
    "CANARY-ONFIDO-4c2e71",
    "CANARY-PERSONA-8b5d03",
    "sk_CANARY-STRIPE-6f1a94",
    "CANARY-VERIFFKEY-2d7c50",
    "CANARY-VERIFFSECRET-e83b16",
];
/// How long the emulators keep an accepted Onfido, Stripe or Persona
/// erasure scheduled before it completes (the vendors take days): long
/// enough for a program under valgrind to see it scheduled, short enough
/// to wait for its recheck (`DELETE_TEST_SCHEDULE_DELAY_MS`).
const SCHEDULE_DELAY: Duration = Duration::from_millis(1500);
/// How many of each new vendor's objects are seeded (`tests/c/support.h`).
const NEW_VENDOR_SEEDS: usize = 20;
/// The Veriff session seeded in progress (`VERIFF_IN_PROGRESS` of
/// `tests/c/support.h`): its deletion is refused with code 1305.
const VERIFF_IN_PROGRESS: &str = "f0000000-0000-4000-8000-000000000000";
/// The bad-input catalogue shared by the CLI, Python and C tests.
const BAD_INPUTS: &str = "tests/vectors/bad_inputs.json";
const RESPONSE_VECTORS: &str = "tests/vectors/responses.json";
const REQUEST_VECTORS: &str = "tests/vectors/requests.json";
const OPERATION_VECTORS: &str = "tests/vectors/operations.json";

struct Paths {
    root: PathBuf,
    lib_dir: PathBuf,
    out_dir: PathBuf,
}

impl Paths {
    /// The libraries a test links, by path, that are not built yet.
    fn missing_libraries() -> Vec<String> {
        let lib_dir = Paths::lib_dir();
        ["libdelete.a", "libdelete.so"]
            .iter()
            .map(|lib| lib_dir.join(lib))
            .filter(|lib| !lib.is_file())
            .map(|lib| lib.display().to_string())
            .collect()
    }

    fn lib_dir() -> PathBuf {
        let exe = env::current_exe().expect("the test knows its path");
        exe.parent()
            .and_then(Path::parent)
            .expect("the test runs from <target>/<profile>/deps")
            .to_path_buf()
    }

    fn new() -> Paths {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        // This test runs from <target>/<profile>/deps/; `cargo build -p
        // idv-delete-capi` puts libdelete.{a,so} in <target>/<profile>/
        // (`cargo test -p idv-delete-capi` does too, but `cargo test
        // --workspace` does not, so scripts/test builds it first).
        let lib_dir = Paths::lib_dir();
        for lib in ["libdelete.a", "libdelete.so"] {
            assert!(
                lib_dir.join(lib).is_file(),
                "{} is missing: run `cargo build -p idv-delete-capi` first (scripts/test does)",
                lib_dir.join(lib).display()
            );
        }
        let out_dir = lib_dir.join("capi-tests");
        fs::create_dir_all(&out_dir).expect("the output directory can be made");
        Paths {
            root,
            lib_dir,
            out_dir,
        }
    }

    fn sources(&self, dir: &str, extension: &str) -> Vec<PathBuf> {
        let mut sources: Vec<PathBuf> = fs::read_dir(self.root.join(dir))
            .expect("the sources are readable")
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == extension))
            .collect();
        sources.sort();
        sources
    }
}

/// How a program links libdelete.
#[derive(Clone, Copy, Debug)]
enum Link {
    Static,
    Shared,
}

/// One program to build and run.
struct Program {
    source: PathBuf,
    link: Link,
    binary: PathBuf,
    /// Linker flags of other libraries it needs (libcurl's, from
    /// pkg-config), after libdelete.
    libraries: Vec<String>,
}

/// Set to `1` to make a missing compiler, valgrind or libdelete fail the
/// C tests instead of skipping them (`scripts/test` does).
const REQUIRE_C: &str = "IDV_DELETE_REQUIRE_C";

/// The C compiler: `$CC`, else gcc.
fn cc() -> String {
    env::var("CC").unwrap_or_else(|_| "gcc".to_owned())
}

/// The C++ compiler: `$CXX`, else g++.
fn cxx() -> String {
    env::var("CXX").unwrap_or_else(|_| "g++".to_owned())
}

fn tool_runs(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The C compiler, named for messages.
fn c_compiler() -> (&'static str, String) {
    ("the C compiler ($CC)", cc())
}

/// The C++ compiler, named for messages.
fn cxx_compiler() -> (&'static str, String) {
    ("the C++ compiler ($CXX)", cxx())
}

fn valgrind() -> (&'static str, String) {
    ("valgrind", "valgrind".to_owned())
}

/// The paths of a C suite that can run: its `tools` (what, command) run
/// and libdelete is built. Otherwise the suite skips, saying what is
/// missing and how to run it, or fails if `IDV_DELETE_REQUIRE_C=1`.
fn ready(suite: &str, tools: &[(&str, String)]) -> Option<Paths> {
    let mut missing: Vec<String> = tools
        .iter()
        .filter(|(_, command)| !tool_runs(command))
        .map(|(what, command)| format!("{what} `{command}` (not found or not runnable)"))
        .collect();
    missing.extend(
        Paths::missing_libraries()
            .into_iter()
            .map(|lib| format!("{lib} (run `cargo build -p idv-delete-capi` first)")),
    );
    if missing.is_empty() {
        return Some(Paths::new());
    }
    let why = format!(
        "{suite}: missing {}. Run `scripts/test`, which installs the tools, builds libdelete \
         and runs these tests with {REQUIRE_C}=1",
        missing.join(", ")
    );
    assert!(env::var(REQUIRE_C).as_deref() != Ok("1"), "{why}");
    // Straight to stderr: libtest would swallow eprintln! of a passing test.
    let _ = writeln!(std::io::stderr(), "SKIPPED {why}");
    None
}

fn compile(paths: &Paths, program: &Program) {
    let cpp = program.source.extension().is_some_and(|e| e == "cpp");
    let mut command = Command::new(if cpp { cxx() } else { cc() });
    if cpp {
        command.args(["-std=c++17", "-Wall", "-Wextra", "-Werror"]);
    } else {
        command.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wpedantic"]);
    }
    command
        .arg("-g")
        .arg("-I")
        .arg(paths.root.join("include"))
        .arg("-I")
        .arg(paths.root.join("bindings/c/include"))
        .arg("-I")
        .arg(paths.root.join("tests/c"))
        .arg("-o")
        .arg(&program.binary)
        .arg(&program.source)
        .arg("-pthread");
    match program.link {
        Link::Static => {
            command.arg(paths.lib_dir.join("libdelete.a"));
            command.args(STATIC_LIBS);
        }
        Link::Shared => {
            command
                .arg("-L")
                .arg(&paths.lib_dir)
                .arg("-ldelete")
                .arg(format!("-Wl,-rpath,{}", paths.lib_dir.display()));
        }
    }
    command.args(&program.libraries);
    let output = command.output().expect("the compiler runs");
    assert!(
        output.status.success(),
        "compiling {} ({:?}) failed:\n{}",
        program.source.display(),
        program.link,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The emulators one test program runs against; stopped when dropped.
struct Emulators {
    servers: Vec<Emulator>,
    /// Seeded like the first, accepting the canary credentials.
    canary: Emulator,
    /// Must never receive a request (the bad-input test points here).
    untouched: Emulator,
    /// In front of `canary`: learns the Jumio Platform tokens it issues.
    recorder: TokenRecorder,
    closed_url: String,
    not_tls: NotTls,
}

/// A loopback proxy in front of an emulator that keeps every Jumio
/// Platform access token the emulator issues, so that the outputs can be
/// searched for them like the canaries (the tokens are random). One
/// upstream connection per client connection; stopped when dropped.
struct TokenRecorder {
    url: String,
    tokens: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl TokenRecorder {
    fn start(target: SocketAddr) -> TokenRecorder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let tokens = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (stopping, kept) = (Arc::clone(&stop), Arc::clone(&tokens));
        let thread = thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((connection, _)) => {
                        let kept = Arc::clone(&kept);
                        // Ends when either side closes; a failure there is
                        // the client's to see, as a reset.
                        thread::spawn(move || {
                            let _ = forward(connection, target, &kept);
                        });
                    }
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        TokenRecorder {
            url,
            tokens,
            stop,
            thread: Some(thread),
        }
    }

    fn tokens(&self) -> Vec<String> {
        self.tokens.lock().unwrap().clone()
    }
}

impl Drop for TokenRecorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Relays each request of `client` to `target` and its answer back,
/// keeping the `access_token` of every token answer in `tokens`.
fn forward(client: TcpStream, target: SocketAddr, tokens: &Mutex<Vec<String>>) -> io::Result<()> {
    client.set_nonblocking(false)?;
    let upstream = TcpStream::connect(target)?;
    let (mut client_in, mut client_out) = (BufReader::new(client.try_clone()?), client);
    let (mut upstream_in, mut upstream_out) = (BufReader::new(upstream.try_clone()?), upstream);
    while let Some(request) = read_message(&mut client_in)? {
        upstream_out.write_all(&request)?;
        let Some(answer) = read_message(&mut upstream_in)? else {
            return Ok(());
        };
        let text = String::from_utf8_lossy(&answer);
        if let Some(rest) = text.split("\"access_token\":\"").nth(1) {
            let token = rest.split('"').next().unwrap_or_default();
            tokens.lock().unwrap().push(token.to_owned());
        }
        client_out.write_all(&answer)?;
    }
    Ok(())
}

/// One HTTP/1.1 message, head and `Content-Length` body, or `None` at the
/// end of the stream.
fn read_message(stream: &mut BufReader<TcpStream>) -> io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        message.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            break;
        }
    }
    let start = message.len();
    message.resize(start + length, 0);
    stream.read_exact(&mut message[start..])?;
    Ok(Some(message))
}

/// A loopback server that answers every connection with plain HTTP, so
/// that an https client fails its TLS handshake; stopped when dropped.
struct NotTls {
    url: String,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl NotTls {
    fn start() -> NotTls {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let url = format!("https://{}", listener.local_addr().expect("its address"));
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut connection, _)) => {
                        let _ = connection.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
                    }
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        NotTls {
            url,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for NotTls {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Emulators {
    fn start() -> Emulators {
        let start = |config: Config| {
            let emulator = Emulator::start(config).expect("an emulator starts on loopback");
            let mut seed = Vec::new();
            for n in 0..200 {
                let reference = format!("ref-{n:04}");
                for product in ["scan", "authentication", "document"] {
                    seed.push(SeedItem::new("jumio", product, &reference));
                }
                seed.push(SeedItem::new(
                    "hyperverge",
                    "transaction",
                    &format!("txn-{n:04}"),
                ));
                seed.push(SeedItem::new(
                    "jumio-platform",
                    "account",
                    &format!("a0000000-0000-4000-8000-{n:012}"),
                ));
                seed.push(SeedItem::new(
                    "jumio-platform",
                    "workflow",
                    &format!("b0000000-0000-4000-8000-{n:012}/c0000000-0000-4000-8000-{n:012}"),
                ));
            }
            for n in 0..NEW_VENDOR_SEEDS {
                let uuid = |first: char| format!("{first}0000000-0000-4000-8000-{n:012}");
                seed.push(SeedItem::new("onfido", "applicant", &uuid('d')));
                seed.push(SeedItem::new("veriff", "session", &uuid('e')));
                seed.push(SeedItem::new("persona", "inquiry", &format!("inq_{n:04}")));
                seed.push(SeedItem::new("persona", "account", &format!("act_{n:04}")));
                let session = format!("vs_{n:04}");
                seed.push(SeedItem::new("stripe", "verification_session", &session));
            }
            // Records the vendors will not delete yet.
            seed.push(
                SeedItem::new("veriff", "session", VERIFF_IN_PROGRESS).with_state("in_progress"),
            );
            seed.push(
                SeedItem::new("stripe", "verification_session", "vs_busy").with_state("processing"),
            );
            seed.push(SeedItem::new("persona", "inquiry", "inq_busy").with_state("pending"));
            emulator.seed(&seed).expect("the seed is valid");
            emulator
        };
        // Every emulator completes scheduled erasures after SCHEDULE_DELAY.
        let base = || Config {
            onfido_deletion_delay: SCHEDULE_DELAY,
            stripe_redaction_delay: SCHEDULE_DELAY,
            persona_children_delay: SCHEDULE_DELAY,
            ..Config::default()
        };
        let faults = |faults: Faults| Config { faults, ..base() };
        let servers = vec![
            start(base()),
            start(Config {
                // TEST-NET-1: never this machine's address.
                hyperverge_allowed_ips: Some(vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))]),
                ..base()
            }),
            start(faults(Faults {
                p429: 1.0,
                retry_after_secs: 1,
                ..Faults::default()
            })),
            start(faults(Faults {
                p500: 1.0,
                ..Faults::default()
            })),
            start(faults(Faults {
                latency_ms: 2000,
                ..Faults::default()
            })),
            start(faults(Faults {
                p_reset_after: 1.0,
                ..Faults::default()
            })),
            start(faults(Faults {
                p429: 1.0,
                retry_after_secs: 60,
                ..Faults::default()
            })),
        ];
        let canary = start(Config {
            jumio_token: CANARY[0].into(),
            jumio_secret: CANARY[1].into(),
            hyperverge_app_id: CANARY[2].into(),
            hyperverge_app_key: CANARY[3].into(),
            jumio_client_id: CANARY[4].into(),
            jumio_client_secret: CANARY[5].into(),
            onfido_api_token: CANARY[6].into(),
            persona_api_key: CANARY[7].into(),
            stripe_secret_key: CANARY[8].into(),
            veriff_api_key: CANARY[9].into(),
            veriff_shared_secret: CANARY[10].into(),
            ..base()
        });
        let recorder = TokenRecorder::start(canary.addr());
        let untouched = Emulator::start(Config::default()).expect("an emulator starts");
        // A port released on 127.0.0.2, where nothing of these tests
        // listens: emulators bind 127.0.0.1, so none can take it over.
        let closed = TcpListener::bind("127.0.0.2:0").expect("a loopback port");
        let closed_url = format!("http://{}", closed.local_addr().expect("its address"));
        drop(closed);
        Emulators {
            servers,
            canary,
            untouched,
            recorder,
            closed_url,
            not_tls: NotTls::start(),
        }
    }

    fn environment(&self) -> Vec<(&'static str, String)> {
        let names = [
            "DELETE_TEST_URL",
            "DELETE_TEST_FORBIDDEN_URL",
            "DELETE_TEST_RATE_LIMITED_URL",
            "DELETE_TEST_SERVER_ERROR_URL",
            "DELETE_TEST_SLOW_URL",
            "DELETE_TEST_RESET_URL",
            "DELETE_TEST_PAUSED_URL",
        ];
        let mut environment: Vec<(&'static str, String)> = names
            .into_iter()
            .zip(self.servers.iter().map(Emulator::base_url))
            .collect();
        environment.push(("DELETE_TEST_CANARY_URL", self.canary.base_url()));
        environment.push(("DELETE_TEST_CANARY_PLATFORM_URL", self.recorder.url.clone()));
        environment.push(("DELETE_TEST_UNTOUCHED_URL", self.untouched.base_url()));
        environment.push(("DELETE_TEST_CLOSED_URL", self.closed_url.clone()));
        environment.push(("DELETE_TEST_NOT_TLS_URL", self.not_tls.url.clone()));
        environment.push((
            "DELETE_TEST_SCHEDULE_DELAY_MS",
            SCHEDULE_DELAY.as_millis().to_string(),
        ));
        environment
    }
}

/// Runs `command` to its end or kills it at `RUN_LIMIT`.
fn run_bounded(mut command: Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let started = Instant::now();
    while child
        .try_wait()
        .expect("the program can be waited for")
        .is_none()
    {
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("the output is readable")
}

/// `valgrind binary` with the checks every C program passes: zero errors,
/// no definite, indirect or possible leak, the report written to `log`.
fn valgrind_command(paths: &Paths, log: &Path, binary: &Path) -> Command {
    let mut command = Command::new("valgrind");
    command
        .arg("--error-exitcode=1")
        .arg("--leak-check=full")
        .arg("--errors-for-leak-kinds=definite,indirect,possible")
        .arg(format!(
            "--suppressions={}",
            paths.root.join("tests/c/valgrind.supp").display()
        ))
        .arg(format!("--log-file={}", log.display()))
        .arg(binary);
    command
}

/// Runs `binary args` under valgrind against fresh emulators; panics with
/// its output unless it succeeds with zero valgrind errors and leaks.
fn run_under_valgrind(
    paths: &Paths,
    name: &str,
    binary: &Path,
    args: &[&str],
    extra_environment: impl Fn(&Emulators) -> Vec<(&'static str, String)>,
) -> String {
    let emulators = Emulators::start();
    let tmp = paths.out_dir.join(format!("{name}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).expect("a temporary directory");
    let log = paths.out_dir.join(format!("{name}.valgrind"));
    let mut command = valgrind_command(paths, &log, binary);
    command
        .args(args)
        .envs(emulators.environment())
        .envs(extra_environment(&emulators))
        .env("DELETE_TEST_TMPDIR", &tmp);
    let output = run_bounded(command);
    let untouched = emulators.untouched.stats().total_requests;
    let tokens = emulators.recorder.tokens();
    drop(emulators);
    let report = fs::read_to_string(&log).unwrap_or_default();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success() && report.contains("ERROR SUMMARY: 0 errors"),
        "{name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- valgrind\n{report}",
        output.status,
    );
    assert_eq!(
        untouched, 0,
        "{name} sent {untouched} request(s) to DELETE_TEST_UNTOUCHED_URL:\n{stdout}{stderr}"
    );
    for (what, text) in [
        ("stdout", &stdout),
        ("stderr", &stderr),
        ("valgrind log", &report),
    ] {
        for canary in CANARY {
            assert!(
                !text.contains(canary),
                "{name}: its {what} holds the canary {canary}:\n{text}"
            );
        }
        for token in &tokens {
            assert!(
                !text.contains(token.as_str()),
                "{name}: its {what} holds an issued access token:\n{text}"
            );
        }
    }
    let _ = fs::remove_dir_all(&tmp);
    stdout
}

/// Runs `jobs` on `PARALLEL` threads; panics after all ran if any did.
fn in_parallel<T: Sync>(jobs: &[T], job: impl Fn(&T) + Sync) {
    let next = Mutex::new(0usize);
    let failures = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..PARALLEL {
            scope.spawn(|| loop {
                let index = {
                    let mut next = next.lock().unwrap();
                    *next += 1;
                    *next - 1
                };
                let Some(item) = jobs.get(index) else { return };
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(item)));
                if let Err(panic) = result {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.lock().unwrap().push(message);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn c_and_cpp_tests_pass_under_valgrind() {
    let tools = [c_compiler(), cxx_compiler(), valgrind()];
    let Some(paths) = ready("the C and C++ tests of libdelete", &tools) else {
        return;
    };
    let _heavy = HEAVY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut programs = Vec::new();
    for source in paths.sources("tests/c", "c") {
        for link in [Link::Static, Link::Shared] {
            let stem = source.file_stem().unwrap().to_string_lossy().into_owned();
            let binary = paths
                .out_dir
                .join(format!("{stem}-{link:?}").to_lowercase());
            programs.push(Program {
                source: source.clone(),
                link,
                binary,
                libraries: Vec::new(),
            });
        }
    }
    for source in paths.sources("tests/c", "cpp") {
        let stem = source.file_stem().unwrap().to_string_lossy().into_owned();
        let binary = paths.out_dir.join(format!("{stem}-cpp"));
        programs.push(Program {
            source,
            link: Link::Shared,
            binary,
            libraries: Vec::new(),
        });
    }
    assert!(programs.len() >= 13, "the C tests are missing");
    // For working on one test: `IDV_DELETE_C_ONLY=test_operations` builds
    // and runs only the programs whose name holds it (never set by
    // scripts/test, which runs them all).
    if let Ok(only) = env::var("IDV_DELETE_C_ONLY") {
        programs.retain(|program| program.binary.to_string_lossy().contains(only.as_str()));
        assert!(
            !programs.is_empty(),
            "IDV_DELETE_C_ONLY={only} names no C test"
        );
    }
    let (bad_inputs, count) = write_bad_inputs(&paths);
    let (responses, response_count) = write_response_vectors(&paths);
    let (requests, request_count) = write_request_vectors(&paths);
    let (operations, operation_count) = write_operation_vectors(&paths);
    in_parallel(&programs, |program| compile(&paths, program));
    in_parallel(&programs, |program| {
        let name = program
            .binary
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let journal = items_journal(&paths, &name);
        let _ = fs::remove_file(&journal);
        run_under_valgrind(&paths, &name, &program.binary, &[], |_| {
            vec![
                ("DELETE_TEST_BAD_INPUTS", bad_inputs.display().to_string()),
                ("DELETE_TEST_BAD_INPUT_COUNT", count.to_string()),
                (
                    "DELETE_TEST_RESPONSE_VECTORS",
                    responses.display().to_string(),
                ),
                (
                    "DELETE_TEST_RESPONSE_VECTOR_COUNT",
                    response_count.to_string(),
                ),
                (
                    "DELETE_TEST_REQUEST_VECTORS",
                    requests.display().to_string(),
                ),
                (
                    "DELETE_TEST_REQUEST_VECTOR_COUNT",
                    request_count.to_string(),
                ),
                (
                    "DELETE_TEST_OPERATION_VECTORS",
                    operations.display().to_string(),
                ),
                (
                    "DELETE_TEST_OPERATION_VECTOR_COUNT",
                    operation_count.to_string(),
                ),
                ("DELETE_TEST_ITEMS_JOURNAL", journal.display().to_string()),
            ]
        });
        if name.starts_with("test_items") {
            check_items_journal(&paths, &journal);
        }
    });
}

/// The mixed-vendor journal of `tests/c/test_items.c`, as the CLI's
/// `verify` reads it: replayed ([`JournalState`], the replay `verify` and
/// a resume use), every item deleted or scheduled in a finished run; and,
/// when the CLI is built beside libdelete, `idv-delete verify` exits 0.
fn check_items_journal(paths: &Paths, journal: &Path) {
    let state = JournalState::read(journal)
        .unwrap_or_else(|e| panic!("{}: the journal does not replay: {e}", journal.display()));
    let totals = state.totals();
    assert!(
        totals.deleted_by_response >= 5 && totals.scheduled >= 2,
        "{}: {totals:?}",
        journal.display()
    );
    assert_eq!(
        (
            totals.failed,
            totals.in_doubt,
            totals.not_found,
            totals.not_attempted
        ),
        (0, 0, 0, 0),
        "{}: {totals:?}",
        journal.display()
    );
    assert!(
        !state.runs().is_empty() && state.runs().iter().all(|run| run.finished()),
        "{}: a run did not finish",
        journal.display()
    );
    let cli = paths.lib_dir.join("idv-delete");
    if cli.is_file() {
        let output = Command::new(&cli)
            .arg("verify")
            .arg(journal)
            .output()
            .expect("idv-delete runs");
        assert!(
            output.status.success(),
            "idv-delete verify {} exited {}:\n{}{}",
            journal.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The C entries of the bad-input catalogue as a text file that
/// `tests/c/test_bad_inputs.c` reads without a JSON parser: one entry a
/// line, `id TAB field TAB expected delete_result TAB input`, where the
/// input is `-` for a NULL pointer or `x` followed by the bytes in hex.
/// Returns the path and the number of entries.
fn write_bad_inputs(paths: &Paths) -> (PathBuf, usize) {
    let text = fs::read_to_string(paths.root.join(BAD_INPUTS)).expect("the catalogue is readable");
    let catalogue: serde_json::Value = serde_json::from_str(&text).expect("the catalogue is JSON");
    let mut lines = String::new();
    let mut count = 0;
    for entry in catalogue["entries"].as_array().expect("entries") {
        let surfaces = entry["surfaces"].as_array().expect("surfaces");
        if !surfaces.iter().any(|s| s == "c") {
            continue;
        }
        let id = entry["id"].as_str().expect("an id");
        let code = match entry["kind"].as_str().expect("a kind") {
            "invalid_reference" => DELETE_RESULT_INVALID_REFERENCE,
            "invalid_config" => DELETE_RESULT_INVALID_CONFIG,
            "invalid_utf8" => DELETE_RESULT_INVALID_UTF8,
            "null_argument" => DELETE_RESULT_NULL_ARGUMENT,
            other => panic!("{id}: no delete_result for the kind {other}"),
        };
        let input = match (entry["input"].as_str(), entry["input_hex"].as_str()) {
            (Some(text), _) => {
                assert!(!text.contains('\0'), "{id}: a C string cannot hold NUL");
                format!(
                    "x{}",
                    text.bytes().map(|b| format!("{b:02x}")).collect::<String>()
                )
            }
            (None, Some(hex)) => format!("x{hex}"),
            (None, None) => "-".to_owned(),
        };
        let field = entry["field"].as_str().expect("a field");
        lines.push_str(&format!("{id}\t{field}\t{code}\t{input}\n"));
        count += 1;
    }
    assert!(count >= 50, "only {count} bad inputs for C");
    let path = paths.out_dir.join("bad_inputs.txt");
    fs::write(&path, lines).expect("the bad-input file is written");
    (path, count)
}

/// `text` as the C readers' hex form: `x` and its bytes in hex (`x`
/// alone for the empty string).
fn hex(text: &str) -> String {
    assert!(!text.contains('\0'), "a C string cannot hold NUL: {text:?}");
    format!(
        "x{}",
        text.bytes().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// The `DELETE_PRODUCT_*` and `DELETE_REGION_*` (0 for none) of a vector's
/// vendor, product and region, named as in journals.
fn product_and_region(name: &str, case: &serde_json::Value) -> (u32, u32) {
    let vendor = case["vendor"].as_str().expect("a vendor");
    let product = match (vendor, case["product"].as_str().unwrap_or("")) {
        ("jumio", "scan") => 1,
        ("jumio", "authentication") => 2,
        ("jumio", "document") => 3,
        ("hyperverge", "" | "transaction") => 4,
        ("onfido", "applicant") => 7,
        ("persona", "inquiry") => 8,
        ("persona", "account") => 9,
        ("stripe", "verification_session" | "verification-session") => 10,
        ("veriff", "session") => 11,
        other => panic!("{name}: no DELETE_PRODUCT_* for {other:?}"),
    };
    (product, region_code(name, &case["region"]))
}

/// The `DELETE_REGION_*` of a region's name, 0 for none.
fn region_code(name: &str, region: &serde_json::Value) -> u32 {
    match region.as_str() {
        None => 0,
        Some("us") => 1,
        Some("eu") => 2,
        Some("sgp") => 3,
        Some("ca") => 4,
        Some(other) => panic!("{name}: no DELETE_REGION_* for {other}"),
    }
}

/// The response vectors as a text file that
/// `tests/c/test_response_vectors.c` reads without a JSON parser. Each
/// case's one-attempt reading (`one_attempt` over `expected`: what
/// `delete_parse_response` alone can show) becomes one line of
/// tab-separated tokens, strings in the [`hex`] form and `-` for "absent":
/// `name product region reference status outcome code in_doubt
/// confirmed_by retry_after_ms vendor_message within_secs until
/// vendor_status header_count (name value)... audit_count audit... body`,
/// where `region` is 0 for a vendor without regions, `outcome` a
/// `DELETE_OUTCOME_*`, `code` 0 unless it failed, `confirmed_by` 0 unless
/// it was deleted and `audit_count` `-` when the vector lists none.
/// Generating it here keeps the vectors in one JSON file and the C test
/// free of JSON parsing. Returns the path and the number of cases: every
/// case is written or this panics, so the C test, which checks the count,
/// cannot skip one.
fn write_response_vectors(paths: &Paths) -> (PathBuf, usize) {
    let text =
        fs::read_to_string(paths.root.join(RESPONSE_VECTORS)).expect("the vectors are readable");
    let vectors: serde_json::Value = serde_json::from_str(&text).expect("the vectors are JSON");
    let mut lines = String::new();
    let cases = vectors["cases"].as_array().expect("cases");
    for case in cases {
        let name = case["name"].as_str().expect("a name");
        let mut want = case["expected"].clone();
        if let Some(one_attempt) = case["one_attempt"].as_object() {
            for (key, value) in one_attempt {
                want[key] = value.clone();
            }
        }
        let (product, region) = product_and_region(name, case);
        let (outcome, code, confirmed_by) = match want["outcome"].as_str() {
            Some("deleted") => match want["confirmed_by"].as_str() {
                Some("response") => (1, 0, 1),
                Some("absence") => (1, 0, 2),
                other => panic!("{name}: confirmed_by {other:?}"),
            },
            Some("scheduled") => (2, 0, 0),
            Some("error") => {
                let code = match want["kind"].as_str().expect("a kind") {
                    "not_found" => 102,
                    "unauthorized" => 103,
                    "forbidden" => 104,
                    "invalid_input" => 105,
                    "rate_limited" => 106,
                    "server" => 107,
                    "unexpected_response" => 108,
                    "not_deletable_yet" => 114,
                    other => panic!("{name}: no delete_result for the kind {other}"),
                };
                (3, code, 0)
            }
            other => panic!("{name}: outcome {other:?}"),
        };
        let optional_text = |key: &str| want[key].as_str().map_or("-".to_owned(), hex);
        let mut tokens = vec![
            hex(name),
            product.to_string(),
            region.to_string(),
            hex(case["reference"].as_str().expect("a reference")),
            case["status"].as_u64().expect("a status").to_string(),
            outcome.to_string(),
            code.to_string(),
            u8::from(want["in_doubt"].as_bool().expect("in_doubt")).to_string(),
            confirmed_by.to_string(),
            want["retry_after_secs"]
                .as_u64()
                .map_or("-".to_owned(), |s| (s * 1000).to_string()),
            optional_text("vendor_message"),
            want["within_secs"]
                .as_u64()
                .map_or("-".to_owned(), |s| s.to_string()),
            optional_text("until"),
            optional_text("vendor_status"),
        ];
        let headers = case["headers"].as_object().expect("headers");
        tokens.push(headers.len().to_string());
        for (header, value) in headers {
            tokens.push(hex(header));
            tokens.push(hex(value.as_str().expect("a header value")));
        }
        match want["audits"].as_array() {
            None => tokens.push("-".to_owned()),
            Some(audits) => {
                tokens.push(audits.len().to_string());
                tokens.extend(audits.iter().map(|a| hex(a.as_str().expect("an audit"))));
            }
        }
        tokens.push(hex(case["body"].as_str().expect("a body")));
        lines.push_str(&tokens.join("\t"));
        lines.push('\n');
    }
    assert!(cases.len() >= 120, "only {} response vectors", cases.len());
    let path = paths.out_dir.join("response_vectors.txt");
    fs::write(&path, lines).expect("the response-vector file is written");
    (path, cases.len())
}

/// The request vectors as a text file that `tests/c/test_sansio.c` reads
/// without a JSON parser, tokens as in [`write_response_vectors`]. The
/// first line is the credentials: `jumio_token jumio_secret user_agent
/// hyperverge_app_id hyperverge_app_key onfido_token persona_key
/// stripe_key veriff_key veriff_secret`; then one case a line: `name
/// product region base_url reference method url header_count (name
/// value)... body`, `base_url` `-` for the documented host. Returns the
/// path and the number of cases (every case is written or this panics).
fn write_request_vectors(paths: &Paths) -> (PathBuf, usize) {
    let text =
        fs::read_to_string(paths.root.join(REQUEST_VECTORS)).expect("the vectors are readable");
    let vectors: serde_json::Value = serde_json::from_str(&text).expect("the vectors are JSON");
    let credentials = &vectors["credentials"];
    let credential = |vendor: &str, key: &str| {
        hex(credentials[vendor][key]
            .as_str()
            .unwrap_or_else(|| panic!("no {vendor} {key}")))
    };
    let mut lines = [
        credential("jumio", "api_token"),
        credential("jumio", "api_secret"),
        credential("jumio", "user_agent"),
        credential("hyperverge", "app_id"),
        credential("hyperverge", "app_key"),
        credential("onfido", "api_token"),
        credential("persona", "api_key"),
        credential("stripe", "secret_key"),
        credential("veriff", "api_key"),
        credential("veriff", "shared_secret"),
    ]
    .join("\t");
    lines.push('\n');
    let cases = vectors["cases"].as_array().expect("cases");
    for case in cases {
        let name = case["name"].as_str().expect("a name");
        let (product, region) = product_and_region(name, case);
        let request = &case["request"];
        let mut tokens = vec![
            hex(name),
            product.to_string(),
            region.to_string(),
            case["base_url"].as_str().map_or("-".to_owned(), hex),
            hex(case["reference"].as_str().expect("a reference")),
            hex(request["method"].as_str().expect("a method")),
            hex(request["url"].as_str().expect("a url")),
        ];
        let headers = request["headers"].as_object().expect("headers");
        tokens.push(headers.len().to_string());
        for (header, value) in headers {
            tokens.push(hex(header));
            tokens.push(hex(value.as_str().expect("a header value")));
        }
        tokens.push(hex(request["body"].as_str().expect("a body")));
        lines.push_str(&tokens.join("\t"));
        lines.push('\n');
    }
    assert!(cases.len() >= 21, "only {} request vectors", cases.len());
    let path = paths.out_dir.join("request_vectors.txt");
    fs::write(&path, lines).expect("the request-vector file is written");
    (path, cases.len())
}

/// The `delete_result` of an error kind named as in the vectors.
fn kind_code(name: &str, kind: &str) -> u32 {
    match kind {
        "invalid_reference" => 100,
        "invalid_config" => 101,
        "not_found" => 102,
        "unauthorized" => 103,
        "forbidden" => 104,
        "invalid_input" => 105,
        "rate_limited" => 106,
        "server" => 107,
        "unexpected_response" => 108,
        "timeout" => 109,
        "connect" => 110,
        "tls" => 111,
        "io" => 112,
        "cancelled" => 113,
        "not_deletable_yet" => 114,
        "invalid_subject" => 115,
        other => panic!("{name}: no delete_result for the kind {other}"),
    }
}

/// The `DELETE_TRANSPORT_ERROR_*` of a transport error's name.
fn transport_code(name: &str, kind: &serde_json::Value) -> u32 {
    match kind.as_str() {
        Some("timeout") => 1,
        Some("connect") => 2,
        Some("tls") => 3,
        Some("io") => 4,
        other => panic!("{name}: no DELETE_TRANSPORT_ERROR_* for {other:?}"),
    }
}

/// Panics unless `object` has only `allowed` keys (a runner fails on any
/// key it does not know, so that no expectation is silently skipped).
fn only_keys(name: &str, object: &serde_json::Value, allowed: &[&str]) {
    let object = object
        .as_object()
        .unwrap_or_else(|| panic!("{name}: {object} is not an object"));
    for key in object.keys() {
        assert!(
            allowed.contains(&key.as_str()),
            "{name}: unknown key {key:?} in {object:?}"
        );
    }
}

/// An expected number as a token: `-` when the key is missing
/// (unchecked), `none` when it is null (the outcome must have none).
fn number_or_dash(value: Option<&serde_json::Value>) -> String {
    match value {
        None => "-".to_owned(),
        Some(serde_json::Value::Null) => "none".to_owned(),
        Some(number) => number.as_u64().expect("a number").to_string(),
    }
}

/// An answer's `status header_count (name value)... body` tokens.
fn answer_tokens(name: &str, answer: &serde_json::Value) -> Vec<String> {
    only_keys(name, answer, &["status", "headers", "body"]);
    let mut tokens = vec![answer["status"].as_u64().expect("a status").to_string()];
    let empty = serde_json::Map::new();
    let headers = answer["headers"].as_object().unwrap_or(&empty);
    tokens.push(headers.len().to_string());
    for (header, value) in headers {
        tokens.push(hex(header));
        tokens.push(hex(value.as_str().expect("a header value")));
    }
    tokens.push(hex(answer["body"].as_str().unwrap_or("")));
    tokens
}

/// The journal `tests/c/test_items.c` writes for the harness to replay
/// (one per program binary, outside its temporary directory).
fn items_journal(paths: &Paths, program: &str) -> PathBuf {
    paths.out_dir.join(format!("{program}.items.jsonl"))
}

/// The operation vectors (`tests/vectors/operations.json`) as a text file that `tests/c/test_operations.c` reads without a JSON
/// parser, tokens as in [`write_response_vectors`]. The first line is the
/// credentials (those of [`write_request_vectors`], then the Jumio
/// Platform's `client_id client_secret user_agent`); then each scenario is
/// a line `scenario name product region reference base_url max_attempts
/// base_delay_ms max_delay_ms max_retry_after_ms jitter_seed in_doubt
/// step_count` followed by one line per step:
/// - `send method url header_count (name value)...` (`-` for unchecked),
/// - `respond status header_count (name value)... body`,
/// - `transport kind sent` (a `DELETE_TRANSPORT_ERROR_*`, 0 or 1),
/// - `wait min_ms max_ms` (equal for an exact wait), `advance ms`,
/// - `authorize`, `token_send url`, `token_use value`,
/// - `token_respond status header_count (name value)... body`,
/// - `token_transport kind sent`, `token_refused code`,
/// - `done outcome code confirmed_by in_doubt status attempts
///   retry_after_ms within_secs until` (outcome a `DELETE_OUTCOME_*`, code
///   0 unless it failed, confirmed_by 0 unless given; `-` for unchecked,
///   `none` for "the outcome has none").
///
/// Any unknown step or key panics here, so no expectation is lost.
/// Returns the path and the number of scenarios.
fn write_operation_vectors(paths: &Paths) -> (PathBuf, usize) {
    let text = fs::read_to_string(paths.root.join(OPERATION_VECTORS))
        .expect("the operation vectors are readable");
    let vectors: serde_json::Value = serde_json::from_str(&text).expect("the vectors are JSON");
    only_keys(
        "operations",
        &vectors,
        &["_comment", "credentials", "scenarios"],
    );
    let credentials = &vectors["credentials"];
    let credential = |vendor: &str, key: &str| {
        hex(credentials[vendor][key]
            .as_str()
            .unwrap_or_else(|| panic!("no {vendor} {key}")))
    };
    let mut lines = [
        credential("jumio", "api_token"),
        credential("jumio", "api_secret"),
        credential("jumio", "user_agent"),
        credential("hyperverge", "app_id"),
        credential("hyperverge", "app_key"),
        credential("onfido", "api_token"),
        credential("persona", "api_key"),
        credential("stripe", "secret_key"),
        credential("veriff", "api_key"),
        credential("veriff", "shared_secret"),
        credential("jumio-platform", "client_id"),
        credential("jumio-platform", "client_secret"),
        credential("jumio-platform", "user_agent"),
    ]
    .join("\t");
    lines.push('\n');
    let scenarios = vectors["scenarios"].as_array().expect("scenarios");
    for scenario in scenarios {
        let name = scenario["name"].as_str().expect("a name");
        only_keys(
            name,
            scenario,
            &[
                "name",
                "about",
                "item",
                "base_url",
                "policy",
                "jitter_seed",
                "in_doubt",
                "steps",
            ],
        );
        let item = &scenario["item"];
        only_keys(name, item, &["vendor", "product", "region", "reference"]);
        let product = match (item["vendor"].as_str(), item["product"].as_str()) {
            (Some("jumio-platform"), Some("account")) => 5,
            (Some("jumio-platform"), Some("workflow")) => 6,
            _ => product_and_region(name, item).0,
        };
        let region = region_code(name, &item["region"]);
        let policy = &scenario["policy"];
        only_keys(
            name,
            policy,
            &[
                "max_attempts",
                "base_delay_ms",
                "max_delay_ms",
                "max_retry_after_ms",
            ],
        );
        let steps = scenario["steps"].as_array().expect("steps");
        let number = |value: &serde_json::Value| value.as_u64().expect("a number").to_string();
        let header = vec![
            "scenario".to_owned(),
            hex(name),
            product.to_string(),
            region.to_string(),
            hex(item["reference"].as_str().expect("a reference")),
            scenario["base_url"].as_str().map_or("-".to_owned(), hex),
            number(&policy["max_attempts"]),
            number(&policy["base_delay_ms"]),
            number(&policy["max_delay_ms"]),
            number(&policy["max_retry_after_ms"]),
            number(&scenario["jitter_seed"]),
            u8::from(scenario["in_doubt"].as_bool().expect("in_doubt")).to_string(),
            steps.len().to_string(),
        ];
        lines.push_str(&header.join("\t"));
        lines.push('\n');
        assert!(
            steps.iter().any(|step| step["expect"] == "done"),
            "{name}: the scenario has no done step"
        );
        for step in steps {
            let tokens = operation_step(name, step);
            lines.push_str(&tokens.join("\t"));
            lines.push('\n');
        }
    }
    assert!(
        scenarios.len() >= 25,
        "only {} operation scenarios",
        scenarios.len()
    );
    let path = paths.out_dir.join("operation_vectors.txt");
    fs::write(&path, lines).expect("the operation-vector file is written");
    (path, scenarios.len())
}

/// One step of an operation scenario as its line's tokens (see
/// [`write_operation_vectors`]).
fn operation_step(name: &str, step: &serde_json::Value) -> Vec<String> {
    let optional_text = |value: &serde_json::Value| value.as_str().map_or("-".to_owned(), hex);
    let sent =
        |step: &serde_json::Value| u8::from(step["sent"].as_bool().expect("sent")).to_string();
    if let Some(answer) = step.get("respond") {
        only_keys(name, step, &["respond"]);
        let mut tokens = vec!["respond".to_owned()];
        tokens.extend(answer_tokens(name, answer));
        return tokens;
    }
    if let Some(answer) = step.get("token_respond") {
        only_keys(name, step, &["token_respond"]);
        let mut tokens = vec!["token_respond".to_owned()];
        tokens.extend(answer_tokens(name, answer));
        return tokens;
    }
    if let Some(kind) = step.get("transport_error") {
        only_keys(name, step, &["transport_error", "sent"]);
        return vec![
            "transport".to_owned(),
            transport_code(name, kind).to_string(),
            sent(step),
        ];
    }
    if let Some(kind) = step.get("token_transport_error") {
        only_keys(name, step, &["token_transport_error", "sent"]);
        return vec![
            "token_transport".to_owned(),
            transport_code(name, kind).to_string(),
            sent(step),
        ];
    }
    if let Some(ms) = step.get("advance_ms") {
        only_keys(name, step, &["advance_ms"]);
        return vec![
            "advance".to_owned(),
            ms.as_u64().expect("advance_ms").to_string(),
        ];
    }
    if let Some(token) = step.get("token") {
        return match token.as_str() {
            Some("send") => {
                only_keys(name, step, &["token", "url"]);
                vec!["token_send".to_owned(), optional_text(&step["url"])]
            }
            Some("use") => {
                only_keys(name, step, &["token", "value"]);
                vec!["token_use".to_owned(), optional_text(&step["value"])]
            }
            Some("refused") => {
                only_keys(name, step, &["token", "kind"]);
                let kind = step["kind"].as_str().expect("a kind");
                vec![
                    "token_refused".to_owned(),
                    kind_code(name, kind).to_string(),
                ]
            }
            other => panic!("{name}: unknown token step {other:?}"),
        };
    }
    match step["expect"].as_str() {
        Some("send") => {
            only_keys(name, step, &["expect", "method", "url", "headers"]);
            let mut tokens = vec![
                "send".to_owned(),
                optional_text(&step["method"]),
                optional_text(&step["url"]),
            ];
            let empty = serde_json::Map::new();
            let headers = step["headers"].as_object().unwrap_or(&empty);
            tokens.push(headers.len().to_string());
            for (header, value) in headers {
                tokens.push(hex(header));
                tokens.push(hex(value.as_str().expect("a header value")));
            }
            tokens
        }
        Some("wait") => {
            only_keys(name, step, &["expect", "ms", "min_ms", "max_ms"]);
            let (min, max) = match step["ms"].as_u64() {
                Some(ms) => (ms, ms),
                None => (
                    step["min_ms"].as_u64().expect("min_ms"),
                    step["max_ms"].as_u64().expect("max_ms"),
                ),
            };
            vec!["wait".to_owned(), min.to_string(), max.to_string()]
        }
        Some("authorize") => {
            only_keys(name, step, &["expect"]);
            vec!["authorize".to_owned()]
        }
        Some("done") => {
            // Each outcome's own keys: a key of another outcome fails.
            let (outcome, code, keys): (u32, u32, &[&str]) = match step["outcome"].as_str() {
                Some("deleted") => (1, 0, &["confirmed_by"]),
                Some("scheduled") => (2, 0, &["within_secs", "until"]),
                Some("error") => (
                    3,
                    kind_code(name, step["kind"].as_str().expect("a kind")),
                    &["kind", "in_doubt", "status", "retry_after_ms"],
                ),
                other => panic!("{name}: outcome {other:?}"),
            };
            let mut allowed = vec!["expect", "outcome", "attempts"];
            allowed.extend_from_slice(keys);
            only_keys(name, step, &allowed);
            let confirmed_by = match step["confirmed_by"].as_str() {
                None => 0,
                Some("response") => 1,
                Some("absence") => 2,
                Some("recheck") => 3,
                Some(other) => panic!("{name}: confirmed_by {other}"),
            };
            vec![
                "done".to_owned(),
                outcome.to_string(),
                code.to_string(),
                confirmed_by.to_string(),
                step["in_doubt"]
                    .as_bool()
                    .map_or("-".to_owned(), |b| u8::from(b).to_string()),
                number_or_dash(step.get("status")),
                number_or_dash(step.get("attempts")),
                number_or_dash(step.get("retry_after_ms")),
                number_or_dash(step.get("within_secs")),
                match step.get("until") {
                    None => "-".to_owned(),
                    Some(serde_json::Value::Null) => "none".to_owned(),
                    Some(until) => hex(until.as_str().expect("until")),
                },
            ]
        }
        _ => panic!("{name}: unknown step {step}"),
    }
}

// The codes of include/delete.h the catalogue's kinds map to.
const DELETE_RESULT_NULL_ARGUMENT: u32 = 1;
const DELETE_RESULT_INVALID_UTF8: u32 = 2;
const DELETE_RESULT_INVALID_REFERENCE: u32 = 100;
const DELETE_RESULT_INVALID_CONFIG: u32 = 101;

#[test]
fn the_example_builds_and_deletes_against_the_emulator() {
    let tools = [c_compiler(), valgrind()];
    let Some(paths) = ready("the C example of libdelete", &tools) else {
        return;
    };
    let sources = paths.sources("bindings/c/examples", "c");
    assert!(!sources.is_empty(), "bindings/c/examples has no example");
    for source in sources {
        let stem = source.file_stem().unwrap().to_string_lossy().into_owned();
        if stem == CURL_EXAMPLE {
            // Needs libcurl: built and run by its own test below.
            continue;
        }
        let program = Program {
            binary: paths.out_dir.join(format!("example-{stem}")),
            source,
            link: Link::Shared,
            libraries: Vec::new(),
        };
        compile(&paths, &program);
    }
    let binary = paths.out_dir.join("example-delete_one");
    let stdout = run_under_valgrind(
        &paths,
        "example",
        &binary,
        &["jumio", "eu", "scan", "ref-0007"],
        |emulators| {
            vec![
                ("JUMIO_API_TOKEN", "emulator-token".to_owned()),
                ("JUMIO_API_SECRET", "emulator-secret".to_owned()),
                ("JUMIO_USER_AGENT", "Acme KYC-Cleaner/1.0".to_owned()),
                ("IDV_DELETE_BASE_URL", emulators.servers[0].base_url()),
            ]
        },
    );
    assert!(stdout.contains("deleted"), "{stdout}");
}

/// The C++ wrapper's progress callback, throwing from several batch
/// workers at once, built with ThreadSanitizer (`g++ -fsanitize=thread`;
/// libdelete itself is not instrumented, and its threads are created with
/// pthread_create, which TSan sees): a data race on the exception the
/// wrapper keeps is a failure. Valgrind's memcheck, which runs every C++
/// test, cannot see races; helgrind and DRD flag Rust's futex-based locks.
#[test]
fn cpp_concurrent_progress_exceptions_are_race_free_under_thread_sanitizer() {
    let Some(paths) = ready("the C++ wrapper's ThreadSanitizer test", &[cxx_compiler()]) else {
        return;
    };
    let source = paths.root.join("tests/c/test_wrapper_threads.cpp");
    let binary = paths.out_dir.join("test_wrapper_threads-tsan");
    let output = Command::new(cxx())
        .args(["-std=c++17", "-Wall", "-Wextra", "-Werror", "-g", "-O1"])
        .arg("-fsanitize=thread")
        .arg("-I")
        .arg(paths.root.join("include"))
        .arg("-I")
        .arg(paths.root.join("bindings/c/include"))
        .arg("-o")
        .arg(&binary)
        .arg(&source)
        .arg("-L")
        .arg(&paths.lib_dir)
        .arg("-ldelete")
        .arg(format!("-Wl,-rpath,{}", paths.lib_dir.display()))
        .output()
        .expect("g++ runs");
    assert!(
        output.status.success(),
        "compiling {} with -fsanitize=thread failed (libtsan ships with g++ on Debian: libgcc-12-dev):\n{}",
        source.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let emulators = Emulators::start();
    let mut command = Command::new(&binary);
    command.envs(emulators.environment()).env(
        "TSAN_OPTIONS",
        format!(
            "halt_on_error=1 exitcode=66 suppressions={}",
            paths.root.join("tests/c/tsan.supp").display()
        ),
    );
    let output = run_bounded(command);
    drop(emulators);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stderr.contains("ThreadSanitizer"),
        "test_wrapper_threads under ThreadSanitizer failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    assert!(stdout.contains("test_wrapper_threads: ok"), "{stdout}");
}

/// The libcurl multi example, `bindings/c/examples/curl_multi.c`.
const CURL_EXAMPLE: &str = "curl_multi";
/// Items the example deletes in each run, and how many at once.
const CURL_ITEMS: usize = 1000;
const CURL_IN_FLIGHT: usize = 64;
/// Held by the C suite and the libcurl example's test so that they never
/// run at once: together they overload the 2-core machine (the example
/// took 48 s instead of 18 s under valgrind, and `test_batch`'s timing
/// checks failed).
static HEAVY: Mutex<()> = Mutex::new(());

/// libcurl's compiler and linker flags (`pkg-config --cflags --libs
/// libcurl`), or `None` when pkg-config or libcurl's headers
/// (libcurl4-openssl-dev, which scripts/test installs) are missing.
fn libcurl_flags() -> Option<Vec<String>> {
    let output = Command::new("pkg-config")
        .args(["--cflags", "--libs", "libcurl"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let flags = String::from_utf8_lossy(&output.stdout);
    Some(flags.split_whitespace().map(str::to_owned).collect())
}

/// `(vendor, product, region, reference)` of the example's `--generate N`
/// items, as `generated_item` of curl_multi.c makes them: 99 in 100 cycle
/// through Netverify v2 scans, HyperVerge, Onfido and Stripe, every
/// hundredth is a Jumio Platform account in the US or the EU.
fn curl_items(count: usize) -> Vec<(&'static str, &'static str, &'static str, String)> {
    (0..count)
        .map(|i| {
            if i % 100 == 99 {
                let region = if (i / 100) % 2 == 1 { "eu" } else { "us" };
                let account = format!("a1000000-0000-4000-8000-{i:012}");
                return ("jumio-platform", "account", region, account);
            }
            match i % 4 {
                0 => ("jumio", "scan", "eu", format!("curl-scan-{i:06}")),
                1 => ("hyperverge", "transaction", "", format!("curl-txn-{i:06}")),
                2 => (
                    "onfido",
                    "applicant",
                    "eu",
                    format!("d1000000-0000-4000-8000-{i:012}"),
                ),
                _ => (
                    "stripe",
                    "verification_session",
                    "",
                    format!("vs_curl{i:06}"),
                ),
            }
        })
        .collect()
}

/// An emulator holding `items`, with 20 ms latency on every request and
/// `faults`; Stripe's 25 per second would only slow the run (its
/// Retry-After is the core's business, covered by the vectors).
fn curl_emulator(
    items: &[(&'static str, &'static str, &'static str, String)],
    faults: Faults,
) -> Emulator {
    let emulator = Emulator::start(Config {
        stripe_rate_limit: None,
        faults: Faults {
            latency_ms: 20,
            ..faults
        },
        ..Config::default()
    })
    .expect("an emulator starts on loopback");
    for (vendor, product, _, reference) in items {
        emulator
            .seed_one(vendor, product, reference)
            .expect("the seed is valid");
    }
    emulator
}

/// The emulators' default credentials, as the CLI's environment variables.
fn curl_environment() -> Vec<(&'static str, &'static str)> {
    use idv_delete_emulator as emulator;
    vec![
        ("JUMIO_API_TOKEN", emulator::DEFAULT_JUMIO_TOKEN),
        ("JUMIO_API_SECRET", emulator::DEFAULT_JUMIO_SECRET),
        ("JUMIO_USER_AGENT", "Acme KYC-Cleaner/1.0"),
        ("JUMIO_CLIENT_ID", emulator::DEFAULT_JUMIO_CLIENT_ID),
        ("JUMIO_CLIENT_SECRET", emulator::DEFAULT_JUMIO_CLIENT_SECRET),
        ("HYPERVERGE_APP_ID", emulator::DEFAULT_HYPERVERGE_APP_ID),
        ("HYPERVERGE_APP_KEY", emulator::DEFAULT_HYPERVERGE_APP_KEY),
        ("ONFIDO_API_TOKEN", emulator::DEFAULT_ONFIDO_API_TOKEN),
        ("STRIPE_SECRET_KEY", emulator::DEFAULT_STRIPE_SECRET_KEY),
    ]
}

/// The number after `label` at the start of a line of the summary.
fn summary_count(stdout: &str, label: &str) -> u64 {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {label:?} in the summary:\n{stdout}"))
}

/// Every item erased exactly once at the emulator, the scheduled ones
/// (Onfido, Stripe) counted apart from the deleted, one token per Jumio
/// Platform region bought however many ops needed it at once.
fn check_curl_run(
    stdout: &str,
    emulator: &Emulator,
    items: &[(&'static str, &'static str, &'static str, String)],
) {
    let stats = emulator.stats();
    for (vendor, product, _, reference) in items {
        let counts = stats
            .reference(vendor, product, reference)
            .unwrap_or_else(|| panic!("the emulator saw no delete of {vendor} {reference}"));
        assert_eq!(counts.applied, 1, "{vendor} {reference}: {counts:?}");
    }
    assert_eq!(stats.deletes_applied, items.len() as u64, "{stats:?}");
    let scheduled = items
        .iter()
        .filter(|(vendor, ..)| matches!(*vendor, "onfido" | "stripe"))
        .count() as u64;
    assert_eq!(summary_count(stdout, "scheduled: "), scheduled, "{stdout}");
    assert_eq!(
        summary_count(stdout, "deleted: "),
        items.len() as u64 - scheduled,
        "{stdout}"
    );
    assert_eq!(summary_count(stdout, "failed: "), 0, "{stdout}");
    assert_eq!(stats.tokens_issued, 2, "one token per region: {stats:?}");
    assert_eq!(
        summary_count(stdout, "requests: "),
        // Deletion requests: every one the emulator saw but the tokens'.
        stats.total_requests - stats.token_requests,
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("(token requests: {})", stats.token_requests)),
        "{stdout}"
    );
}

/// Issue 19's acceptance for C with its own event loop: the libcurl multi
/// example deletes 1,000 items (Netverify v2, HyperVerge, Onfido, Stripe
/// and Jumio Platform accounts in two regions) with 64 in flight on one
/// thread against the emulator with 20 ms latency, each erased once, under
/// valgrind with zero errors and no leak (no suppression needed). Then,
/// natively, the same 1,000 read from a CSV file plus one unknown
/// reference, against injected faults (5xx, 429 with Retry-After, resets
/// after the delete, token 503s), so that waits, retries and deletions
/// confirmed by absence run through the loop too: still each erased once,
/// the unknown one not found and the exit status 1.
#[test]
fn the_curl_multi_example_deletes_1000_items_with_64_in_flight() {
    let tools = [c_compiler(), valgrind()];
    let Some(paths) = ready("the libcurl multi example", &tools) else {
        return;
    };
    let _heavy = HEAVY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(libraries) = libcurl_flags() else {
        let why = "the libcurl multi example: libcurl's headers are missing \
                   (`pkg-config --libs libcurl` fails): apt-get install pkg-config \
                   libcurl4-openssl-dev, or run scripts/test";
        assert!(env::var(REQUIRE_C).as_deref() != Ok("1"), "{why}");
        let _ = writeln!(std::io::stderr(), "SKIPPED {why}");
        return;
    };
    let binary = paths.out_dir.join(format!("example-{CURL_EXAMPLE}"));
    compile(
        &paths,
        &Program {
            source: paths
                .root
                .join(format!("bindings/c/examples/{CURL_EXAMPLE}.c")),
            link: Link::Shared,
            binary: binary.clone(),
            libraries,
        },
    );
    let items = curl_items(CURL_ITEMS);
    let in_flight = CURL_IN_FLIGHT.to_string();
    let generate = CURL_ITEMS.to_string();

    // Under valgrind: the acceptance run.
    let emulator = curl_emulator(&items, Faults::default());
    let log = paths.out_dir.join("example-curl_multi.valgrind");
    let mut command = valgrind_command(&paths, &log, &binary);
    command
        .args(["--generate", &generate, "--in-flight", &in_flight])
        .args(["--base-url", &emulator.base_url()])
        .envs(curl_environment());
    let started = Instant::now();
    let output = run_bounded(command);
    let seconds = started.elapsed().as_secs_f64();
    let report = fs::read_to_string(&log).unwrap_or_default();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && report.contains("ERROR SUMMARY: 0 errors"),
        "curl_multi under valgrind failed ({}):\n{stdout}\n{}\n--- valgrind\n{report}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        stdout.contains(&format!("items: {CURL_ITEMS}, {CURL_IN_FLIGHT} in flight")),
        "{stdout}"
    );
    check_curl_run(&stdout, &emulator, &items);
    let _ = writeln!(
        std::io::stderr(),
        "curl_multi: {CURL_ITEMS} items under valgrind in {seconds:.1} s"
    );
    emulator.shutdown();

    // Natively, from a CSV file, with faults and one unknown reference.
    let emulator = curl_emulator(
        &items,
        Faults {
            seed: 19,
            p500: 0.01,
            p429: 0.01,
            retry_after_secs: 1,
            p_reset_after: 0.01,
            token_p503: 0.1,
            ..Faults::default()
        },
    );
    let csv = paths.out_dir.join("curl_multi_items.csv");
    let mut text = String::from("vendor,product,region,reference\n");
    for (vendor, product, region, reference) in &items {
        text.push_str(&format!("{vendor},{product},{region},{reference}\n"));
    }
    text.push_str("jumio,scan,eu,curl-never-seeded\n");
    fs::write(&csv, text).expect("the items file is written");
    let mut command = Command::new(&binary);
    command
        .arg("--items")
        .arg(&csv)
        .args([
            "--in-flight",
            &in_flight,
            "--base-url",
            &emulator.base_url(),
        ])
        .envs(curl_environment());
    let output = run_bounded(command);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.code(),
        Some(1),
        "one item is not found: exit 1\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(summary_count(&stdout, "not found: "), 1, "{stdout}");
    check_curl_run(&stdout, &emulator, &items);
    let faults = emulator.stats().faults;
    assert!(
        faults.status + faults.rate_limited > 0 && faults.reset_after > 0,
        "{faults:?}"
    );
    emulator.shutdown();
}
