//! The ranges numbers from the command line and the config must fall in, each with the one
//! sentence that says so. Checked where the value is read, so arithmetic on it cannot overflow
//! later (a timeout added to the clock, a timestamp turned into milliseconds, a shift added to
//! now).

/// Latest accepted unix timestamp, in seconds: 9999-12-31T23:59:59Z.
pub const MAX_UNIX_SECS: i64 = 253_402_300_799;

/// Longest accepted timeout, in seconds (one day).
pub const MAX_TIMEOUT_SECS: u64 = 86_400;

/// A timeout flag: 1 second to one day.
pub fn timeout_secs(flag: &str, secs: u64) -> Result<std::time::Duration, String> {
    if (1..=MAX_TIMEOUT_SECS).contains(&secs) {
        Ok(std::time::Duration::from_secs(secs))
    } else {
        Err(format!(
            "{flag} {secs} is out of range: give 1 to {MAX_TIMEOUT_SECS} seconds (one day)"
        ))
    }
}

/// A unix timestamp in seconds between 1970 and the end of year 9999.
pub fn unix_secs(what: &str, secs: i64) -> Result<i64, String> {
    if (0..=MAX_UNIX_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!(
            "{what} {secs} is out of range: give unix seconds from 0 (1970) to {MAX_UNIX_SECS} \
             (9999-12-31)"
        ))
    }
}

/// `now + shift`, which must stay a timestamp [`unix_secs`] accepts.
pub fn shifted(now: i64, shift: i64) -> Result<i64, String> {
    now.checked_add(shift)
        .filter(|t| (0..=MAX_UNIX_SECS).contains(t))
        .ok_or_else(|| {
            format!(
                "--shift {shift} is out of range: the shifted timestamp must stay between 1970 \
                 and 9999-12-31 (|shift| well under {MAX_UNIX_SECS} seconds)"
            )
        })
}

/// Whether a value that becomes an HTTP header holds a byte a header cannot carry (CR, LF or
/// another control character; tab is allowed).
pub fn has_control_bytes(value: &[u8]) -> bool {
    value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(timeout_secs("--body-timeout", 0).is_err());
        assert!(timeout_secs("--body-timeout", u64::MAX).is_err());
        assert_eq!(timeout_secs("x", 60).unwrap().as_secs(), 60);
        assert!(unix_secs("--now", -1).is_err());
        assert!(unix_secs("--timestamp", i64::MAX).is_err());
        assert_eq!(unix_secs("--now", 0), Ok(0));
        assert!(shifted(1_700_000_000, i64::MAX).is_err());
        assert!(shifted(1_700_000_000, i64::MIN).is_err());
        assert_eq!(shifted(1_700_000_000, -600), Ok(1_699_999_400));
        assert!(has_control_bytes(b"a\r\nb") && !has_control_bytes(b"a\tb"));
    }
}
