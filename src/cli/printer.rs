//! Where output goes: results to stdout, progress and messages to stderr, spinners only on a
//! terminal, marks readable without colour.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    verbose: bool,
    progress: bool,
}

impl Printer {
    pub fn new(verbose: bool) -> Self {
        Self {
            verbose,
            progress: std::io::stderr().is_terminal(),
        }
    }

    /// A step that is starting: `► message`.
    pub fn action(&self, message: impl AsRef<str>) {
        eprintln!("► {}", message.as_ref());
    }

    /// A step that succeeded: `✔ message`.
    pub fn success(&self, message: impl AsRef<str>) {
        eprintln!("✔ {}", message.as_ref());
    }

    /// A failed check that is not fatal by itself: `✗ message`.
    pub fn failure(&self, message: impl AsRef<str>) {
        eprintln!("✗ {}", message.as_ref());
    }

    /// A waiting step: `◎ message`.
    pub fn waiting(&self, message: impl AsRef<str>) {
        eprintln!("◎ {}", message.as_ref());
    }

    /// Detail shown only with `--verbose`.
    pub fn detail(&self, message: impl AsRef<str>) {
        if self.verbose {
            eprintln!("  {}", message.as_ref());
        }
    }

    /// A spinner for a wait; hidden when stderr is not a terminal.
    pub fn spinner(&self, message: impl Into<String>) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .expect("static template")
                .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "),
        );
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }
}

/// Asks `prompt` (default no) when stdin and stderr are a terminal. Without one there is
/// nobody to ask: the command is refused with `no_terminal`, which tells the user about
/// `--silent`.
pub fn confirm(prompt: &str, no_terminal: String) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        anyhow::bail!(no_terminal);
    }
    Ok(dialoguer::Confirm::new()
        .with_prompt(prompt)
        .default(false)
        .interact()?)
}
