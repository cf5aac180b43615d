//! The `verify`, `sign` and `providers` commands as a user runs them: exit codes, output, and
//! one clear sentence for each bad input.

mod listener;

use listener::one_shot;
use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

const GH_SECRET: &str = "It's a Secret to Everybody";
const GH_SIG: &str =
    "X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

/// Run hookscope with an empty config home (the user's own config never leaks in).
fn hookscope(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hookscope"));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Expect exit 2 with exactly one line naming the problem.
fn assert_input_error(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    assert!(err.starts_with("hookscope: "), "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn verify_exit_0_when_verified() {
    let o = hookscope(
        &[
            "verify",
            "--provider",
            "github",
            "--secret",
            GH_SECRET,
            "-H",
            GH_SIG,
            "--body",
            "Hello, World!",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("VERIFIED  github"), "{}", stdout(&o));
}

#[test]
fn verify_exit_1_when_not_verified_with_json() {
    let o = hookscope(
        &[
            "verify",
            "--secret",
            GH_SECRET,
            "-H",
            GH_SIG,
            "--body",
            "Hello, World?",
            "--json",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["provider"], "github");
    assert_eq!(v["detected_by"], "header x-hub-signature-256");
    assert_eq!(v["signature"]["status"], "invalid");
    assert_eq!(v["verdict"], "failed");
    assert_eq!(v["timestamp"]["status"], "not_applicable");
    assert!(
        v["signature"]["computed"]
            .as_str()
            .unwrap()
            .starts_with("sha256=")
    );
    assert!(!stdout(&o).contains(GH_SECRET));
}

#[test]
fn verify_reads_body_file_and_stdin_and_env_secret() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("evt.json");
    std::fs::write(&f, "Hello, World!").unwrap();
    let o = hookscope(
        &[
            "verify",
            "-p",
            "github",
            "-H",
            GH_SIG,
            "--body-file",
            f.to_str().unwrap(),
        ],
        &[("HOOKSCOPE_SECRET_GITHUB", GH_SECRET)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let mut child = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args([
            "verify",
            "-p",
            "github",
            "--secret",
            GH_SECRET,
            "-H",
            GH_SIG,
            "--body-file",
            "-",
        ])
        .env("XDG_CONFIG_HOME", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Hello, World!")
        .unwrap();
    assert_eq!(child.wait_with_output().unwrap().status.code(), Some(0));
}

#[test]
fn verify_stale_timestamp_is_exit_1_with_clock_override() {
    let args = [
        "verify",
        "-p",
        "stripe",
        "--secret",
        "whsec_test_secret",
        "-H",
        "Stripe-Signature: t=1735689600,v1=7704f67a31dd4cb846fe00f4d5b32c6a19ea6bcbe315463477d6a77fc1869179",
        "--body",
        "{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}",
        "--json",
    ];
    let fresh = hookscope(&[&args[..], &["--now", "1735689610"]].concat(), &[]);
    assert_eq!(fresh.status.code(), Some(0), "{}", stdout(&fresh));
    let stale = hookscope(&[&args[..], &["--now", "1735690000"]].concat(), &[]);
    assert_eq!(stale.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(stdout(&stale).trim()).unwrap();
    assert_eq!(v["timestamp"]["status"], "stale");
    assert_eq!(v["timestamp"]["skew_secs"], -400);
    assert_eq!(v["signature"]["status"], "valid");
}

#[test]
fn each_bad_input_has_its_sentence() {
    assert_input_error(
        &hookscope(
            &[
                "verify",
                "--provider",
                "nope",
                "--secret",
                "x",
                "--body",
                "x",
            ],
            &[],
        ),
        "unknown provider \"nope\"",
    );
    assert_input_error(
        &hookscope(
            &[
                "verify",
                "-p",
                "zoom",
                "--secret",
                "x",
                "--body-file",
                "/no/such/file",
            ],
            &[],
        ),
        "cannot read body file /no/such/file: no such file",
    );
    assert_input_error(
        &hookscope(
            &[
                "verify",
                "-p",
                "zoom",
                "--secret",
                "x",
                "-H",
                "no colon here",
                "--body",
                "x",
            ],
            &[],
        ),
        "malformed header \"no colon here\"",
    );
    assert_input_error(
        &hookscope(
            &[
                "verify",
                "-p",
                "zentact",
                "--secret",
                "not-hex",
                "-H",
                "x-hmac-signature: AAAA",
                "--body",
                "x",
            ],
            &[],
        ),
        "cannot be used for zentact: the secret is not valid hex",
    );
    assert_input_error(
        &hookscope(
            &[
                "verify",
                "--secret",
                "x",
                "-H",
                "content-type: text/plain",
                "--body",
                "x",
            ],
            &[],
        ),
        "no provider recognised from the headers",
    );
    assert_input_error(
        &hookscope(&["verify", "-p", "zoom", "--body", "x"], &[]),
        "no secret for zoom",
    );
    assert_input_error(
        &hookscope(
            &[
                "verify", "-p", "twilio", "--secret", "x", "--url", "ftp:/x", "--body", "x",
            ],
            &[],
        ),
        "malformed --url",
    );
    assert_input_error(
        &hookscope(
            &[
                "verify",
                "-p",
                "github",
                "--variant",
                "v9",
                "--secret",
                "x",
                "--body",
                "x",
            ],
            &[],
        ),
        "github has no variant \"v9\" (variants: sha256, legacy-sha1)",
    );
    assert_input_error(
        &hookscope(
            &["sign", "-p", "discord", "--secret", "00", "--body", "x"],
            &[],
        ),
        "hookscope can verify it but not sign it",
    );
    assert_input_error(
        &hookscope(
            &[
                "sign",
                "-p",
                "zoom",
                "--secret",
                "x",
                "--timestamp",
                "noon",
                "--body",
                "x",
            ],
            &[],
        ),
        "malformed --timestamp \"noon\"",
    );
    assert_input_error(
        &hookscope(&["sign", "--secret", "x", "--body", "x"], &[]),
        "sign needs --provider",
    );
}

#[test]
fn bad_config_names_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[providers.zoom]\nsecretz = [\"x\"]\n").unwrap();
    let o = hookscope(&["providers", "--config", cfg.to_str().unwrap()], &[]);
    assert_input_error(&o, &format!("config file {}", cfg.display()));
    assert!(stderr(&o).contains("secretz"), "{}", stderr(&o));

    std::fs::write(
        &cfg,
        "[[custom_providers]]\nname = \"acme\"\n[[custom_providers.variant]]\nalgorithm = \"hmac-sha256\"\n",
    )
    .unwrap();
    let o = hookscope(&["providers", "--config", cfg.to_str().unwrap()], &[]);
    assert_input_error(
        &o,
        "custom_providers[0] (acme): variant[0].signature: give one of `header`, `json_path`, `form_field`",
    );

    let o = hookscope(&["providers", "--config", "/no/such/config.toml"], &[]);
    assert_input_error(&o, "config file /no/such/config.toml does not exist");
}

#[test]
fn custom_provider_from_config_verifies_and_signs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        r#"
[providers.acme]
secrets = ["acme-secret"]

[[custom_providers]]
name = "acme"
title = "Acme Corp"
[[custom_providers.variant]]
detect = { header = "x-acme-signature" }
signature = { header = "x-acme-signature", syntax = "key-value", separator = ",", sig_key = "s", ts_key = "ts", encoding = "base64" }
message = "{method} {timestamp} {body}"
algorithm = "hmac-sha512"
timestamp = { from_signature = true, unit = "seconds", tolerance_secs = 60 }
"#,
    )
    .unwrap();
    let c = cfg.to_str().unwrap();
    let list = hookscope(&["providers", "--config", c], &[]);
    assert!(
        stdout(&list).contains("acme (custom) — Acme Corp"),
        "{}",
        stdout(&list)
    );

    let signed = hookscope(
        &[
            "sign",
            "-p",
            "acme",
            "--config",
            c,
            "--timestamp",
            "1700000000",
            "--body",
            "{\"a\":1}",
        ],
        &[],
    );
    assert_eq!(signed.status.code(), Some(0), "{}", stderr(&signed));
    let line = stdout(&signed).trim().to_string();
    assert!(
        line.starts_with("x-acme-signature: ts=1700000000,s="),
        "{line}"
    );

    // Independent check of the custom scheme with the hmac crate.
    use base64::Engine as _;
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(b"acme-secret").unwrap();
    mac.update(b"POST 1700000000 {\"a\":1}");
    let want = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(line, format!("x-acme-signature: ts=1700000000,s={want}"));

    let header = line.clone();
    let ok = hookscope(
        &[
            "verify",
            "--config",
            c,
            "-H",
            &header,
            "--body",
            "{\"a\":1}",
            "--now",
            "1700000030",
        ],
        &[],
    );
    assert_eq!(ok.status.code(), Some(0), "{}{}", stdout(&ok), stderr(&ok));
    assert!(stdout(&ok).contains("acme"));
}

#[test]
fn rfc3339_timestamps_are_written_in_the_scheme_unit() {
    // 2026-11-23T03:30:12Z = 1795404612
    let o = hookscope(
        &[
            "sign",
            "-p",
            "stripe",
            "--secret",
            "whsec_x",
            "--timestamp",
            "2026-11-23T03:30:12Z",
            "--body",
            "{}",
        ],
        &[],
    );
    assert!(
        stdout(&o).starts_with("stripe-signature: t=1795404612,v1="),
        "{}",
        stdout(&o)
    );
    let o = hookscope(
        &[
            "sign",
            "-p",
            "hubspot",
            "--url",
            "https://a.example/h",
            "--secret",
            "x",
            "--timestamp",
            "1795404612",
            "--body",
            "{}",
        ],
        &[],
    );
    assert!(
        stdout(&o).contains("x-hubspot-request-timestamp: 1795404612000"),
        "{}",
        stdout(&o)
    );
    let o = hookscope(
        &[
            "sign",
            "-p",
            "twitch",
            "--secret",
            "s3cre7s3cre7",
            "--id",
            "m1",
            "--timestamp",
            "2026-11-23T03:30:12.123456789Z",
            "--body",
            "{}",
        ],
        &[],
    );
    assert!(
        stdout(&o).contains("twitch-eventsub-message-timestamp: 2026-11-23T03:30:12.123456789Z"),
        "{}",
        stdout(&o)
    );
    // A secret that starts with a dash is a value, not an option.
    let o = hookscope(
        &[
            "sign",
            "-p",
            "zoom",
            "--secret",
            "-abc",
            "--timestamp",
            "1",
            "--body",
            "{}",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn providers_lists_every_builtin() {
    let o = hookscope(&["providers", "--json"], &[]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for want in [
        "zoom",
        "zoho-webinar",
        "zentact",
        "meetbot",
        "stripe",
        "github",
        "slack",
        "shopify",
        "standard-webhooks",
        "svix",
        "twilio",
        "square",
        "paddle",
        "linear",
        "hubspot",
        "intercom",
        "mailgun",
        "sendgrid",
        "discord",
        "twitch",
        "lemon-squeezy",
        "typeform",
        "calendly",
        "vercel",
        "sentry",
        "gitlab",
        "bitbucket",
        "dropbox",
        "mux",
        "paypal",
    ] {
        assert!(names.contains(&want), "{want} missing");
    }
}

#[test]
fn sign_send_posts_the_signed_request() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = s.read(&mut chunk).unwrap();
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        s.write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .unwrap();
        String::from_utf8_lossy(&buf).to_string()
    });
    let url = format!("http://{addr}/zoom/hook");
    let o = hookscope(
        &[
            "sign",
            "-p",
            "zoom",
            "--secret",
            "zs",
            "--timestamp",
            "1700000000",
            "--body",
            "{}",
            "--send",
            &url,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The app's answer as `curl -i` shows it.
    assert_eq!(
        stdout(&o).trim(),
        "HTTP 202 Accepted\ncontent-length: 0\nconnection: close"
    );
    let got = server.join().unwrap().to_ascii_lowercase();
    assert!(got.starts_with("post /zoom/hook "), "{got}");
    assert!(got.contains("x-zm-request-timestamp: 1700000000"), "{got}");
    assert!(got.contains("x-zm-signature: v0="), "{got}");
    assert!(got.ends_with("\r\n\r\n{}"), "{got}");
}

#[test]
fn broken_pipe_is_quiet() {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} providers | head -1",
            env!("CARGO_BIN_EXE_hookscope")
        ))
        .output()
        .unwrap();
    // The first provider's line (built-ins are listed by file name).
    let first = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(first.contains(" — ") && !first.contains('\n'), "{first:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// Run hookscope for at most `secs` (a listener that starts instead of refusing is killed, so
/// the exit code shows it), with an empty config home.
fn run_bounded(args: &[&str], secs: u64) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(args)
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn out_of_range_durations_and_timestamps_are_one_sentence_each() {
    // Durations that would overflow the clock (every request used to panic).
    for (flag, value) in [
        ("--header-timeout", "9223372036854775807"),
        ("--body-timeout", "18446744073709551615"),
        ("--forward-timeout", "0"),
    ] {
        let o = run_bounded(
            &[
                "listen",
                "--headless",
                "--no-store",
                "--addr",
                "127.0.0.1:0",
                flag,
                value,
            ],
            10,
        );
        assert_input_error(&o, &format!("{flag} {value} is out of range"));
    }
    // Timestamps whose millisecond form overflowed silently.
    let o = hookscope(
        &[
            "sign",
            "-p",
            "hubspot",
            "--secret",
            "s",
            "--timestamp",
            "9223372036854775807",
            "--body",
            "x",
        ],
        &[],
    );
    assert_input_error(&o, "--timestamp 9223372036854775807 is out of range");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    // A negative number is a value, not a flag: it gets the range sentence.
    let o = hookscope(
        &[
            "sign",
            "-p",
            "zoom",
            "--secret",
            "s",
            "--timestamp",
            "-1",
            "--body",
            "x",
        ],
        &[],
    );
    assert_input_error(&o, "--timestamp -1 is out of range");
    let o = hookscope(
        &[
            "verify",
            "-p",
            "github",
            "--secret",
            GH_SECRET,
            "-H",
            GH_SIG,
            "--body",
            "Hello, World!",
            "--now",
            "-1",
        ],
        &[],
    );
    assert_input_error(&o, "--now -1 is out of range");
}

#[test]
fn cr_lf_never_becomes_a_header_line() {
    let o = hookscope(
        &[
            "sign",
            "-p",
            "svix",
            "--secret",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "--id",
            "msg_1\r\nX-Injected: 1",
            "--body",
            "{}",
        ],
        &[],
    );
    assert_input_error(&o, "--id must not contain CR, LF");
    assert!(!stdout(&o).contains("X-Injected"), "{}", stdout(&o));
    let o = hookscope(
        &[
            "verify",
            "-p",
            "github",
            "--secret",
            GH_SECRET,
            "-H",
            "X-Hub-Signature-256: sha256=00\r\nX-Injected: 1",
            "--body",
            "x",
        ],
        &[],
    );
    assert_input_error(&o, "CR, LF or another control character");
}

#[test]
fn config_mistakes_are_named_instead_of_accepted_silently() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    let c = cfg.to_str().unwrap();
    let providers = |text: &str| {
        std::fs::write(&cfg, text).unwrap();
        hookscope(&["providers", "--config", c], &[])
    };
    // A custom provider named like a built-in replaces it only on purpose.
    let custom = "[[custom_providers]]\nname = \"stripe\"\n{override}[[custom_providers.variant]]\n\
                  signature = { header = \"x-s\" }\nalgorithm = \"hmac-sha256\"\n";
    let o = providers(&custom.replace("{override}", ""));
    assert_input_error(
        &o,
        "custom_providers[0] (stripe): a built-in provider is named stripe",
    );
    assert!(stderr(&o).contains("override = true"), "{}", stderr(&o));
    let o = providers(&custom.replace("{override}", "override = true\n"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("stripe (custom)"), "{}", stdout(&o));
    // A negative tolerance would make every delivery stale.
    let o = providers("[providers.stripe]\ntolerance_secs = -5\n");
    assert_input_error(
        &o,
        "providers.stripe.tolerance_secs = -5: give 0 or more seconds",
    );
    // A header name with a space can never match.
    let o = providers(
        "[[custom_providers]]\nname = \"acme\"\n[[custom_providers.variant]]\n\
         signature = { header = \"x acme sig\" }\nalgorithm = \"hmac-sha256\"\n",
    );
    assert_input_error(
        &o,
        "variant[0].signature.header: \"x acme sig\" is not a header name",
    );
    // A typo in a provider name would silently drop its secret: warned, with the near name.
    std::fs::write(&cfg, "[providers.githb]\nsecrets = [\"s\"]\n").unwrap();
    let o = hookscope(
        &[
            "verify",
            "-p",
            "github",
            "--config",
            c,
            "--secret",
            GH_SECRET,
            "-H",
            GH_SIG,
            "--body",
            "Hello, World!",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("[providers.githb] names no known provider (did you mean github?)"),
        "{}",
        stderr(&o)
    );
    // An explicit --config that does not exist is an error for the listener too.
    let o = run_bounded(
        &[
            "listen",
            "--headless",
            "--no-store",
            "--addr",
            "127.0.0.1:0",
            "--config",
            "/nonexistent.toml",
        ],
        10,
    );
    assert_input_error(&o, "config file /nonexistent.toml does not exist");
}

#[test]
fn sign_send_does_not_follow_a_redirect_to_another_origin() {
    let (elsewhere, other) = one_shot(
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        std::time::Duration::from_secs(3),
    );
    let answer = format!(
        "HTTP/1.1 307 Temporary Redirect\r\nlocation: {elsewhere}/steal\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    let (url, first) = one_shot(answer, std::time::Duration::from_secs(10));
    let o = hookscope(
        &[
            "sign",
            "-p",
            "zoom",
            "--secret",
            "zs",
            "--body",
            "{}",
            "--send",
            &format!("{url}/hook"),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("HTTP 307 Temporary Redirect"), "{out}");
    assert!(
        out.contains(&format!("redirect to {elsewhere}/steal not followed")),
        "{out}"
    );
    assert!(first.join().unwrap().is_some());
    assert_eq!(
        other.join().unwrap(),
        None,
        "the signed request reached another origin"
    );
}

#[test]
fn no_listen_needs_a_terminal_and_refuses_what_it_cannot_attach_to() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = hookscope(&["--no-listen", "--data-dir", data.to_str().unwrap()], &[]);
    assert_input_error(
        &o,
        "--no-listen opens the dashboard, which needs a terminal",
    );
    assert!(!data.exists(), "nothing created");
    // It has no listener to put in the background.
    let o = hookscope(&["--no-listen", "--headless"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}

#[test]
fn no_store_wins_over_a_shared_store_in_the_environment() {
    use std::io::BufRead;
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(["--no-store", "--headless", "--addr", "127.0.0.1:0"])
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .env("HOOKSCOPE_STORE", "postgres://nobody@127.0.0.1:1/none")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let ready: serde_json::Value =
        serde_json::from_str(&ready).unwrap_or_else(|e| panic!("{e}: {ready:?} {}", stderr(&out)));
    assert!(
        ready["listen"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
}
