//! The tunnel in the dashboard: its URL and state in the header bar, the HTTPS warning, and the
//! setup card overlay (`u`) for the selected delivery's provider.

mod common;

use common::*;
use crossterm::event::KeyCode;
use hookscope::tui::{Input, Overlay};
use hookscope::tunnel::{TunnelReport, TunnelState, TunnelStatus};

fn tunnel(
    state: TunnelState,
    url: Option<&str>,
    message: Option<&str>,
    warning: Option<&str>,
) -> Input {
    Input::Tunnel(TunnelReport {
        status: TunnelStatus {
            kind: "bore",
            state,
            public_url: url.map(str::to_string),
            message: message.map(str::to_string),
            retry_in_secs: (state == TunnelState::Down).then_some(4),
        },
        warning: warning.map(str::to_string),
    })
}

fn header(h: &mut Harness) -> String {
    h.screen().lines().next().unwrap().to_string()
}

#[test]
fn the_header_bar_shows_the_tunnel_url_and_state() {
    let mut h = Harness::standard(220, 48);
    assert!(!header(&mut h).contains('⇄'));
    h.input(tunnel(TunnelState::Starting, None, None, None));
    assert!(
        header(&mut h).contains("⇄ public bore starting…"),
        "{}",
        header(&mut h)
    );
    let warning =
        "zoom accepts only https:// endpoints; bore gives http:// — use --tunnel cloudflared";
    h.input(tunnel(
        TunnelState::Up,
        Some("http://bore.pub:41234"),
        None,
        Some(warning),
    ));
    let line = header(&mut h);
    assert!(
        line.contains("⇄ public http://bore.pub:41234 ⚠ zoom accepts only https://"),
        "{line}"
    );
    h.input(tunnel(
        TunnelState::Down,
        None,
        Some("the bore server closed the connection"),
        None,
    ));
    let line = header(&mut h);
    assert!(
        line.contains("bore down (retry in 4s): the bore server closed the connection"),
        "{line}"
    );
    // Narrow: the compact form keeps the state.
    let mut narrow = Harness::standard(100, 30);
    narrow.input(tunnel(
        TunnelState::Up,
        Some("http://bore.pub:41234"),
        None,
        Some(warning),
    ));
    let line = header(&mut narrow);
    assert!(
        line.contains("⇄ http://bore.pub:41234 ⚠ needs https"),
        "{line}"
    );
}

#[test]
fn u_opens_the_setup_card_of_the_selected_provider() {
    let mut h = Harness::standard(160, 48);
    h.input(tunnel(
        TunnelState::Up,
        Some("http://bore.pub:41234"),
        None,
        None,
    ));
    h.select(2);
    h.ch('u');
    assert_eq!(h.app.overlay(), Some(Overlay::Setup));
    let s = h.screen();
    for want in [
        "Zoom — setting up a webhook endpoint for hookscope",
        "http://bore.pub:41234/hooks/zoom",
        "⚠ zoom accepts only https:// endpoints; bore gives http://",
        "endpoint.url_validation",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay(), None);
}
