//! The `fusionc` binary: a thin wrapper that hands the process arguments and
//! streams to `fusion_driver::run_command_line`.

use std::io::IsTerminal;

/// Compiling allocates many small, short-lived values (syntax trees, IR,
/// names, JSON) on several threads; mimalloc serves them with far fewer
/// instructions than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let code = {
        let mut stdout_lock = stdout.lock();
        let mut stderr_lock = stderr.lock();
        let mut output = fusion_driver::cli::Output {
            stdout: &mut stdout_lock,
            stderr: &mut stderr_lock,
            color,
        };
        fusion_driver::run_command_line(std::env::args_os(), &mut output)
    };
    std::process::exit(code);
}
