//! The detail pane: tab bar and the Overview, Headers, Body and Signature tabs.

use super::super::app::App;
use super::super::detail_pane::Detail;
use super::super::fmt;
use super::super::layout::Focus;
use super::super::layout::{Areas, Tab};
use super::super::theme::Theme;
use super::super::twin::Twin;
use super::pane;
use crate::ambiguity::and_list;
use crate::providers::scheme::Confidence;
use crate::verify::{SigStatus, TsStatus, Verdict};
use jiff::tz::TimeZone;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Label column width.
const LABEL: usize = 11;
/// Signed strings longer than this are shown as head … tail.
const SIGNED_MAX: usize = 600;
const SIGNED_HEAD: usize = 360;
const SIGNED_TAIL: usize = 120;
const HINT_BULLET: &str = "  • ";

/// The layout step for the detail pane: size the body views to the pane (they index rows
/// lazily) and clamp the scroll to what there is, so drawing only reads.
pub(super) fn layout(app: &mut App, a: &Areas) {
    let (w, h) = (a.content.width as usize, a.content.height as usize);
    if app.detail().is_none() {
        return;
    }
    let (tab, view) = (app.detail.tab, app.detail.body_view());
    let mut scroll = app.detail.scroll;
    if tab == Tab::Body {
        let d = app.detail.loaded_mut().expect("checked");
        super::body::layout(d, view, w, h, &mut scroll);
    } else {
        scroll = scroll.min(text_rows(app, w).len().saturating_sub(h));
    }
    app.detail.scroll = scroll;
}

/// The rows of a text tab (all but Body), wrapped at `w`.
fn text_rows(app: &App, w: usize) -> Vec<Line<'static>> {
    let Some(d) = app.detail() else {
        return Vec::new();
    };
    let t = &app.theme;
    let tz = &app.opts.time_zone;
    let tab = app.detail.tab;
    let twin = app.twin.of(d.delivery.id);
    let logical = match tab {
        Tab::Overview => overview(d, twin, t, tz),
        Tab::Headers => headers(d, t),
        Tab::Replay => super::replay::lines(app, &d.delivery),
        _ => signature(d, twin, t, tz, app.now_ms),
    };
    logical
        .into_iter()
        .flat_map(|l| {
            // Continuation rows align under the value: a header's name, a hint's bullet, a label.
            let indent = match (tab, l.spans.first()) {
                (Tab::Headers, _) => 4,
                (_, Some(s)) if s.content == HINT_BULLET => HINT_BULLET.chars().count(),
                _ => LABEL,
            };
            fmt::wrap(l, w, indent)
        })
        .collect()
}

/// Draw the detail pane (after [`layout`]).
pub(super) fn detail(app: &App, f: &mut Frame, r: ratatui::layout::Rect, a: &Areas) {
    let t = &app.theme;
    let title = match app.detail() {
        Some(d) => format!(
            " #{} {} {} ",
            d.delivery.id, d.delivery.method, d.delivery.path
        ),
        None => " detail ".to_string(),
    };
    let title = Line::from(Span::styled(fit_title(&title, r.width as usize), t.title));
    f.render_widget(pane(app, title, app.focus == Focus::Detail), r);

    let mut tabs = Vec::new();
    for tab in Tab::ALL {
        if !tabs.is_empty() {
            tabs.push(Span::raw(" "));
        }
        tabs.push(Span::styled(
            tab.label(),
            if tab == app.detail.tab {
                t.tab_active
            } else {
                t.tab
            },
        ));
    }
    f.render_widget(Paragraph::new(Line::from(tabs)), a.tabs);

    let area = a.content;
    let (w, h) = (area.width as usize, area.height as usize);
    let Some(d) = app.detail() else {
        let msg = match app.selected() {
            Some(id) => format!("loading delivery #{id}…"),
            None => "no delivery selected".to_string(),
        };
        f.render_widget(Paragraph::new(Span::styled(msg, t.muted)), area);
        return;
    };
    let scroll = app.detail.scroll;
    let lines = match app.detail.tab {
        Tab::Body => super::body::rows(d, app.detail.body_view(), t, h, scroll),
        _ => text_rows(app, w).into_iter().skip(scroll).take(h).collect(),
    };
    f.render_widget(Paragraph::new(lines), area);
}

fn fit_title(s: &str, w: usize) -> String {
    let max = w.saturating_sub(4);
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(2)).collect();
        out.push_str("… ");
        out
    }
}

fn kv(label: &str, t: &Theme, value: Vec<Span<'static>>) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{label:<LABEL$}"), t.header)];
    spans.extend(value);
    Line::from(spans)
}

fn warn_kv(label: &str, text: String, t: &Theme) -> Line<'static> {
    kv(label, t, vec![Span::styled(text, t.warn)])
}

