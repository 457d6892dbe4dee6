//! The report as one self-contained HTML page: what an auditor (or anyone
//! without a terminal) opens to see whether everything was erased and
//! whether the record can be trusted.
//!
//! The page loads nothing: no font, script, style or image comes from
//! anywhere but the page itself, and its Content-Security-Policy forbids
//! it, so it opens offline and reveals nothing to a third party. Its charts
//! are inline SVG, each with a table of the same numbers beside it (for
//! screen readers, printing and copying). Every number a test compares
//! with the JSON carries a `data-fact` attribute naming where it lives
//! there. A million-item run must still open quickly, so the per-subject
//! and failure tables are bounded ([`SUBJECT_ROWS`], [`FAILURE_ROWS`],
//! [`DUPLICATE_ROWS`]) and say how much the JSON holds beyond them.
//!
//! Every string that came from a journal (paths, references, subjects,
//! vendors' words) is HTML-escaped: a journal can say anything.

use super::model::{Counts, Report, Subject};

/// The most subject rows the page holds; the JSON has them all.
pub const SUBJECT_ROWS: usize = 10_000;

/// The most failure rows the page holds; the JSON has them all.
pub const FAILURE_ROWS: usize = 2_000;

/// The most cross-journal duplicate rows the page holds; the JSON has them
/// all (two copies of one journal would otherwise list every item).
pub const DUPLICATE_ROWS: usize = 2_000;

