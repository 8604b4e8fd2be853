use std::process::ExitCode;

fn main() -> ExitCode {
    tk::cli::main()
}