fn ambiguous_text(v: &crate::verify::Verification) -> String {
    format!("the headers match {} equally", and_list(&v.ambiguous))
}

fn verdict_span(v: Verdict, t: &Theme) -> Span<'static> {
    match v {
        Verdict::Verified => Span::styled("✓ verified", t.ok),
        Verdict::Failed => Span::styled("✗ failed", t.bad),
        Verdict::Unverified => Span::styled("? unverified", t.warn),
    }
}

fn sig_style(s: SigStatus, t: &Theme) -> ratatui::style::Style {
    match s {
        SigStatus::Valid => t.ok,
        SigStatus::Invalid | SigStatus::Missing | SigStatus::Malformed => t.bad,
        SigStatus::NoSecret | SigStatus::Unverifiable => t.warn,
        SigStatus::NotApplicable => t.muted,
    }
}

fn ts_style(s: TsStatus, t: &Theme) -> ratatui::style::Style {
    match s {
        TsStatus::Fresh => t.ok,
        TsStatus::Stale | TsStatus::Future | TsStatus::Missing | TsStatus::Malformed => t.bad,
        TsStatus::NotApplicable => t.muted,
    }
}

/// The verification's hints, and the verified twin's (see `twin`) while the signature is invalid.
fn hints(d: &Detail, twin: Option<&Twin>, t: &Theme, out: &mut Vec<Line<'static>>) {
    let twin = twin.filter(|_| d.verification.signature.status == SigStatus::Invalid);
    if d.verification.hints.is_empty() && twin.is_none() {
        return;
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled("hints", t.header)));
    let twin = twin.map(Twin::hint);
    for h in d.verification.hints.iter().chain(twin.as_ref()) {
        out.push(Line::from(vec![
            Span::styled(HINT_BULLET, t.warn),
            Span::styled(h.clone(), t.text),
        ]));
    }
}

fn overview(d: &Detail, twin: Option<&Twin>, t: &Theme, tz: &TimeZone) -> Vec<Line<'static>> {
    let (dl, v) = (&d.delivery, &d.verification);
    let mut out = vec![kv("verdict", t, vec![verdict_span(v.verdict, t)])];
    let provider = match &v.provider {
        Some(p) => {
            let mut s = vec![Span::styled(p.clone(), t.accent)];
            if let Some(var) = &v.variant {
                s.push(Span::styled(format!(" ({var})"), t.text));
            }
            if let Some(by) = &v.detected_by {
                s.push(Span::styled(format!(" · by {by}"), t.muted));
            }
            s
        }
        None if !v.ambiguous.is_empty() => vec![Span::styled(
            format!("ambiguous: {}", v.ambiguous.join(" or ")),
            t.warn,
        )],
        None => vec![Span::styled("none recognised", t.muted)],
    };
    out.push(kv("provider", t, provider));
    out.push(kv(
        "signature",
        t,
        vec![
            Span::styled(
                v.signature.status.as_str(),
                sig_style(v.signature.status, t),
            ),
            Span::styled(
                v.signature
                    .scheme
                    .as_ref()
                    .map(|s| format!(" · {s}"))
                    .unwrap_or_default(),
                t.muted,
            ),
        ],
    ));
    let mut ts = vec![Span::styled(
        v.timestamp.status.as_str(),
        ts_style(v.timestamp.status, t),
    )];
    if let Some(skew) = v.timestamp.skew_secs {
        ts.push(Span::styled(
            format!(" · skew {} at arrival", fmt::skew(skew)),
            t.text,
        ));
    }
    if let Some(tol) = v.timestamp.tolerance_secs {
        ts.push(Span::styled(format!(" · tolerance {tol}s"), t.muted));
    }
    out.push(kv("timestamp", t, ts));
    out.push(Line::from(""));
    let mut recv = vec![Span::styled(fmt::datetime(dl.received_at_ms, tz), t.text)];
    if let Some(p) = &dl.peer {
        recv.push(Span::styled(format!(" from {p}"), t.muted));
    }
    out.push(kv("received", t, recv));
    out.push(kv(
        "request",
        t,
        vec![
            Span::styled(format!("{} ", dl.method), t.text),
            Span::styled(
                fmt::escaped_line(dl.path_and_query().as_bytes(), t.text, t.escape).to_string(),
                t.text,
            ),
        ],
    ));
    let ctype = dl
        .header("content-type")
        .map(|c| fmt::escaped_line(c, t.text, t.escape).to_string());
    out.push(kv(
        "body",
        t,
        vec![
            Span::styled(
                if dl.body_size < 1024 {
                    format!("{} bytes", dl.body_size)
                } else {
                    format!(
                        "{} ({} bytes)",
                        fmt::size(dl.body_size),
                        fmt::count(dl.body_size as usize)
                    )
                },
                t.text,
            ),
            Span::styled(
                ctype.map(|c| format!(" · {c}")).unwrap_or_default(),
                t.muted,
            ),
        ],
    ));
    if let Some(of) = dl.replay_of {
        out.push(kv(
            "replay of",
            t,
            vec![Span::styled(format!("#{of}"), t.accent)],
        ));
    }
    if let Some(why) = &dl.rejected {
        out.push(kv("rejected", t, vec![Span::styled(why.clone(), t.bad)]));
    }
    out.push(Line::from(""));
    match &dl.response {
        Some(resp) => {
            let who = match resp.source.as_str() {
                "app" => "the app answered",
                "hookscope" if resp.status == 0 => "hookscope closed the connection",
                "hookscope" => "hookscope answered",
                "challenge" => "hookscope answered the challenge",
                "error" if dl.replay_of.is_some() => "the replay reached no app",
                "error" => "forwarding failed",
                other => other,
            };
            let mut a = vec![
                Span::styled(
                    match resp.status {
                        0 => "no answer".to_string(),
                        n => n.to_string(),
                    },
                    if resp.status >= 400 || resp.status == 0 {
                        t.bad
                    } else {
                        t.ok
                    },
                ),
                Span::styled(format!(" · {who}"), t.text),
            ];
            if let Some(ms) = resp.latency_ms {
                a.push(Span::styled(format!(" in {ms} ms"), t.muted));
            }
            out.push(kv("answer", t, a));
            if let Some(rule) = &resp.rule {
                out.push(kv(
                    "rule",
                    t,
                    vec![
                        Span::styled(rule.clone(), t.accent),
                        Span::styled(" answered (response rules: a)", t.muted),
                    ],
                ));
            }
            if let Some(e) = &resp.error {
                out.push(kv("error", t, vec![Span::styled(e.clone(), t.bad)]));
            }
            for (n, val) in &resp.headers {
                out.push(Line::from(vec![
                    Span::raw(" ".repeat(LABEL)),
                    Span::styled(format!("{n}: "), t.muted),
                    Span::styled(val.clone(), t.text),
                ]));
            }
            for l in resp.body.lines().take(20) {
                out.push(Line::from(vec![
                    Span::raw(" ".repeat(LABEL)),
                    Span::styled(l.to_string(), t.text),
                ]));
            }
        }
        None => out.push(kv("answer", t, vec![Span::styled("none yet", t.muted)])),
    }
    hints(d, twin, t, &mut out);
    out
}

