//! hookscope: a terminal webhook inspector.
//!
//! Crate map — which module owns what:
//! - [`delivery`]: the captured request type (`Delivery`), kept byte for byte.
//! - [`secret`]: the `Secret` type (masked everywhere, fingerprinted).
//! - [`secret_lint`]: checks for pasted secrets (whitespace, wrong credential, bad encoding).
//! - [`providers`]: the scheme vocabulary, the built-in provider files, detection.
//! - [`bounds`]: the ranges of durations and timestamps from the command line and config.
//! - [`crypto`]: MACs, hashes, public-key checks, encodings, constant-time comparison.
//! - [`verify`]: the pure `verify()` function and the `Verification` result.
//! - [`sig_field`]: reading a request's signature field (crate-private, used by `verify`).
//! - [`jws`]: compact JWS tokens as signature fields (claims, signing input).
//! - [`diagnose`]: why a signature did not verify (crate-private, used by `verify`).
//! - [`sign`]: the inverse of `verify` for symmetric schemes.
//! - [`event`]: the events of the capture flow (`Captured`, `Event`).
//! - [`checker`]: registry + the user's secrets/routes/settings: delivery → verification.
//! - [`ambiguity`]: deliveries several providers' schemes match equally (reported, or settled by
//!   the one verifying secret).
//! - [`config`]: the config file and environment secrets.
//! - [`config_error`]: config parse errors that name line and key but never quote a secret.
//! - [`config_edit`]: comment-preserving edits of the config text (secrets).
//! - [`config_watch`]: headless reload of the config file when it changes on disk.
//! - [`private_fs`]: files (0600) and directories (0700) only the user can read.
//! - [`replay`]: resend a delivery as captured or re-signed, and say whose fault a rejection is.
//! - [`record`]: the delivery record of headless lines, JSON-lines exports and imports.
//! - [`export`]: curl / HAR 1.2 / JSON-lines export and import parsing.
//! - [`har`]: HAR 1.2 as typed structs.
//! - [`tui`]: the live dashboard (App state without I/O, views, keys, themes, event loop).
//! - [`config_write`]: atomic 0600 writes of the config file.
//! - [`respond`]: response rules (`[[responses]]`, `--respond`): status, headers, body, delay, drop.
//! - [`diff`]: what differs between two deliveries (headers, body, signed strings, timestamps).
//! - [`capture`]: the listener (axum): body limits, handshakes, forwarding, → store → events.
//! - [`headless`]: the JSON-lines front end.
//! - [`listing`]: the dashboard's list as the store answers it (windows, counts).
//! - [`reverify`]: judging stored deliveries again when secrets or settings change.
//! - [`store`]: the SQLite capture store (the only owner of the database file).
//! - [`outbound`]: forwarded and replayed requests sent exactly as recorded (header case, order).
//! - [`http_text`]: HTTP client builder, hop-by-hop headers, one-line errors (forward, replay, send).
//! - [`setup`]: the setup card per provider and the HTTPS check against a tunnel.
//! - [`signals`]: SIGTERM/SIGINT, the end of a run (headless and dashboard).
//! - [`tunnel`]: `--tunnel`: bore, ssh, cloudflared, ngrok or a command for a public URL.
//! - [`cli`] and [`commands`]: the command line; [`conventions`]: `--color`, `--quiet`, `-v`.

pub mod ambiguity;
pub mod bounds;
pub mod capture;
pub mod checker;
pub mod cli;
pub mod commands;
pub mod config;
pub mod config_edit;
pub mod config_error;
pub mod config_watch;
pub mod config_write;
pub mod conventions;
pub mod crypto;
pub mod delivery;
mod diagnose;
pub mod diff;
pub mod event;
pub mod export;
pub mod har;
pub mod headless;
pub mod http_text;
pub mod jws;
pub mod listing;
pub mod outbound;
pub mod private_fs;
pub mod providers;
pub mod record;
pub mod replay;
pub mod respond;
pub mod reverify;
pub mod secret;
pub mod secret_lint;
pub mod setup;
mod sig_field;
pub mod sign;
pub mod signals;
pub mod store;
pub mod tui;
pub mod tunnel;
pub mod verify;
