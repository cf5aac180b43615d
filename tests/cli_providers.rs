//! `hookscope providers` (list, JSON, search by name/alias/title and by header), aliases on the
//! command line and in the config, and what `verify` says about community schemes and tokens.

use std::process::{Command, Output, Stdio};

/// Run hookscope with an empty config home (the user's own config never leaks in).
fn hookscope(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args(args)
        .env("XDG_CONFIG_HOME", home.path())
        .env("HOME", home.path())
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(args: &[&str]) -> Vec<serde_json::Value> {
    let o = hookscope(args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_str::<serde_json::Value>(&stdout(&o))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn names(list: &[serde_json::Value]) -> Vec<&str> {
    list.iter().map(|p| p["name"].as_str().unwrap()).collect()
}

/// The Standard Webhooks specification's own example (also Svix's docs example).
const SVIX_HEADERS: [&str; 3] = [
    "svix-id: msg_p5jXN8AQM9LWM0D4loKWxJek",
    "svix-timestamp: 1614265330",
    "svix-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
];
const SVIX_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SVIX_BODY: &str = "{\"test\": 2432232314}";

#[test]
fn json_lists_source_confidence_aliases_and_each_variants_scheme() {
    let list = json(&["providers", "--json"]);
    assert!(list.len() >= 30, "{}", list.len());
    for p in &list {
        let name = p["name"].as_str().unwrap();
        assert!(
            p["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: no source"
        );
        assert!(
            matches!(p["confidence"].as_str(), Some("official" | "community")),
            "{name}: {}",
            p["confidence"]
        );
        assert!(p["aliases"].is_array(), "{name}");
        for v in p["variants"].as_array().unwrap() {
            assert!(v["algorithm"].is_string(), "{name}");
            assert!(v["key"].is_array(), "{name}");
            assert!(v.get("timestamp").is_some(), "{name}");
            assert!(v.get("encoding").is_some() && v.get("message").is_some());
        }
    }
    let svix = list.iter().find(|p| p["name"] == "svix").unwrap();
    assert_eq!(
        svix["aliases"],
        serde_json::json!(["clerk", "resend", "stytch"])
    );
    let stripe = list.iter().find(|p| p["name"] == "stripe").unwrap();
    let v = &stripe["variants"][0];
    assert_eq!(v["header"], "stripe-signature");
    assert_eq!(v["encoding"], "hex");
    assert_eq!(v["message"], "{timestamp}.{body}");
    assert_eq!(v["timestamp"]["tolerance_secs"], 300);
    assert_eq!(v["timestamp"]["reject_future"], false);
}

#[test]
fn search_by_name_alias_or_title_and_by_header() {
    assert_eq!(names(&json(&["providers", "--json", "stripe"])), ["stripe"]);
    assert_eq!(names(&json(&["providers", "--json", "Clerk"])), ["svix"]);
    assert_eq!(
        names(&json(&["providers", "--json", "eventsub"])),
        ["twitch"],
        "title search"
    );
    let hub = json(&["providers", "--json", "--header", "X-Hub-Signature"]);
    for want in ["bitbucket", "github", "intercom"] {
        assert!(names(&hub).contains(&want), "{want}: {:?}", names(&hub));
    }
    assert!(!names(&hub).contains(&"stripe"), "{:?}", names(&hub));
    let sig = json(&["providers", "--json", "--header", "webhook-signature"]);
    for want in ["gitlab", "standard-webhooks", "svix"] {
        assert!(names(&sig).contains(&want), "{want}: {:?}", names(&sig));
    }
    // Both filters at once.
    assert_eq!(
        names(&json(&[
            "providers",
            "--json",
            "git",
            "--header",
            "x-hub-signature"
        ])),
        ["github"]
    );
    let human = hookscope(&["providers", "resend"]);
    let text = stdout(&human);
    assert!(
        text.starts_with("svix — Svix · aliases clerk, resend, stytch"),
        "{text}"
    );
    assert!(
        text.contains("source (official): https://docs.svix.com/"),
        "{text}"
    );
}

#[test]
fn a_search_that_matches_nothing_says_so_with_exit_1() {
    let o = hookscope(&["providers", "no-such-provider"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("no provider matches \"no-such-provider\""),
        "{}",
        stderr(&o)
    );
    let o = hookscope(&["providers", "--json", "--header", "x-nothing"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).trim(), "[]");
}

#[test]
fn an_alias_works_as_provider_and_in_the_config() {
    let mut args = vec!["verify", "--provider", "clerk", "--secret", SVIX_SECRET];
    for h in &SVIX_HEADERS {
        args.extend(["-H", h]);
    }
    args.extend(["--body", SVIX_BODY, "--now", "1614265330"]);
    let o = hookscope(&args);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with("VERIFIED  svix"), "{}", stdout(&o));

    // The secret under [providers.resend] is svix's secret.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!("[providers.resend]\nsecrets = [\"{SVIX_SECRET}\"]\n"),
    )
    .unwrap();
    let mut args = vec!["verify", "--config", cfg.to_str().unwrap()];
    for h in &SVIX_HEADERS {
        args.extend(["-H", h]);
    }
    args.extend(["--body", SVIX_BODY, "--now", "1614265330", "--json"]);
    let o = hookscope(&args);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["provider"], "svix");
    assert_eq!(v["confidence"], "official");

    // HOOKSCOPE_SECRET_<ALIAS> too, and `sign` takes the alias.
    let o = Command::new(env!("CARGO_BIN_EXE_hookscope"))
        .args([
            "sign",
            "-p",
            "openai",
            "--body",
            "{}",
            "--timestamp",
            "1614265330",
            "--id",
            "msg_1",
        ])
        .env("XDG_CONFIG_HOME", dir.path())
        .env("HOOKSCOPE_SECRET_OPENAI", SVIX_SECRET)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("webhook-signature: v1,"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn verify_says_when_a_scheme_is_community_confirmed() {
    // Intercom's scheme is confirmed by third-party material only.
    let body = "{\"type\":\"notification_event\"}";
    let sig = "sha1=b9e1a8d9c4c7a3d9e3c1d3e1f8a1b2c3d4e5f607";
    let o = hookscope(&[
        "verify",
        "--secret",
        "intercom-secret",
        "-H",
        &format!("X-Hub-Signature: {sig}"),
        "--body",
        body,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("FAILED  intercom"), "{text}");
    assert!(text.contains("  scheme     community: confirmed against third-party material only"));
    let o = hookscope(&[
        "verify",
        "--json",
        "--secret",
        "intercom-secret",
        "-H",
        &format!("X-Hub-Signature: {sig}"),
        "--body",
        body,
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["confidence"], "community");
}

#[test]
fn zoom_verification_token_verifies_and_is_never_printed() {
    let token = "Wk9PTV9BVVRIT1JJWkFUSU9O";
    for (secret, code) in [(token, 0), ("wrong-token", 1)] {
        for json in [false, true] {
            let mut args = vec![
                "verify",
                "--secret",
                secret,
                "-H",
                "User-Agent: Zoom Marketplace/1.0a",
                "-H",
                "Authorization: Wk9PTV9BVVRIT1JJWkFUSU9O",
                "--body",
                "{\"event\":\"meeting.started\"}",
            ];
            if json {
                args.push("--json");
            }
            let o = hookscope(&args);
            assert_eq!(o.status.code(), Some(code), "{}{}", stdout(&o), stderr(&o));
            let all = format!("{}{}", stdout(&o), stderr(&o));
            assert!(all.contains("zoom"), "{all}");
            assert!(all.contains("verification-token"), "{all}");
            assert!(!all.contains(token), "token in clear: {all}");
        }
    }
}

#[test]
fn verify_reports_ambiguous_headers_and_settles_them_only_by_a_verifying_secret() {
    let body = "{\"ping\":1}";
    let mac = hookscope::crypto::compute(
        hookscope::providers::scheme::Algorithm::HmacSha1,
        b"s3cret",
        body.as_bytes(),
    )
    .unwrap();
    let header = format!("X-Hub-Signature: sha1={}", hex::encode(mac));
    let twin = "[[custom_providers]]\nname = \"acme\"\n[[custom_providers.variant]]\n\
                detect = { header = \"x-hub-signature\", prefix = \"sha1=\" }\n\
                signature = { header = \"x-hub-signature\", prefix = \"sha1=\", encoding = \"hex\" }\n\
                algorithm = \"hmac-sha1\"\n";
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    let c = cfg.to_str().unwrap();

    // Same secret for both: the request alone cannot tell them apart.
    std::fs::write(&cfg, twin).unwrap();
    let o = hookscope(&[
        "verify", "--config", c, "-s", "s3cret", "-H", &header, "--body", body,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("ambiguous: the headers match intercom and acme equally; pin a route"),
        "{}",
        stderr(&o)
    );

    // Each its own secret: the one that verifies decides, and the report says so.
    std::fs::write(
        &cfg,
        format!("{twin}[providers.acme]\nsecrets = [\"s3cret\"]\n[providers.intercom]\nsecrets = [\"other\"]\n"),
    )
    .unwrap();
    let o = hookscope(&["verify", "--config", c, "-H", &header, "--body", body]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("VERIFIED  acme"), "{text}");
    assert!(
        text.contains("ambiguous  the headers match intercom and acme equally"),
        "{text}"
    );
    assert!(text.contains("only acme's secret verifies it"), "{text}");
}

#[test]
fn the_vocabulary_words_show_in_the_listing_and_the_header_search() {
    let list = json(&["providers", "--json"]);
    assert!(list.len() >= 100, "{} providers", list.len());
    let get = |name: &str| list.iter().find(|p| p["name"] == name).unwrap().clone();
    assert_eq!(
        get("meta")["aliases"],
        serde_json::json!(["facebook", "instagram", "whatsapp", "messenger"])
    );
    let bt = &get("braintree")["variants"][0];
    assert_eq!(bt["form_field"], "bt_signature");
    assert_eq!(bt["key"], serde_json::json!(["sha1-digest"]));
    assert_eq!(
        bt["alt_messages"],
        serde_json::json!(["{form:bt_payload}\n"])
    );
    let netlify = &get("netlify")["variants"][0];
    assert_eq!(netlify["syntax"], "jws");
    assert_eq!(netlify["body_hash_claim"], "sha256");
    assert!(
        netlify["message"].is_null(),
        "a JWS signs its own header.payload"
    );
    let docusign = &get("docusign")["variants"][0];
    assert_eq!(
        docusign["extra_headers"],
        serde_json::json!(["x-docusign-signature-*"])
    );
    // A header a wildcard stands for finds its provider.
    assert_eq!(
        names(&json(&[
            "providers",
            "--json",
            "--header",
            "X-DocuSign-Signature-2"
        ])),
        ["docusign"]
    );
    // So do the headers a signed-headers list names.
    assert!(
        names(&json(&[
            "providers",
            "--json",
            "--header",
            "x-contentful-signed-headers"
        ]))
        .contains(&"contentful")
    );
    let text = stdout(&hookscope(&["providers", "zendesk"]));
    assert!(
        text.contains("\" or \""),
        "both message orders are listed: {text}"
    );
}

#[test]
fn the_readme_states_the_number_of_built_in_providers() {
    let readme = include_str!("../README.md");
    let line = readme
        .lines()
        .find(|l| l.contains("providers are built in as data"))
        .expect("the README's provider count line");
    let stated: usize = line.split_whitespace().next().unwrap().parse().unwrap();
    let listed = json(&["providers", "--json"]).len();
    assert_eq!(
        stated, listed,
        "README says {stated}, the listing has {listed}"
    );
}