fn headers(d: &Detail, t: &Theme) -> Vec<Line<'static>> {
    let used = &d.verification.used_headers;
    let mut out = Vec::new();
    for (name, value) in &d.delivery.headers {
        let is_used = used.iter().any(|u| u.eq_ignore_ascii_case(name));
        let mut spans = vec![
            Span::styled(if is_used { "● " } else { "  " }, t.highlight),
            Span::styled(
                format!("{name}: "),
                if is_used { t.highlight } else { t.header },
            ),
        ];
        spans.extend(fmt::escaped_line(value, t.text, t.escape).spans);
        out.push(Line::from(spans));
    }
    if out.is_empty() {
        out.push(Line::from(Span::styled("no headers", t.muted)));
    }
    out.push(Line::from(""));
    let foot = match (&d.verification.provider, used.is_empty()) {
        (Some(p), false) => format!(
            "● read by the {p} scheme · {} headers in arrival order",
            d.delivery.headers.len()
        ),
        _ => format!("{} headers in arrival order", d.delivery.headers.len()),
    };
    out.push(Line::from(Span::styled(foot, t.muted)));
    out
}

fn signature(
    d: &Detail,
    twin: Option<&Twin>,
    t: &Theme,
    tz: &TimeZone,
    now_ms: i64,
) -> Vec<Line<'static>> {
    let v = &d.verification;
    let s = &v.signature;
    let Some(provider) = &v.provider else {
        if !v.ambiguous.is_empty() {
            let text = format!("ambiguous: {}", ambiguous_text(v));
            let mut out = vec![warn_kv("scheme", text, t)];
            if let Some(by) = &v.detected_by {
                out.push(kv("matched", t, vec![Span::styled(by.clone(), t.muted)]));
            }
            hints(d, twin, t, &mut out);
            return out;
        }
        return vec![
            kv(
                "scheme",
                t,
                vec![Span::styled(
                    "no provider recognised this delivery",
                    t.muted,
                )],
            ),
            Line::from(""),
            Line::from(Span::styled(
                "add a route in the config ([[routes]] path = …, provider = …) or a custom provider",
                t.muted,
            )),
        ];
    };
    let mut scheme = vec![Span::styled(provider.clone(), t.accent)];
    if let Some(x) = &s.scheme {
        scheme.push(Span::styled(format!(" · {x}"), t.text));
    }
    if let Some(var) = &v.variant {
        scheme.push(Span::styled(format!(" · variant {var}"), t.muted));
    }
    let mut out = vec![kv("scheme", t, scheme)];
    if v.confidence == Some(Confidence::Community) {
        let text =
            "community: confirmed against third-party material only, not the provider's own docs";
        out.push(warn_kv("confidence", text.to_string(), t));
    }
    if !v.ambiguous.is_empty() {
        let text = format!("{}; {provider}'s secret verified it", ambiguous_text(v));
        out.push(warn_kv("ambiguous", text, t));
    }
    out.push(kv(
        "status",
        t,
        vec![Span::styled(s.status.as_str(), sig_style(s.status, t))],
    ));
    let valid = s.status == SigStatus::Valid;
    out.push(kv(
        "received",
        t,
        vec![match &s.received {
            Some(r) => Span::styled(r.clone(), if valid { t.ok } else { t.bad }),
            None => Span::styled("(none)", t.bad),
        }],
    ));
    out.push(kv(
        "computed",
        t,
        vec![match &s.computed {
            Some(c) => Span::styled(c.clone(), if valid { t.ok } else { t.accent }),
            None => Span::styled("(no secret to compute with)", t.muted),
        }],
    ));
    let secret = match (&s.secret_fingerprint, s.secret_index, s.status) {
        (Some(fp), Some(i), _) => vec![Span::styled(
            format!("{provider} #{i} matched (fp {fp})"),
            t.ok,
        )],
        (Some(fp), None, _) => vec![Span::styled(
            format!("none matched; computed with fp {fp}"),
            t.bad,
        )],
        (None, _, SigStatus::NoSecret) => vec![Span::styled(
            format!("none configured for {provider}"),
            t.warn,
        )],
        (None, _, _) => vec![Span::styled("-", t.muted)],
    };
    out.push(kv("secret", t, secret));
    let signed = match &v.signed_preview {
        Some(p) => elided(p, t),
        None => vec![Span::styled("(not built)", t.muted)],
    };
    out.push(kv("signed", t, signed));
    out.push(Line::from(""));

    let ts = &v.timestamp;
    match ts.value {
        Some(value) => {
            out.push(kv(
                "timestamp",
                t,
                vec![
                    Span::styled(value.to_string(), t.text),
                    Span::styled(format!(" ({})", fmt::datetime(value * 1000, tz)), t.muted),
                    Span::styled(format!(" · {}", ts.status.as_str()), ts_style(ts.status, t)),
                ],
            ));
            let mut sk = Vec::new();
            if let Some(skew) = ts.skew_secs {
                sk.push(Span::styled(
                    format!("{} at arrival", fmt::skew(skew)),
                    t.text,
                ));
            }
            if let Some(tol) = ts.tolerance_secs {
                sk.push(Span::styled(format!(" · tolerance ±{tol}s"), t.muted));
            }
            out.push(kv("skew", t, sk));
            if let Some(tol) = ts.tolerance_secs {
                let left = value + tol - now_ms.div_euclid(1000);
                out.push(kv(
                    "replay",
                    t,
                    vec![if left > 0 {
                        Span::styled(
                            format!(
                                "a replay with this timestamp is accepted for {} more",
                                fmt::duration(left)
                            ),
                            t.ok,
                        )
                    } else {
                        Span::styled(
                            format!(
                                "a replay with this timestamp is stale (for {} now): re-sign it",
                                fmt::duration(left)
                            ),
                            t.warn,
                        )
                    }],
                ));
            }
        }
        None => {
            let text = match ts.status {
                TsStatus::NotApplicable => {
                    "this scheme signs no timestamp: replays never go stale".to_string()
                }
                other => other.as_str().to_string(),
            };
            out.push(kv(
                "timestamp",
                t,
                vec![Span::styled(text, ts_style(ts.status, t))],
            ));
        }
    }
    hints(d, twin, t, &mut out);
    out
}

/// The signed message with the middle of a long one cut out, visibly.
fn elided(p: &[u8], t: &Theme) -> Vec<Span<'static>> {
    if p.len() <= SIGNED_MAX {
        return fmt::escaped_line(p, t.text, t.escape).spans;
    }
    let mut head = SIGNED_HEAD;
    while head > 0 && (p[head] & 0xc0) == 0x80 {
        head -= 1;
    }
    let mut tail = p.len() - SIGNED_TAIL;
    while tail < p.len() && (p[tail] & 0xc0) == 0x80 {
        tail += 1;
    }
    let mut spans = fmt::escaped_line(&p[..head], t.text, t.escape).spans;
    spans.push(Span::styled(
        format!(" … {} bytes elided … ", fmt::count(tail - head)),
        t.warn,
    ));
    spans.extend(fmt::escaped_line(&p[tail..], t.text, t.escape).spans);
    spans
}
