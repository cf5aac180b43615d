//! Pasting in the real binary (a pseudo-terminal that brackets pastes only while the program
//! asks for it, as terminals do). After an `$EDITOR` round trip the dashboard has bracketed paste
//! on again: a secret pasted with its trailing newline arrives as one paste (its newline is not
//! enter), and a URL pasted into the Replay tab's target input lands there.

#[path = "support/pty.rs"]
mod pty;

use hmac::{Hmac, Mac};
use pty::Pty;

const SECRET: &str = "paste-zoom-secret";

fn post_zoom(base: &str, secret: &str) -> u16 {
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let body = r#"{"event":"meeting.ended"}"#;
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(format!("v0:{ts}:{body}").as_bytes());
    let sig = format!("v0={}", hex::encode(m.finalize().into_bytes()));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/hooks/zoom"))
            .header("x-zm-request-timestamp", ts.to_string())
            .header("x-zm-signature", sig)
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

#[test]
fn after_the_editor_a_pasted_secret_is_one_paste_and_a_pasted_target_lands() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[providers.zoom]\nsecrets = [\"wrong-zoom-secret\"]\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let env = [
        ("XDG_CONFIG_HOME", dir.path().to_str().unwrap()),
        ("TZ", "UTC"),
        // A real editor that saves the text unchanged.
        ("EDITOR", "true"),
    ];
    let mut term = Pty::spawn(env!("CARGO_BIN_EXE_hookscope"), &args, &env, 160, 45);
    let base = term.listen_url(20);
    assert_eq!(post_zoom(&base, SECRET), 200);
    term.wait_for("a ✗ row", 20, |s| {
        s.lines()
            .any(|l| l.contains("✗") && l.contains("/hooks/zoom"))
    });

    // Open it and edit it in $EDITOR: the terminal is handed over and taken back.
    term.send("\r");
    term.send("e");
    term.wait_text("no replay target", 20);
    assert!(
        term.bracketed_paste(),
        "bracketed paste is on again after the editor"
    );
    let raw = term.raw();
    let turned_on = raw.windows(8).filter(|w| w == b"\x1b[?2004h").count();
    assert!(turned_on >= 2, "at start and after the editor: {turned_on}");

    // A target pasted into the Replay tab's input lands there.
    term.send("t");
    term.wait_text("enter keep", 10);
    term.send("\x15");
    term.paste("http://127.0.0.1:9/pasted");
    term.send("\r");
    let screen = term.wait_text("http://127.0.0.1:9/pasted", 10);
    assert!(
        !screen.contains("enter keep"),
        "the input closed:\n{screen}"
    );

    // A secret pasted with its newline: one paste, confirmed only by the enter typed after it.
    term.send("s");
    term.wait_text("secrets · saving re-verifies", 10);
    term.send("a");
    term.wait_text("new secret for zoom", 10);
    term.paste(&format!("{SECRET}\n"));
    let screen = term.screen();
    assert!(
        !screen.contains("secret #2 set"),
        "the pasted newline acted as enter:\n{screen}"
    );
    term.send("\r");
    term.wait_text("surrounding whitespace trimmed; zoom secret #2 set", 10);
    term.send("w");
    let screen = term.wait_for("the ✓ row", 20, |s| {
        s.contains("1 · 0 failing")
            && s.lines()
                .any(|l| l.contains("✓") && l.contains("/hooks/zoom"))
    });
    assert!(!screen.contains(SECRET), "the secret must not be on screen");
    term.send("\x1b");
    term.send("q");
    assert_eq!(term.wait_exit(10), 0);
}

#[test]
fn ctrl_z_hands_the_terminal_back_and_restores_every_mode() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data.to_str().unwrap(),
    ];
    let env = [("XDG_CONFIG_HOME", dir.path().to_str().unwrap())];
    let mut term = Pty::spawn(env!("CARGO_BIN_EXE_hookscope"), &args, &env, 120, 30);
    term.wait_text("listening http://127.0.0.1:", 20);
    let on = |raw: &[u8], mode: &[u8]| raw.windows(mode.len()).filter(|w| *w == mode).count();
    // Without a job-control shell the kernel drops the stop: the round trip is what is left.
    term.send("\x1a");
    term.wait_for("the terminal handed back and taken again", 10, |_| {
        on(&term.raw(), b"\x1b[?2004h") >= 2
    });
    let raw = term.raw();
    assert!(
        on(&raw, b"\x1b[?2004l") >= 1,
        "bracketed paste was turned off"
    );
    assert!(on(&raw, b"\x1b[?1049h") >= 2, "the alternate screen again");
    assert!(on(&raw, b"\x1b[?1000h") >= 2, "mouse capture again");
    assert!(term.bracketed_paste());
    term.wait_text("listening http://127.0.0.1:", 10);
    term.send("q");
    assert_eq!(term.wait_exit(10), 0);
}
