//! Vendors' request windows (issue 18): Veriff's 5 per hour and 10 per
//! 24 hours, scaled down to seconds, are never exceeded, across a cancel
//! and a resume; with the real windows a batch sends 5 and stops with the
//! time to resume instead of sleeping for an hour, and a run right after
//! it sends nothing.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::*;
use idv_delete_blocking::{
    BatchOptions, CancelToken, Client, DeleteIntent, Vendor, VeriffCredentials, Window,
};
use idv_delete_emulator::{Config, Emulator, SeedItem};

fn veriff_client(emulator: &Emulator) -> Client {
    builder(&emulator.base_url())
        .credentials(
            VeriffCredentials::new(
                idv_delete_emulator::DEFAULT_VERIFF_API_KEY,
                idv_delete_emulator::DEFAULT_VERIFF_SHARED_SECRET,
            )
            .unwrap(),
        )
        .build()
        .unwrap()
}

fn sessions(emulator: &Emulator, count: u64) -> Vec<DeleteIntent> {
    let ids: Vec<String> = (100..100 + count).map(uuid).collect();
    let seed: Vec<SeedItem> = ids
        .iter()
        .map(|id| SeedItem::new("veriff", "session", id))
        .collect();
    emulator.seed(&seed).unwrap();
    ids.iter()
        .map(|id| DeleteIntent::veriff(id).unwrap())
        .collect()
}

fn refused(emulator: &Emulator) -> u64 {
    let stats = emulator.stats();
    stats
        .requests
        .iter()
        .filter(|(route, _)| route.starts_with("veriff"))
        .filter_map(|(_, by_status)| by_status.get(&429))
        .sum()
}

fn journal(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("idv-delete-windows-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("erasures.journal")
}

#[test]
fn scaled_windows_hold_across_a_cancel_and_a_resume() {
    let windows = vec![
        Window::new(5, Duration::from_secs(2)),
        Window::new(10, Duration::from_secs(10)),
    ];
    let emulator = Emulator::start(Config {
        veriff_windows: windows.iter().map(|w| (w.count, w.span)).collect(),
        ..Config::default()
    })
    .unwrap();
    let client = veriff_client(&emulator);
    let items = sessions(&emulator, 12);
    let journal = journal("scaled");
    // Run 1 stops after 3 items.
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let stopped = Arc::new(AtomicBool::new(false));
    let first = client
        .delete_many(
            items.clone(),
            BatchOptions::default()
                .concurrency(4)
                .journal(&journal)
                .vendor_windows(Vendor::Veriff, windows.clone())
                .cancel(cancel)
                .progress(move |p| {
                    if p.done >= 3 && !stopped.swap(true, Ordering::SeqCst) {
                        stop.cancel();
                    }
                }),
        )
        .unwrap();
    assert!(first.cancelled && first.scheduled >= 3, "{first:?}");
    // Run 2 resumes: the journal's sends count in its windows.
    let started = std::time::Instant::now();
    let second = client
        .delete_many(
            items,
            BatchOptions::default()
                .concurrency(4)
                .journal(&journal)
                .vendor_windows(Vendor::Veriff, windows),
        )
        .unwrap();
    assert_eq!(first.scheduled + second.scheduled, 12, "{second:?}");
    assert_eq!(refused(&emulator), 0, "a window was exceeded");
    // 12 sends with at most 10 in 10 s: the last ones waited.
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn real_windows_stop_after_five_with_the_time_to_resume() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let client = veriff_client(&emulator);
    let items = sessions(&emulator, 12);
    let journal = journal("real");
    let before = SystemTime::now();
    let report = client
        .delete_many(items.clone(), BatchOptions::default().journal(&journal))
        .unwrap();
    assert_eq!((report.scheduled, report.attempts), (5, 5), "{report:?}");
    let full = report
        .window_full
        .expect("stopped at Veriff's hourly window");
    assert!(report.cancelled);
    assert_eq!(full.vendor, Vendor::Veriff);
    assert_eq!(full.window, Window::new(5, Duration::from_secs(3600)));
    let wait = full.until.duration_since(before).unwrap();
    assert!(
        wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3601),
        "{wait:?}"
    );
    assert_eq!(refused(&emulator), 0);
    // Only what was sent has a `sent` record: the items the window held
    // back are journaled cancelled, not in doubt.
    let text = std::fs::read_to_string(&journal).unwrap();
    let sent = text.matches("\"event\":\"sent\"").count();
    let held: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("\"event\":\"outcome\"") && !l.contains("\"scheduled\""))
        .collect();
    assert_eq!(sent, 5, "{text}");
    assert!(!held.is_empty(), "{text}");
    for line in held {
        assert!(line.contains("\"cancelled\""), "{line}");
        assert!(!line.contains("\"in_doubt\":true"), "{line}");
    }
    // Run again at once: the journal says the window is full; nothing sent.
    let again = client
        .delete_many(items, BatchOptions::default().journal(&journal))
        .unwrap();
    assert_eq!((again.scheduled, again.attempts), (0, 0), "{again:?}");
    assert!(again.window_full.is_some());
}
