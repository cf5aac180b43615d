//! Deliveries whose headers match several providers' schemes equally: how that is said, and
//! how the one configured secret that verifies such a delivery settles it.

use crate::verify::{SigStatus, Verification};

/// "a, b and c".
pub fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The hint for a delivery several providers' schemes match equally.
pub fn ambiguous_hint(names: &[String]) -> String {
    format!(
        "ambiguous: the headers match {} equally; pin a route ([[routes]] path = …, provider = …) or pass --provider",
        and_list(names)
    )
}

/// Of a delivery's verifications as each of the providers its headers match equally, the one
/// with a valid signature when exactly one has it, marked ambiguous with all the `names` and
/// saying why it was chosen; `None` when none or several verify.
pub fn settle(names: &[String], outcomes: Vec<Verification>) -> Option<Verification> {
    let mut valid: Vec<Verification> = outcomes
        .into_iter()
        .filter(|v| v.signature.status == SigStatus::Valid)
        .collect();
    if valid.len() != 1 {
        return None;
    }
    let mut v = valid.remove(0);
    let chosen = v.provider.clone().unwrap_or_default();
    v.hints.insert(
        0,
        format!(
            "the headers match {} equally; only {chosen}'s secret verifies it",
            and_list(names)
        ),
    );
    v.ambiguous = names.to_vec();
    Some(v)
}
