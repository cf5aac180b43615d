//! The command-line conventions: shell completions that load, a man page that renders,
//! `--color`, `--quiet` / `-v`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn hookscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn bash_completions_load_in_bash() {
    let o = hookscope(&["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0));
    let script = String::from_utf8(o.stdout).unwrap();
    assert!(
        script.contains("complete ") && script.contains("export"),
        "{script}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hookscope.bash");
    std::fs::write(&file, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Sourcing it registers the completion function.
    let loaded = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p hookscope",
            file.display()
        ))
        .output()
        .unwrap();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    for shell in ["zsh", "fish", "powershell"] {
        let o = hookscope(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        assert!(!o.stdout.is_empty(), "{shell}");
    }
    assert_eq!(hookscope(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_man_page_renders() {
    let o = hookscope(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = String::from_utf8(o.stdout).unwrap();
    assert!(page.contains(".TH hookscope 1"), "{page}");
    let mut man = Command::new("man")
        .args(["--warnings", "-l", "-"])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("man is installed (.ci/run installs man-db)");
    man.stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = man.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for want in ["NAME", "SYNOPSIS", "export", "replay", "--color"] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
}

#[test]
fn color_quiet_and_verbose_are_global_options() {
    let o = hookscope(&["--color", "never", "providers", "stripe"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = hookscope(&["providers", "stripe", "-q"]);
    assert_eq!(o.status.code(), Some(0));
    let o = hookscope(&["-vv", "providers", "stripe"]);
    assert_eq!(o.status.code(), Some(0));
    let o = hookscope(&["--color", "sometimes", "providers"]);
    assert_eq!(o.status.code(), Some(2));
    let o = hookscope(&["-q", "-v", "providers"]);
    assert_eq!(o.status.code(), Some(2));
    let o = hookscope(&["--addr", "127.0.0.1:0", "providers"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("listen options go with"));
}
