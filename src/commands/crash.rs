//! The dashboard's panic hook: the details (with a backtrace) go to the log file, the terminal
//! gets ONE line pointing there. The terminal itself is restored by the dashboard's own guard,
//! whose hook runs before this one.

use std::io::Write;
use std::path::PathBuf;

/// Install the hook for the rest of the process. Panics on other threads (a failed request
/// task, which tokio contains) are logged but do not claim the program crashed.
pub fn install(log: Option<PathBuf>) {
    std::panic::set_hook(Box::new(move |info| {
        let message = match info.payload().downcast_ref::<&str>() {
            Some(s) => s.to_string(),
            None => info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "panic".into()),
        };
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("unnamed");
        let backtrace = std::backtrace::Backtrace::force_capture();
        if let Some(path) = &log
            && let Ok(mut file) = crate::private_fs::open_append(path)
        {
            let _ = writeln!(file, "panic in thread {name}: {info}\n{backtrace}");
        }
        if name == "main" {
            let place = match &log {
                Some(p) => format!(" (details in {})", p.display()),
                None => String::new(),
            };
            eprintln!("hookscope: crashed: {message}{place}");
        }
    }));
}
