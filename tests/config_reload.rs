//! Headless mode reloads the config file when it changes on disk: `config_reloaded` and the new
//! secret applies to the next delivery; a broken file gives `config_error` (also on stderr) and
//! the previous secret stays in force.

mod listener;

use listener::{client, now, zoom_signature};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const WRONG: &str = "zoom-wrong-secret";
const RIGHT: &str = "zoom-right-secret-value";

fn next_line(rx: &mpsc::Receiver<String>) -> serde_json::Value {
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a JSON line within 10 s");
    assert!(
        !line.contains(RIGHT) && !line.contains(WRONG),
        "secret printed: {line}"
    );
    serde_json::from_str(&line).unwrap()
}

async fn post(listen: &str, secret: &str) {
    let body = br#"{"event":"meeting.started"}"#;
    let ts = now();
    let resp = client()
        .post(format!("{listen}/hooks/zoom"))
        .header("x-zm-request-timestamp", ts.to_string())
        .header("x-zm-signature", zoom_signature(secret, ts, body))
        .body(&body[..])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn headless_reloads_the_config_and_keeps_the_old_one_when_broken() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[providers.zoom]\nsecrets = [\"{WRONG}\"]\n"),
    )
    .unwrap();
    let mut child = listener::headless_command(&config, None)
        .env_remove("HOOKSCOPE_SECRET_ZOOM")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    let ready = next_line(&rx);
    let listen = ready["listen"].as_str().unwrap().to_string();

    post(&listen, RIGHT).await;
    assert_eq!(next_line(&rx)["verdict"], "failed");

    // The right secret, written in place (not renamed).
    std::fs::write(
        &config,
        format!("# fixed\n[providers.zoom]\nsecrets = [\"{RIGHT}\"]\n"),
    )
    .unwrap();
    let reloaded = next_line(&rx);
    assert_eq!(reloaded["type"], "config_reloaded", "{reloaded}");
    assert_eq!(reloaded["providers"], serde_json::json!(["zoom"]));
    // The stored failure is judged again with the new secret, in the background.
    let rejudged = next_line(&rx);
    assert_eq!(rejudged["type"], "reverified", "{rejudged}");
    assert_eq!(rejudged["count"], 1, "{rejudged}");
    post(&listen, RIGHT).await;
    let line = next_line(&rx);
    assert_eq!(line["verdict"], "verified", "{line}");

    // A broken file: reported, and the right secret stays in force.
    std::fs::write(&config, "[providers.zoom\nsecrets = [\n").unwrap();
    let err = next_line(&rx);
    assert_eq!(err["type"], "config_error", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.starts_with("config file "), "{message}");
    post(&listen, RIGHT).await;
    assert_eq!(next_line(&rx)["verdict"], "verified");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains(message), "stderr: {stderr}");
}
