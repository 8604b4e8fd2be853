//! `tk completion <shell>`.

use std::io::Write;

use clap::CommandFactory;

use super::args::Cli;

pub fn run(shell: clap_complete::Shell, out: &mut impl Write) {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "tk", out);
}
