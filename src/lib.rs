//! hookscope: a terminal webhook inspector.
//!
//! Crate map — which module owns what:
//! - [`delivery`]: the captured request type (`Delivery`), kept byte for byte.
//! - [`secret`]: the `Secret` type (masked everywhere, fingerprinted).
//! - [`secret_lint`]: checks for pasted secrets (whitespace, wrong credential, bad encoding).
//! - [`providers`]: the scheme vocabulary, the built-in provider files, detection.
//! - [`crypto`]: MACs, hashes, public-key checks, encodings, constant-time comparison.
//! - [`verify`]: the pure `verify()` function and the `Verification` result.
//! - [`diagnose`]: why a signature did not verify (crate-private, used by `verify`).
//! - [`sign`]: the inverse of `verify` for symmetric schemes.
//! - [`event`]: the events of the capture flow (`Captured`, `Event`).
//! - [`checker`]: registry + the user's secrets/routes/settings: delivery → verification.
//! - [`config`]: the config file and environment secrets.
//! - [`config_edit`]: comment-preserving edits of the config text (secrets).
//! - [`replay`]: resend a delivery as captured or re-signed, and say whose fault a rejection is.
//! - [`export`]: curl / HAR 1.2 / JSON-lines export and import parsing.
//! - [`tui`]: the live dashboard (App state without I/O, views, keys, themes, event loop).
//! - [`cli`] and [`commands`]: the command line.

pub mod checker;
pub mod cli;
pub mod commands;
pub mod config;
pub mod config_edit;
pub mod crypto;
pub mod delivery;
mod diagnose;
pub mod event;
pub mod export;
pub mod providers;
pub mod replay;
pub mod secret;
pub mod secret_lint;
pub mod sign;
pub mod tui;
pub mod verify;
