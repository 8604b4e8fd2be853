//! The markdown reference in `docs/cmd/`: one page per visible command, generated from the
//! clap tree so it cannot drift from `--help`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use clap::{Arg, Command, CommandFactory};

use super::args::Cli;

/// Every page as (file name, markdown), in a stable order.
pub fn pages() -> Vec<(String, String)> {
    let mut root = Cli::command();
    root.build();
    let mut pages = Vec::new();
    collect(&root, &[], &mut pages);
    pages
}

/// Writes every page into `dir`, removing pages of commands that no longer exist.
pub fn write(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let pages = pages();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with("tk") && name.ends_with(".md") && !pages.iter().any(|(n, _)| n == name)
        {
            std::fs::remove_file(&path)?;
        }
    }
    for (name, text) in pages {
        std::fs::write(dir.join(&name), text).with_context(|| format!("writing {name}"))?;
    }
    Ok(())
}

fn collect(command: &Command, parents: &[&str], pages: &mut Vec<(String, String)>) {
    let mut path: Vec<&str> = parents.to_vec();
    path.push(command.get_name());
    pages.push((format!("{}.md", path.join("_")), page(command, &path)));
    for sub in visible_subcommands(command) {
        collect(sub, &path, pages);
    }
}

fn visible_subcommands(command: &Command) -> impl Iterator<Item = &Command> {
    command.get_subcommands().filter(|c| !c.is_hide_set())
}

fn page(command: &Command, path: &[&str]) -> String {
    let full_name = path.join(" ");
    let mut md = format!("## {full_name}\n\n");
    if let Some(about) = command.get_about() {
        let _ = writeln!(md, "{about}\n");
    }
    if let Some(long) = command.get_long_about() {
        let _ = writeln!(md, "### Synopsis\n\n{long}\n");
    }
    let usage = command.clone().render_usage().to_string();
    let usage = usage.trim_start_matches("Usage: ");
    let _ = writeln!(md, "```\n{usage}\n```\n");

    let positionals: Vec<&Arg> = command
        .get_positionals()
        .filter(|a| !a.is_hide_set())
        .collect();
    if !positionals.is_empty() {
        md.push_str("### Arguments\n\n");
        for arg in positionals {
            let _ = writeln!(md, "- `{}`: {}", arg.get_id(), help(arg));
        }
        md.push('\n');
    }
    let (global, own): (Vec<&Arg>, Vec<&Arg>) = command
        .get_opts()
        .chain(
            command
                .get_arguments()
                .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() == 0)),
        )
        .filter(|a| !a.is_hide_set() && !a.is_positional())
        .fold((Vec::new(), Vec::new()), |(mut g, mut o), arg| {
            if o.iter()
                .chain(g.iter())
                .any(|a: &&Arg| a.get_id() == arg.get_id())
            {
                return (g, o);
            }
            if arg.is_global_set() {
                g.push(arg);
            } else {
                o.push(arg);
            }
            (g, o)
        });
    options_section(&mut md, "Options", &own);
    options_section(&mut md, "Options inherited from parent commands", &global);

    let subs: Vec<&Command> = visible_subcommands(command).collect();
    if !subs.is_empty() {
        md.push_str("### Commands\n\n");
        for sub in subs {
            let mut sub_path: Vec<&str> = path.to_vec();
            sub_path.push(sub.get_name());
            let _ = writeln!(
                md,
                "- [{}]({}.md): {}",
                sub_path.join(" "),
                sub_path.join("_"),
                sub.get_about().map(|a| a.to_string()).unwrap_or_default()
            );
        }
        md.push('\n');
    }
    if let Some((_, parents)) = path.split_last().filter(|(_, p)| !p.is_empty()) {
        let _ = writeln!(
            md,
            "### See also\n\n- [{}]({}.md)",
            parents.join(" "),
            parents.join("_")
        );
    }
    md
}

fn options_section(md: &mut String, title: &str, args: &[&Arg]) {
    if args.is_empty() {
        return;
    }
    let _ = writeln!(md, "### {title}\n\n```");
    for arg in args {
        let mut flag = String::new();
        if let Some(short) = arg.get_short() {
            let _ = write!(flag, "-{short}, ");
        }
        if let Some(long) = arg.get_long() {
            let _ = write!(flag, "--{long}");
        }
        let takes_value = arg.get_num_args().is_none_or(|n| n.max_values() > 0);
        if takes_value && arg.get_action().takes_values() {
            let name = arg
                .get_value_names()
                .and_then(|v| v.first())
                .map(|s| s.to_string())
                .unwrap_or_else(|| arg.get_id().to_string().to_uppercase());
            // A value that may be left out (`--prune` or `--prune=false`) is shown as clap does.
            if arg.get_num_args().is_some_and(|n| n.min_values() == 0) {
                let _ = write!(flag, "[=<{name}>]");
            } else {
                let _ = write!(flag, " <{name}>");
            }
        }
        let mut text = help(arg);
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty()
            && arg.get_action().takes_values()
            && !arg.is_hide_default_value_set()
        {
            let _ = write!(text, " (default {})", defaults.join(","));
        }
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() && !matches!(values.as_slice(), [a, b] if a == "true" && b == "false")
        {
            let _ = write!(text, " [{}]", values.join(", "));
        }
        let _ = writeln!(md, "  {flag:<36} {text}");
    }
    md.push_str("```\n\n");
}

fn help(arg: &Arg) -> String {
    arg.get_help().map(|h| h.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hidden_commands_have_no_page() {
        let names: Vec<String> = super::pages().into_iter().map(|(n, _)| n).collect();
        assert!(names.contains(&"tk.md".to_string()));
        assert!(names.contains(&"tk_install.md".to_string()));
        assert!(!names.iter().any(|n| n == "tk_docs.md"), "{names:?}");
    }
}
