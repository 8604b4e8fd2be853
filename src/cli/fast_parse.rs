//! `tk helm template …` parsed without building the whole command tree.
//!
//! clap's derive builds every subcommand before it looks at the arguments: ~0.7 ms of the
//! ~15 ms a bitnami chart takes to render, paid on every `tk helm template`. When the
//! words are exactly `helm template`, a parser made of the global flags and that command's
//! flags alone is tried first. Anything it does not accept (help, a bad flag, other
//! word orders) goes to the full parser, so messages are the full parser's.

use clap::Parser;

use super::args::{Cli, Command, GlobalArgs, HelmArgs, HelmCommand, HelmTemplateArgs};

#[derive(Debug, Parser)]
#[command(
    name = "tk helm template",
    disable_help_flag = true,
    disable_version_flag = true
)]
struct HelmTemplateOnly {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(flatten)]
    args: HelmTemplateArgs,
}

/// The full parse's result for `tk helm template …`, or None to parse the full way.
pub fn helm_template(argv: &[std::ffi::OsString]) -> Option<Cli> {
    if argv.len() < 3 || argv[1] != "helm" || argv[2] != "template" {
        return None;
    }
    let words = std::iter::once(argv[0].clone()).chain(argv[3..].iter().cloned());
    let only = HelmTemplateOnly::try_parse_from(words).ok()?;
    Some(Cli {
        global: only.global,
        command: Command::Helm(HelmArgs {
            command: HelmCommand::Template(only.args),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(words: &[&str]) -> (Option<String>, String) {
        let argv: Vec<std::ffi::OsString> = words.iter().map(|w| w.into()).collect();
        let fast = helm_template(&argv).map(|c| format!("{c:?}"));
        let full = format!(
            "{:?}",
            Cli::try_parse_from(&argv).expect("the full parser accepts")
        );
        (fast, full)
    }

    #[test]
    fn the_short_parse_gives_what_the_full_one_gives() {
        for words in [
            &["tk", "helm", "template", "./chart"][..],
            &[
                "tk",
                "helm",
                "template",
                "web",
                "./chart",
                "-f",
                "a.yaml",
                "--values=b.yaml",
            ],
            &[
                "tk",
                "helm",
                "template",
                "web",
                "c",
                "--set",
                "a=1",
                "-n",
                "apps",
                "--verbose",
            ],
            &[
                "tk",
                "helm",
                "template",
                "c",
                "--kube-version",
                "1.30.0",
                "--api-versions",
                "x/v1",
            ],
            &[
                "tk",
                "helm",
                "template",
                "c",
                "--show-only",
                "templates/a.yaml",
                "--include-crds",
            ],
        ] {
            let (fast, full) = both(words);
            assert_eq!(fast.as_deref(), Some(full.as_str()), "{words:?}");
        }
    }

    #[test]
    fn anything_else_goes_to_the_full_parser() {
        for words in [
            &["tk", "helm", "template", "--help"][..],
            &["tk", "helm", "template", "c", "--no-such-flag"],
            &["tk", "-n", "apps", "helm", "template", "c"],
            &["tk", "helm"],
            &["tk", "get", "sources", "git"],
        ] {
            let argv: Vec<std::ffi::OsString> = words.iter().map(|w| w.into()).collect();
            assert!(helm_template(&argv).is_none(), "{words:?}");
        }
    }
}
