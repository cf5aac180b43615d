//! The terminal the dashboard runs in: raw mode, the alternate screen, mouse capture and
//! bracketed paste for as long as a [`TerminalGuard`] lives (panics included), the input thread,
//! and suspending the whole set while another program (`$EDITOR`) owns the terminal.

use super::events::Msg;
use crossterm::event::{
    self as term, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste,
    EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Write, stdout};
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// Leave the alternate screen and raw mode, run `f` (an editor owns the terminal meanwhile; the
/// input thread is paused), then restore and redraw.
pub(super) fn suspended<T>(
    terminal: &mut Terminal<CrosstermBackend<std::io::Stdout>>,
    pause: &AtomicBool,
    f: impl FnOnce() -> T,
) -> anyhow::Result<T> {
    pause.store(true, Ordering::SeqCst);
    // Let a poll already under way end before the editor reads the keyboard.
    std::thread::sleep(Duration::from_millis(150));
    restore_terminal();
    let out = f();
    // The same modes as at start: a mode left out here (bracketed paste was) would turn a
    // pasted secret into keystrokes whose newline acts as enter.
    enter_modes()?;
    redraw_all(terminal)?;
    pause.store(false, Ordering::SeqCst);
    Ok(out)
}

/// Forget what is on screen so the next frame is drawn whole, at the terminal's size now (it may
/// have changed meanwhile). Not `Terminal::clear`: that asks the terminal for the cursor
/// position, and a terminal that does not answer would end the dashboard.
fn redraw_all(terminal: &mut Terminal<CrosstermBackend<std::io::Stdout>>) -> std::io::Result<()> {
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Read terminal events on a thread, polling so it notices `stop`; idle while `pause` is set.
pub(super) fn spawn_input(
    tx: mpsc::Sender<Msg>,
    stop: Arc<AtomicBool>,
    pause: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            if pause.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            let msg = match term::poll(Duration::from_millis(100)) {
                Ok(false) => continue,
                Ok(true) => match term::read() {
                    Ok(ev) => Msg::Term(ev),
                    Err(e) => Msg::TermError(e.to_string()),
                },
                Err(e) => Msg::TermError(e.to_string()),
            };
            let fatal = matches!(msg, Msg::TermError(_));
            if tx.send(msg).is_err() || fatal {
                return;
            }
        }
    })
}

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;

/// Raw mode, alternate screen and mouse capture for as long as it lives; a panic hook restores
/// the terminal before the panic message prints.
pub(super) struct TerminalGuard {
    previous: Arc<Mutex<Option<Hook>>>,
}

/// Every mode the dashboard runs in, switched on: raw mode, the alternate screen, mouse
/// capture, bracketed paste. [`restore_terminal`] switches off the same set.
fn enter_modes() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )
}

/// Every mode of [`enter_modes`], switched off, and the cursor shown.
fn restore_terminal() {
    let _ = disable_raw_mode();
    let mut out = stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = out.flush();
}

impl TerminalGuard {
    pub(super) fn enter() -> std::io::Result<TerminalGuard> {
        let previous: Arc<Mutex<Option<Hook>>> =
            Arc::new(Mutex::new(Some(std::panic::take_hook())));
        let prev = previous.clone();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            if let Ok(guard) = prev.lock()
                && let Some(hook) = guard.as_ref()
            {
                hook(info);
            }
        }));
        let guard = TerminalGuard { previous };
        enter_modes()?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
        // The hook cannot be changed while unwinding (that panics again and aborts).
        if std::thread::panicking() {
            return;
        }
        let _ours = std::panic::take_hook();
        if let Some(prev) = self.previous.lock().ok().and_then(|mut g| g.take()) {
            std::panic::set_hook(prev);
        }
    }
}

/// Stop this process as a shell's `ctrl-z` would (raw mode turns that key into a key press);
/// returns once the shell resumes it. A process the shell cannot resume (an orphaned process
/// group) is not stopped: the kernel drops the signal.
pub(super) fn stop_self() {
    #[cfg(unix)]
    // SAFETY: raise only sends a signal to this process; SIGTSTP's default action stops it.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
}
