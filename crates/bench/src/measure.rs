//! Timing samples, their percentiles, and the report lines the run prints.

use std::fmt::Write as _;
use std::time::Duration;

/// Durations of repeated runs of one operation.
#[derive(Debug, Clone, Default)]
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn push(&mut self, duration: Duration) {
        self.0.push(duration);
    }

    /// Returns the nearest-rank percentile in milliseconds.
    pub fn percentile_ms(&self, percent: usize) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort();
        if sorted.is_empty() {
            return f64::NAN;
        }
        let rank = (sorted.len() * percent).div_ceil(100).max(1);
        sorted[rank - 1].as_secs_f64() * 1000.0
    }

    pub fn mean_ms(&self) -> f64 {
        let total: Duration = self.0.iter().sum();
        total.as_secs_f64() * 1000.0 / self.0.len().max(1) as f64
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Formats the count, p50, p99 and mean, e.g. "n=300 p50 1.200 ms, p99 3.400 ms, mean 1.310 ms".
    pub fn summary(&self) -> String {
        format!(
            "n={} p50 {:.3} ms, p99 {:.3} ms, mean {:.3} ms",
            self.len(),
            self.percentile_ms(50),
            self.percentile_ms(99),
            self.mean_ms()
        )
    }
}

/// One line of the results table: what was measured, the figure, the baseline measured
/// in the same run, the target and whether the figure meets it.
pub struct Line {
    pub what: String,
    pub figure: String,
    pub baseline: String,
    pub target: String,
    /// `None` when the measurement has no target.
    pub met: Option<bool>,
}

/// The results of one backend, printed as a Markdown table.
#[derive(Default)]
pub struct Report {
    pub lines: Vec<Line>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn line(
        &mut self,
        what: impl Into<String>,
        figure: impl Into<String>,
        baseline: impl Into<String>,
        target: impl Into<String>,
        met: Option<bool>,
    ) {
        let line = Line {
            what: what.into(),
            figure: figure.into(),
            baseline: baseline.into(),
            target: target.into(),
            met,
        };
        println!(
            "  {}: {} | baseline: {} | target: {}",
            line.what, line.figure, line.baseline, line.target
        );
        self.lines.push(line);
    }

    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        println!("  note: {note}");
        self.notes.push(note);
    }

    pub fn to_markdown(&self, heading: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "### {heading}\n");
        let _ = writeln!(
            out,
            "| measured | figure | baseline (same run) | target | met |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|");
        for line in &self.lines {
            let met = match line.met {
                Some(true) => "yes",
                Some(false) => "**NO**",
                None => "—",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {met} |",
                line.what, line.figure, line.baseline, line.target
            );
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }
}

/// Returns the peak resident set size of this process in kB (`VmHWM`), or `None` off Linux.
pub fn peak_rss_kb() -> Option<u64> {
    status_kb("VmHWM:")
}

/// Returns the resident set size of this process in kB (`VmRSS`), or `None` off Linux.
pub fn rss_kb() -> Option<u64> {
    status_kb("VmRSS:")
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets `VmHWM` to the current resident set size, so that a later reading is the peak
/// of what ran in between. Writing 5 to `/proc/self/clear_refs` does this on Linux 4.0
/// and later (proc(5)).
pub fn reset_peak_rss() -> std::io::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")
}
