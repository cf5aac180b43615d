//! Per-provider figures for the skew panel and the secrets pane: stored rows by verdict (the
//! store's counts, never counted here) and live timestamp samples of deliveries captured while
//! the dashboard runs.

use crate::listing::Counts;
use crate::verify::{TsStatus, Verification};
use std::collections::{BTreeMap, VecDeque};

/// Skew samples kept per provider for the sparkline.
pub const SKEW_SAMPLES: usize = 24;

/// One provider's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderStats {
    pub verified: usize,
    pub failed: usize,
    pub unverified: usize,
    /// Recent timestamp skews (seconds, at arrival) of deliveries captured while the dashboard runs.
    pub skews: VecDeque<i64>,
    /// The tolerance of the latest sample.
    pub tolerance: Option<i64>,
    /// A live delivery showed that this provider's scheme signs no timestamp.
    pub no_timestamp: bool,
}

/// Figures per provider name.
pub type Stats = BTreeMap<String, ProviderStats>;

/// A delivery just captured: its timestamp sample.
pub fn sample(stats: &mut Stats, v: &Verification) {
    let Some(p) = &v.provider else { return };
    let st = stats.entry(p.clone()).or_default();
    st.no_timestamp = v.timestamp.status == TsStatus::NotApplicable;
    if let Some(skew) = v.timestamp.skew_secs {
        st.skews.push_back(skew);
        if st.skews.len() > SKEW_SAMPLES {
            st.skews.pop_front();
        }
        st.tolerance = v.timestamp.tolerance_secs;
    }
}

/// The store's counts per provider replace the previous ones.
pub fn set_counts(stats: &mut Stats, counts: &Counts) {
    for st in stats.values_mut() {
        (st.verified, st.failed, st.unverified) = (0, 0, 0);
    }
    for (p, c) in &counts.by_provider {
        let st = stats.entry(p.clone()).or_default();
        (st.verified, st.failed, st.unverified) = (
            c.verified as usize,
            c.failed as usize,
            c.unverified as usize,
        );
    }
}