/// Only the page itself: inline style and script, images as data: URLs.
const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/// The outcomes a chart shows, in stacking order, with their colours and
/// the words a reader sees. Scheduled has its own colour and words: it is
/// never shown as deleted.
const OUTCOMES: [(&str, &str, &str); 6] = [
    ("deleted", "#2e7d32", "deleted"),
    ("scheduled", "#1565c0", "scheduled (not deleted yet)"),
    ("not_found", "#78909c", "not found"),
    ("failed", "#c62828", "failed"),
    ("in_doubt", "#8e24aa", "in doubt"),
    ("not_attempted", "#f9a825", "not attempted"),
];

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#555}
.verdict{padding:1rem 1.25rem;border-radius:6px;color:#fff;margin:1rem 0}
.verdict strong{font-size:1.3rem;text-transform:uppercase;letter-spacing:.05em;margin-right:.6rem}
.verdict-erased{background:#2e7d32}.verdict-scheduled{background:#1565c0}
.verdict-incomplete{background:#e65100}.verdict-untrusted{background:#b71c1c}.verdict-unknown{background:#555}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;padding:0;list-style:none}
.cards li{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;min-width:8rem}
.cards span{display:block;font-size:1.35rem;font-weight:600}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.problem{background:#ffebee;border-left:5px solid #b71c1c;padding:.6rem .8rem;font-weight:600}
.note{color:#555;font-style:italic}
figure{margin:0}
svg.chart{width:100%;height:auto;max-width:60rem;display:block}
input[type=search]{font:inherit;padding:.3rem .5rem;width:20rem;max-width:100%}
";

/// Filters the subject table to the rows whose subject contains what was
/// typed (case-insensitive), and says how many match.
const SCRIPT: &str = "
(function () {
  var box = document.getElementById('subject-search');
  var table = document.getElementById('subjects');
  var said = document.getElementById('subject-matches');
  if (!box || !table) { return; }
  var rows = table.tBodies[0].rows;
  box.addEventListener('input', function () {
    var q = box.value.trim().toLowerCase();
    var n = 0;
    for (var i = 0; i < rows.length; i++) {
      var hit = q === '' || rows[i].getAttribute('data-subject').toLowerCase().indexOf(q) !== -1;
      rows[i].hidden = !hit;
      if (hit) { n++; }
    }
    said.textContent = q === '' ? '' : n + ' matching';
  });
})();
";

/// The page for `report`: the verdict, the counts, the journals and their
/// chain of custody, three charts, the subjects, the failures and the
/// cross-journal duplicates, in that order.
pub fn render(report: &Report) -> String {
    let mut page = String::with_capacity(64 * 1024);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
    ));
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // An empty icon, so the browser does not ask for /favicon.ico.
    page.push_str("<link rel=\"icon\" href=\"data:,\">\n");
    page.push_str("<title>idv-delete erasure report</title>\n");
    page.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));

    verdict(&mut page, report);
    summary(&mut page, report);
    journals(&mut page, report);
    vendor_chart(&mut page, report);
    timeline_chart(&mut page, report);
    failure_chart(&mut page, report);
    subjects(&mut page, report);
    failures(&mut page, report);
    duplicates(&mut page, report);

    page.push_str(&format!("<script>{SCRIPT}</script>\n</body>\n</html>\n"));
    page
}

/// `s` safe as HTML text and as a double- or single-quoted attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// 1234567 as "1,234,567": read at a glance.
fn num(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number a test compares with the JSON at `fact`.
fn fact(fact: &str, n: u64) -> String {
    format!("<span data-fact=\"{}\">{}</span>", escape(fact), num(n))
}

/// A table cell holding a compared number.
fn fact_cell(name: &str, n: u64) -> String {
    format!("<td class=\"n\">{}</td>", fact(name, n))
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn or_dash(s: Option<&str>) -> String {
    s.map_or_else(|| "—".to_owned(), escape)
}

/// The page's heading and the coloured verdict banner.
fn verdict(page: &mut String, report: &Report) {
    let status = report.verdict.status.as_str();
    let class = match status {
        "erased" | "scheduled" | "incomplete" | "untrusted" => status,
        _ => "unknown",
    };
    page.push_str(&format!(
        "<header>\n<h1>Erasure report</h1>\n<p class=\"meta\">Made {} by idv-delete {} from {} journal(s).</p>\n",
        escape(&report.generated_at),
        escape(&report.tool_version),
        report.journals.len()
    ));
    page.push_str(&format!(
        "<div id=\"verdict\" class=\"verdict verdict-{class}\" role=\"status\"><strong data-fact=\"verdict.status\">{}</strong><span>{}</span></div>\n</header>\n",
        escape(status),
        escape(&report.verdict.summary)
    ));
}

/// The totals as cards.
fn summary(page: &mut String, report: &Report) {
    let t = &report.totals;
    page.push_str("<section>\n<h2>Summary</h2>\n<ul class=\"cards\">\n");
    let cards: [(&str, &str, u64); 10] = [
        ("items", "totals.items", t.items),
        ("deleted", "totals.deleted", t.deleted),
        (
            "scheduled (not deleted yet)",
            "totals.scheduled",
            t.scheduled,
        ),
        ("not found", "totals.not_found", t.not_found),
        ("failed", "totals.failed", t.failed),
        ("in doubt (may be erased)", "totals.in_doubt", t.in_doubt),
        ("not attempted", "totals.not_attempted", t.not_attempted),
        (
            "duplicates (counted once)",
            "totals.duplicates",
            t.duplicates,
        ),
        ("subjects", "subjects.total", report.subjects_total),
        (
            "items without a subject",
            "items_without_subject",
            report.items_without_subject,
        ),
    ];
    for (label, name, n) in cards {
        page.push_str(&format!("<li>{label}{}</li>\n", fact(name, n)));
    }
    page.push_str("</ul>\n</section>\n");
}

/// Each journal: can it be trusted, its fingerprint, and who ran it, where,
/// when and with which accounts.
fn journals(page: &mut String, report: &Report) {
    page.push_str("<section>\n<h2>Journals</h2>\n");
    if report.journals.is_empty() {
        page.push_str("<p>No journal was read.</p>\n");
    }
    for (i, j) in report.journals.iter().enumerate() {
        page.push_str(&format!(
            "<article class=\"journal\">\n<h3 class=\"mono\">{}</h3>\n",
            escape(&j.path)
        ));
        if let Some(problem) = &j.problem {
            page.push_str(&format!(
                "<p class=\"problem\" role=\"alert\">{}</p>\n",
                escape(problem)
            ));
        }
        let trust = match (j.chained, j.verified) {
            (true, true) => {
                "its hash chain verified: no record was edited, removed, inserted or reordered"
            }
            (true, false) => "its hash chain did NOT verify: do not rely on this journal",
            (false, _) => {
                "unchained (written before journals had a hash chain): edits cannot be detected"
            }
        };
        page.push_str("<table>\n");
        page.push_str(&format!(
            "<tr><th>Chained</th><td data-fact=\"journal.{i}.chained\">{}</td></tr>\n",
            yes_no(j.chained)
        ));
        page.push_str(&format!(
            "<tr><th>Verified</th><td><span data-fact=\"journal.{i}.verified\">{}</span>: {trust}</td></tr>\n",
            yes_no(j.verified)
        ));
        let fingerprint = match &j.fingerprint {
            Some(f) => format!(
                "<code data-fact=\"journal.{i}.fingerprint\">{}</code>",
                escape(f)
            ),
            None => "none".to_owned(),
        };
        page.push_str(&format!(
            "<tr><th>Fingerprint</th><td>{fingerprint}<br><small>Compare it with the one stored when the run ended: equal means the file is unchanged.</small></td></tr>\n"
        ));
        page.push_str(&format!(
            "<tr><th>Items</th>{}</tr>\n</table>\n",
            fact_cell(&format!("journal.{i}.items"), j.items)
        ));
        if j.runs.is_empty() {
            page.push_str("<p>No run is recorded.</p>\n");
        } else {
            page.push_str("<table>\n<caption>Runs: who ran it, where, when, with which accounts</caption>\n<thead><tr><th>Run</th><th>Started</th><th>Ended</th><th>How</th><th>User</th><th>Host</th><th>Version</th><th>Credential fingerprints</th></tr></thead>\n<tbody>\n");
            for run in &j.runs {
                let credentials = if run.credentials.is_empty() {
                    "—".to_owned()
                } else {
                    run.credentials
                        .iter()
                        .map(|(vendor, fp)| {
                            format!(
                                "{}: <code>{}</code>",
                                escape(vendor),
                                fp.as_deref().map_or_else(
                                    || "a secret alone: not fingerprinted".to_owned(),
                                    escape
                                )
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("<br>")
                };
                page.push_str(&format!(
                    "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{credentials}</td></tr>\n",
                    run.run,
                    escape(&run.started_at),
                    or_dash(run.ended_at.as_deref()),
                    escape(&run.how),
                    or_dash(run.user.as_deref()),
                    or_dash(run.host.as_deref()),
                    escape(&run.tool_version),
                ));
            }
            page.push_str("</tbody>\n</table>\n");
        }
        page.push_str("</article>\n");
    }
    page.push_str("</section>\n");
}

/// An outcome's count in `counts`, by the field name [`OUTCOMES`] uses.
fn outcome(counts: &Counts, field: &str) -> u64 {
    match field {
        "deleted" => counts.deleted,
        "scheduled" => counts.scheduled,
        "not_found" => counts.not_found,
        "failed" => counts.failed,
        "in_doubt" => counts.in_doubt,
        _ => counts.not_attempted,
    }
}

/// The legend of the outcome colours, as SVG at the top of a chart.
fn legend(svg: &mut String, entries: &[(&str, &str, &str)]) {
    let mut x = 0;
    for (_, colour, label) in entries {
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"0\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"11\" font-size=\"12\">{label}</text>",
            x + 16
        ));
        x += 24 + 7 * label.len();
    }
}

/// The opening of a chart: an SVG that says what it shows to screen readers.
fn chart_open(page: &mut String, id: &str, title: &str, height: usize) {
    page.push_str(&format!(
        "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title\" viewBox=\"0 0 800 {height}\"><title id=\"{id}-title\">{}</title>",
        escape(title)
    ));
}

/// Chart 1: each vendor's items as one horizontal bar, stacked by outcome.
fn vendor_chart(page: &mut String, report: &Report) {
    page.push_str("<section>\n<h2>Outcomes per vendor</h2>\n<figure>\n");
    let rows = report.vendors.len().max(1);
    let height = 30 + rows * 28;
    chart_open(
        page,
        "chart-vendors",
        "Outcomes per vendor: one bar per vendor, stacked by deleted, scheduled, not found, failed, in doubt and not attempted",
        height,
    );
    legend(page, &OUTCOMES);
    let widest = report
        .vendors
        .iter()
        .map(|v| {
            OUTCOMES
                .iter()
                .map(|o| outcome(&v.counts, o.0))
                .sum::<u64>()
        })
        .max()
        .unwrap_or(0)
        .max(1);
    if report.vendors.is_empty() {
        page.push_str("<text x=\"0\" y=\"48\" font-size=\"14\">No items.</text>");
    }
    for (row, v) in report.vendors.iter().enumerate() {
        let y = 30 + row * 28;
        page.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{}</text>",
            y + 15,
            escape(&v.vendor)
        ));
        let mut x = 140.0;
        for (field, colour, label) in OUTCOMES {
            let n = outcome(&v.counts, field);
            if n == 0 {
                continue;
            }
            let w = 600.0 * n as f64 / widest as f64;
            page.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"20\" fill=\"{colour}\"><title>{}: {} {label}</title></rect>",
                escape(&v.vendor),
                num(n)
            ));
            x += w;
        }
        page.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{}</text>",
            x + 4.0,
            y + 15,
            num(v.counts.items)
        ));
    }
    page.push_str("</svg>\n<figcaption>The same numbers:</figcaption>\n</figure>\n");
    page.push_str("<table>\n<thead><tr><th>Vendor</th><th>Items</th><th>Deleted</th><th>Scheduled (not deleted yet)</th><th>Not found</th><th>Failed</th><th>In doubt</th><th>Not attempted</th><th>Duplicates</th></tr></thead>\n<tbody>\n");
    for v in &report.vendors {
        let name = escape(&v.vendor);
        let c = &v.counts;
        page.push_str(&format!("<tr><td>{name}</td>"));
        for (field, n) in [
            ("items", c.items),
            ("deleted", c.deleted),
            ("scheduled", c.scheduled),
            ("not_found", c.not_found),
            ("failed", c.failed),
            ("in_doubt", c.in_doubt),
            ("not_attempted", c.not_attempted),
            ("duplicates", c.duplicates),
        ] {
            page.push_str(&fact_cell(&format!("vendor.{}.{field}", v.vendor), n));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

/// "+90 s", "+2 h": how far a bucket starts after the first.
fn offset(secs: u64) -> String {
    match secs {
        0 => "start".to_owned(),
        s if s % 86_400 == 0 => format!("+{} d", s / 86_400),
        s if s % 3_600 == 0 => format!("+{} h", s / 3_600),
        s if s % 60 == 0 => format!("+{} min", s / 60),
        s => format!("+{s} s"),
    }
}

/// Chart 2: outcomes over time, one stacked bar per bucket.
fn timeline_chart(page: &mut String, report: &Report) {
    let t = &report.timeline;
    let buckets = t.deleted.len().max(t.scheduled.len()).max(t.failed.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    page.push_str("<section>\n<h2>Deletions over time</h2>\n<figure>\n");
    chart_open(
        page,
        "chart-timeline",
        "Deletions over time: one bar per period, stacked by deleted, scheduled, and failed or in doubt",
        250,
    );
    let series = [
        OUTCOMES[0],
        OUTCOMES[1],
        ("failed", "#c62828", "failed or in doubt"),
    ];
    legend(page, &series);
    let tallest = (0..buckets)
        .map(|i| at(&t.deleted, i) + at(&t.scheduled, i) + at(&t.failed, i))
        .max()
        .unwrap_or(0)
        .max(1);
    if buckets == 0 {
        page.push_str("<text x=\"0\" y=\"60\" font-size=\"14\">Nothing happened yet.</text>");
    } else {
        let slot = 780.0 / buckets as f64;
        for i in 0..buckets {
            let mut top = 225.0;
            let x = 10.0 + slot * i as f64;
            for (values, (_, colour, label)) in [&t.deleted, &t.scheduled, &t.failed]
                .into_iter()
                .zip(series)
            {
                let n = at(values, i);
                if n == 0 {
                    continue;
                }
                let h = 195.0 * n as f64 / tallest as f64;
                top -= h;
                page.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{}: {} {label}</title></rect>",
                    (slot * 0.9).max(0.5),
                    offset(i as u64 * t.bucket_secs),
                    num(n)
                ));
            }
        }
        page.push_str(&format!(
            "<line x1=\"10\" y1=\"225\" x2=\"790\" y2=\"225\" stroke=\"#999\"/><text x=\"10\" y=\"243\" font-size=\"12\">{}</text><text x=\"790\" y=\"243\" font-size=\"12\" text-anchor=\"end\">{} per bar</text>",
            or_dash(t.start.as_deref()),
            offset(t.bucket_secs).trim_start_matches('+')
        ));
    }
    page.push_str("</svg>\n<figcaption>The same numbers");
    if let Some(start) = &t.start {
        page.push_str(&format!(", from {}", escape(start)));
    }
    page.push_str(":</figcaption>\n</figure>\n<table>\n<thead><tr><th>From</th><th>Deleted</th><th>Scheduled (not deleted yet)</th><th>Failed or in doubt</th></tr></thead>\n<tbody>\n");
    for i in 0..buckets {
        page.push_str(&format!(
            "<tr><td>{}</td>{}{}{}</tr>\n",
            offset(i as u64 * t.bucket_secs),
            fact_cell(&format!("timeline.deleted.{i}"), at(&t.deleted, i)),
            fact_cell(&format!("timeline.scheduled.{i}"), at(&t.scheduled, i)),
            fact_cell(&format!("timeline.failed.{i}"), at(&t.failed, i)),
        ));
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

/// Chart 3: how many items failed of each kind.
fn failure_chart(page: &mut String, report: &Report) {
    let kinds = &report.failure_kinds;
    page.push_str("<section>\n<h2>Failures by kind</h2>\n<figure>\n");
    chart_open(
        page,
        "chart-failures",
        "Failures by kind: one bar per kind of failure",
        10 + kinds.len().max(1) * 28,
    );
    let widest = kinds.iter().map(|k| k.count).max().unwrap_or(0).max(1);
    if kinds.is_empty() {
        page.push_str("<text x=\"0\" y=\"24\" font-size=\"14\">No failures.</text>");
    }
    for (row, k) in kinds.iter().enumerate() {
        let y = 10 + row * 28;
        let w = 560.0 * k.count as f64 / widest as f64;
        page.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{kind}</text><rect x=\"180\" y=\"{y}\" width=\"{w:.1}\" height=\"20\" fill=\"#c62828\"><title>{kind}: {count} failed</title></rect><text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{count}</text>",
            y + 15,
            184.0 + w,
            y + 15,
            kind = escape(&k.kind),
            count = num(k.count),
        ));
    }
    page.push_str(
        "</svg>\n<figcaption>The same numbers, with what to do:</figcaption>\n</figure>\n",
    );
    page.push_str("<table>\n<thead><tr><th>Kind</th><th>Failed</th><th>Of those, in doubt</th><th>What to do</th></tr></thead>\n<tbody>\n");
    for k in kinds {
        page.push_str(&format!(
            "<tr><td>{}</td>{}{}<td>{}</td></tr>\n",
            escape(&k.kind),
            fact_cell(&format!("failure_kind.{}.count", k.kind), k.count),
            fact_cell(&format!("failure_kind.{}.in_doubt", k.kind), k.in_doubt),
            escape(&k.what_to_do)
        ));
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

/// "showing N of M; the JSON has all" under a bounded table, with the
/// shown count as a compared fact.
fn bound_note(page: &mut String, name: &str, shown: usize, total: usize) {
    page.push_str(&format!(
        "<p class=\"note\">Showing {} of {}{}</p>\n",
        fact(&format!("{name}.shown"), shown as u64),
        fact(&format!("{name}.total"), total as u64),
        if shown < total {
            "; the JSON has all."
        } else {
            "."
        }
    ));
}

fn subject_row(s: &Subject) -> String {
    let c = &s.counts;
    let mut row = format!(
        "<tr data-subject=\"{subject}\"><td class=\"mono\">{subject}</td><td>{}</td><td>{}</td>",
        escape(&s.status),
        escape(&s.vendors.join(", ")),
        subject = escape(&s.subject),
    );
    for n in [
        c.deleted,
        c.scheduled,
        c.not_found,
        c.failed,
        c.in_doubt,
        c.not_attempted,
    ] {
        row.push_str(&format!("<td class=\"n\">{}</td>", num(n)));
    }
    row.push_str(&format!(
        "<td>{}</td></tr>\n",
        or_dash(s.scheduled_until.as_deref())
    ));
    row
}

/// The per-subject table, searchable, incomplete subjects first (as the
/// model orders them), bounded to [`SUBJECT_ROWS`].
fn subjects(page: &mut String, report: &Report) {
    page.push_str("<section>\n<h2>Subjects</h2>\n<p>Per person (the company's own key): is everything erased? A scheduled erasure is accepted by the vendor but not done yet.</p>\n");
    let shown = report.subjects.len().min(SUBJECT_ROWS);
    page.push_str("<p><input type=\"search\" id=\"subject-search\" placeholder=\"Search subjects\" aria-label=\"Search subjects\" autocomplete=\"off\"> <span id=\"subject-matches\" aria-live=\"polite\"></span></p>\n");
    bound_note(page, "subjects", shown, report.subjects_total as usize);
    page.push_str("<table id=\"subjects\">\n<thead><tr><th>Subject</th><th>Status</th><th>Vendors</th><th>Deleted</th><th>Scheduled</th><th>Not found</th><th>Failed</th><th>In doubt</th><th>Not attempted</th><th>Scheduled until</th></tr></thead>\n<tbody>\n");
    for s in &report.subjects[..shown] {
        page.push_str(&subject_row(s));
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

/// Every failure with what to do, bounded to [`FAILURE_ROWS`].
fn failures(page: &mut String, report: &Report) {
    page.push_str("<section>\n<h2>Failures</h2>\n");
    let shown = report.failures.len().min(FAILURE_ROWS);
    bound_note(page, "failures", shown, report.failures_total as usize);
    page.push_str("<table id=\"failures\">\n<thead><tr><th>Journal</th><th>Position</th><th>Vendor</th><th>Product</th><th>Region</th><th>Reference</th><th>Subject</th><th>Kind</th><th>HTTP status</th><th>In doubt</th><th>Attempts</th><th>At</th><th>What to do</th></tr></thead>\n<tbody>\n");
    for f in &report.failures[..shown] {
        page.push_str(&format!(
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>\n",
            f.journal,
            f.position,
            escape(&f.vendor),
            escape(&f.product),
            or_dash(f.region.as_deref()),
            escape(&f.reference),
            or_dash(f.subject.as_deref()),
            escape(&f.kind),
            f.status.map_or_else(|| "—".to_owned(), |s| s.to_string()),
            if f.in_doubt { "yes: may be erased" } else { "no" },
            f.attempts,
            or_dash(f.at.as_deref()),
            escape(&f.what_to_do),
        ));
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

/// The items found in two journals, bounded to [`DUPLICATE_ROWS`].
fn duplicates(page: &mut String, report: &Report) {
    page.push_str("<section>\n<h2>Items in more than one journal</h2>\n<p>Counted once, where first seen.</p>\n");
    let shown = report.cross_duplicates.len().min(DUPLICATE_ROWS);
    bound_note(
        page,
        "cross_duplicates",
        shown,
        report.cross_duplicates.len(),
    );
    page.push_str("<table id=\"duplicates\">\n<thead><tr><th>Vendor</th><th>Product</th><th>Region</th><th>Reference</th><th>Counted in journal, position</th><th>Also in journal, position</th></tr></thead>\n<tbody>\n");
    for d in &report.cross_duplicates[..shown] {
        page.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}, {}</td><td>{}, {}</td></tr>\n",
            escape(&d.vendor),
            escape(&d.product),
            or_dash(d.region.as_deref()),
            escape(&d.reference),
            d.first.journal,
            d.first.position,
            d.also.journal,
            d.also.position,
        ));
    }
    page.push_str("</tbody>\n</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::model::{
        CrossDuplicate, Failure, FailureKind, JournalFacts, Location, RunFacts, Timeline,
        VendorCounts, Verdict, FORMAT, VERSION,
    };
    use super::*;

    const HOSTILE_SUBJECT: &str = "<script>alert('subject')</script>";
    const HOSTILE_REFERENCE: &str = "<img src=x onerror=alert(1)>\"'&";

    fn counts(deleted: u64, scheduled: u64, not_found: u64, failed: u64) -> Counts {
        Counts {
            items: deleted + scheduled + not_found + failed,
            deleted,
            scheduled,
            not_found,
            failed,
            in_doubt: 0,
            not_attempted: 0,
            duplicates: 0,
        }
    }

    fn subject(name: &str, status: &str, counts: Counts) -> Subject {
        Subject {
            subject: name.to_owned(),
            status: status.to_owned(),
            vendors: vec!["jumio".to_owned(), "onfido".to_owned()],
            counts,
            scheduled_until: (status == "scheduled").then(|| "2026-12-09T10:00:00Z".to_owned()),
        }
    }

    fn failure(position: u64, reference: &str, subject: Option<&str>) -> Failure {
        Failure {
            journal: 0,
            position,
            vendor: "hyperverge".to_owned(),
            product: "transaction".to_owned(),
            region: None,
            reference: reference.to_owned(),
            subject: subject.map(str::to_owned),
            kind: "rate_limited".to_owned(),
            status: Some(429),
            in_doubt: position.is_multiple_of(2),
            attempts: 6,
            at: Some("2026-12-02T10:00:05Z".to_owned()),
            what_to_do: "run the batch again to retry it".to_owned(),
        }
    }

    fn empty() -> Report {
        Report {
            format: FORMAT.to_owned(),
            version: VERSION,
            generated_at: "2026-12-02T10:30:00Z".to_owned(),
            tool_version: "0.1.0".to_owned(),
            verdict: Verdict {
                status: "erased".to_owned(),
                summary: "No item was journaled.".to_owned(),
            },
            journals: Vec::new(),
            totals: Counts::default(),
            vendors: Vec::new(),
            timeline: Timeline::default(),
            failure_kinds: Vec::new(),
            failures: Vec::new(),
            failures_total: 0,
            subjects: Vec::new(),
            subjects_total: 0,
            items_without_subject: 0,
            cross_duplicates: Vec::new(),
        }
    }

    /// Two journals (one whose chain broke), three vendors, 50 subjects
    /// (one named like a script), failures and a duplicate.
    fn sample() -> Report {
        let mut subjects: Vec<Subject> = (0..49)
            .map(|i| match i % 3 {
                0 => subject(&format!("customer-{i}"), "incomplete", counts(1, 0, 0, 1)),
                1 => subject(&format!("customer-{i}"), "scheduled", counts(1, 1, 0, 0)),
                _ => subject(&format!("customer-{i}"), "erased", counts(2, 0, 0, 0)),
            })
            .collect();
        subjects.insert(
            0,
            subject(HOSTILE_SUBJECT, "incomplete", counts(0, 0, 1, 1)),
        );
        let credentials = BTreeMap::from([
            ("jumio".to_owned(), Some("a1b2c3d4e5f60718".to_owned())),
            ("hyperverge".to_owned(), Some("0f1e2d3c4b5a6978".to_owned())),
            ("onfido".to_owned(), None),
        ]);
        Report {
            verdict: Verdict {
                status: "untrusted".to_owned(),
                summary:
                    "The chain of shard-b.journal does not verify from line 7: do not rely on it."
                        .to_owned(),
            },
            journals: vec![
                JournalFacts {
                    path: "/var/lib/erasure/shard-a.journal".to_owned(),
                    chained: true,
                    verified: true,
                    fingerprint: Some("9f".repeat(32)),
                    problem: None,
                    items: 80,
                    runs: vec![
                        RunFacts {
                            run: 1,
                            started_at: "2026-12-02T10:00:00Z".to_owned(),
                            ended_at: None,
                            how: "killed".to_owned(),
                            tool_version: "0.1.0".to_owned(),
                            user: Some("ops".to_owned()),
                            host: Some("batch-1".to_owned()),
                            credentials: credentials.clone(),
                        },
                        RunFacts {
                            run: 2,
                            started_at: "2026-12-02T10:05:00Z".to_owned(),
                            ended_at: Some("2026-12-02T10:09:00Z".to_owned()),
                            how: "finished".to_owned(),
                            tool_version: "0.1.0".to_owned(),
                            user: Some("ops".to_owned()),
                            host: Some("batch-1".to_owned()),
                            credentials,
                        },
                    ],
                },
                JournalFacts {
                    path: "shard-b.journal <&>".to_owned(),
                    chained: true,
                    verified: false,
                    fingerprint: None,
                    problem: Some(
                        "line 7 was edited, removed, inserted or moved: the chain breaks there"
                            .to_owned(),
                    ),
                    items: 20,
                    runs: Vec::new(),
                },
            ],
            totals: Counts {
                items: 100,
                deleted: 60,
                scheduled: 17,
                not_found: 3,
                failed: 9,
                in_doubt: 9,
                not_attempted: 2,
                duplicates: 1,
            },
            vendors: vec![
                VendorCounts {
                    vendor: "jumio".to_owned(),
                    counts: counts(40, 0, 2, 0),
                },
                VendorCounts {
                    vendor: "onfido".to_owned(),
                    counts: counts(20, 17, 1, 0),
                },
                VendorCounts {
                    vendor: "hyperverge".to_owned(),
                    counts: Counts {
                        in_doubt: 9,
                        not_attempted: 2,
                        duplicates: 1,
                        items: 20,
                        ..counts(0, 0, 0, 9)
                    },
                },
            ],
            timeline: Timeline {
                start: Some("2026-12-02T10:00:00Z".to_owned()),
                bucket_secs: 60,
                deleted: vec![10, 20, 0, 30],
                scheduled: vec![0, 5, 2, 10],
                failed: vec![3, 0, 0, 15],
            },
            failure_kinds: vec![
                FailureKind {
                    kind: "rate_limited".to_owned(),
                    count: 15,
                    in_doubt: 7,
                    what_to_do: "run the batch again to retry it".to_owned(),
                },
                FailureKind {
                    kind: "unauthorized".to_owned(),
                    count: 3,
                    in_doubt: 2,
                    what_to_do: "check the HyperVerge app id and key, then run the batch again"
                        .to_owned(),
                },
            ],
            failures_total: 18,
            failures: (0..18)
                .map(|i| match i {
                    0 => failure(0, HOSTILE_REFERENCE, Some(HOSTILE_SUBJECT)),
                    i => failure(i, &format!("hv-{i}"), Some(&format!("customer-{}", 3 * i))),
                })
                .collect(),
            subjects_total: subjects.len() as u64,
            subjects,
            items_without_subject: 12,
            cross_duplicates: vec![CrossDuplicate {
                vendor: "hyperverge".to_owned(),
                product: "transaction".to_owned(),
                region: None,
                reference: "hv-3".to_owned(),
                first: Location {
                    journal: 0,
                    position: 3,
                },
                also: Location {
                    journal: 1,
                    position: 0,
                },
            }],
            ..empty()
        }
    }

    #[test]
    fn journal_strings_render_as_text() {
        let page = render(&sample());
        assert!(!page.contains(HOSTILE_SUBJECT));
        assert!(!page.contains(HOSTILE_REFERENCE));
        assert!(!page.contains("<img"));
        assert!(page.contains("&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"));
        assert!(page.contains("shard-b.journal &lt;&amp;&gt;"));
        // The page's own script is the only one.
        assert_eq!(page.matches("<script").count(), 1);
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_page_loads_nothing_from_anywhere() {
        let page = render(&sample());
        assert!(page.contains(&format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
        )));
        for url in ["http:", "https:", "//", "src=", "@import", "url("] {
            // `//` would be a protocol-relative URL; the hostile reference
            // is escaped, so its `src=` is text, not an attribute.
            let found = page
                .match_indices(url)
                .filter(|(i, _)| !page[..*i].ends_with("&lt;img "))
                .count();
            assert_eq!(found, 0, "the page holds {url}");
        }
    }

    #[test]
    fn each_chart_is_present_with_a_title_and_its_numbers() {
        let page = render(&sample());
        for (id, fact) in [
            ("chart-vendors", "vendor.onfido.scheduled"),
            ("chart-timeline", "timeline.failed.3"),
            ("chart-failures", "failure_kind.unauthorized.count"),
        ] {
            assert!(page.contains(&format!(
                "<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title\""
            )));
            assert!(page.contains(&format!("<title id=\"{id}-title\">")));
            assert!(page.contains(&format!("data-fact=\"{fact}\"")), "{fact}");
        }
        assert!(page.contains("<span data-fact=\"vendor.onfido.scheduled\">17</span>"));
        assert!(page.contains("<span data-fact=\"timeline.failed.3\">15</span>"));
        assert!(page.contains("scheduled (not deleted yet)"));
        assert!(page.contains(&format!(
            "<code data-fact=\"journal.0.fingerprint\">{}</code>",
            "9f".repeat(32)
        )));
        assert!(page.contains("<p class=\"problem\" role=\"alert\">line 7 was edited"));
        assert!(page.contains("class=\"verdict verdict-untrusted\""));
    }

    #[test]
    fn an_empty_report_renders() {
        let page = render(&empty());
        for id in ["chart-vendors", "chart-timeline", "chart-failures"] {
            assert!(page.contains(&format!("<svg id=\"{id}\"")));
        }
        assert!(page.contains("No items."));
        assert!(page.contains("Nothing happened yet."));
        assert!(page.contains("No failures."));
        assert!(page.contains("No journal was read."));
        assert!(page.contains("<span data-fact=\"subjects.shown\">0</span>"));
        assert!(page.contains("<span data-fact=\"totals.items\">0</span>"));
        assert!(page.ends_with("</html>\n"));
    }

    #[test]
    fn a_million_subjects_give_a_bounded_page() {
        let mut report = sample();
        report.subjects = (0..1_000_000)
            .map(|i| {
                subject(
                    &format!("customer-{i:07}-of-a-long-company-key"),
                    "erased",
                    counts(3, 0, 0, 0),
                )
            })
            .collect();
        report.subjects_total = report.subjects.len() as u64;
        report.failures = (0..100_000)
            .map(|i| failure(i, &format!("hv-{i}"), None))
            .collect();
        report.failures_total = report.failures.len() as u64;
        let first = report.cross_duplicates[0].clone();
        report.cross_duplicates = vec![first; 100_000];
        let started = std::time::Instant::now();
        let page = render(&report);
        let took = started.elapsed();
        eprintln!(
            "1,000,000 subjects, 100,000 failures and duplicates: {} bytes in {took:?}",
            page.len()
        );
        assert!(page.len() < 20 * 1024 * 1024, "{} bytes", page.len());
        assert_eq!(page.matches("<tr data-subject=").count(), SUBJECT_ROWS);
        assert!(page.contains("customer-0009999-"));
        assert!(!page.contains("customer-0010000-"));
        assert!(page.contains("Showing <span data-fact=\"subjects.shown\">10,000</span> of <span data-fact=\"subjects.total\">1,000,000</span>; the JSON has all."));
        assert!(page.contains("Showing <span data-fact=\"failures.shown\">2,000</span> of <span data-fact=\"failures.total\">100,000</span>; the JSON has all."));
        assert!(page.contains("<span data-fact=\"cross_duplicates.shown\">2,000</span>"));
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1_000), "1,000");
        assert_eq!(num(1_234_567), "1,234,567");
        assert_eq!(offset(0), "start");
        assert_eq!(offset(90), "+90 s");
        assert_eq!(offset(7_200), "+2 h");
    }

    /// The sample the browser test opens (tests/python/test_report_browser.py):
    /// written as sample.html and sample.json into the directory
    /// `IDV_DELETE_REPORT_SAMPLE` names, when it is set. Always checks that
    /// the JSON reads back as the same report.
    #[test]
    fn write_sample() {
        let report = sample();
        let json = serde_json::to_string_pretty(&report).expect("a report serializes");
        let back: Report = serde_json::from_str(&json).expect("the JSON reads back");
        assert_eq!(back, report);
        if let Some(dir) = std::env::var_os("IDV_DELETE_REPORT_SAMPLE") {
            let dir = std::path::Path::new(&dir);
            std::fs::create_dir_all(dir).expect("the sample directory can be made");
            std::fs::write(dir.join("sample.html"), render(&report)).expect("sample.html");
            std::fs::write(dir.join("sample.json"), json).expect("sample.json");
        }
    }
}
