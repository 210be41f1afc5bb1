//! Notifications on every backend: intents written with the change that causes them,
//! delivery with retry/backoff and recorded attempts, the built-in webhook notifier against
//! a local HTTP server (HMAC-SHA256 signature).

mod common;

use common::*;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{
    DeskConfig, ErrorKind, NewTicketInput, Notification, NotificationRoute, Notifier,
    WebhookNotifier,
};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A notifier that fails its first `fail` calls, then succeeds, remembering every call.
#[derive(Debug, Clone, Default)]
struct Flaky {
    fail: usize,
    calls: Arc<Mutex<Vec<Notification>>>,
}

#[async_trait::async_trait]
impl Notifier for Flaky {
    async fn deliver(&self, n: &Notification) -> Result<(), String> {
        let mut calls = self.calls.lock().unwrap();
        calls.push(n.clone());
        if calls.len() <= self.fail {
            Err(format!("smtp timeout #{}", calls.len()))
        } else {
            Ok(())
        }
    }
}

fn route_email() -> NotificationRoute {
    NotificationRoute::new(["ticket.commented"], "email", "noc@example.com")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_notifier_is_retried_with_attempts_recorded() {
    let flaky = Flaky {
        fail: 2,
        ..Default::default()
    };
    let calls = flaky.calls.clone();
    each_with(
        move |c: DeskConfig| {
            let mut c = c
                .with_notification_route(route_email())
                .unwrap()
                .with_notifier("email", flaky.clone());
            c.notifications.retry_base = chrono::Duration::seconds(30);
            c
        },
        |td| {
            let calls = calls.clone();
            async move {
                calls.lock().unwrap().clear();
                let agent = engineer("acme", "eng-1");
                let t = td
                    .create_ticket(&agent, NewTicketInput::new("Outage"))
                    .await
                    .unwrap();
                // Not routed: no intent.
                assert_eq!(td.count("notification_log").await, 0);
                td.add_comment(&agent, t.id, "crew dispatched", Visibility::Public)
                    .await
                    .unwrap();
                // Internal comments are not routed to this (non-internal) route.
                td.add_comment(&agent, t.id, "internal", Visibility::Internal)
                    .await
                    .unwrap();
                assert_eq!(td.count("notification_log").await, 1, "{}", td.name);
                let r1 = td.deliver_notifications().await.unwrap();
                assert_eq!((r1.claimed, r1.sent, r1.retrying), (1, 0, 1), "{}", td.name);
                let admin = admin("acme");
                let n = &td.list_notifications(&admin, Some(t.id), 10).await.unwrap()[0];
                assert_eq!(n.status, "failed");
                assert_eq!(n.attempts, 1);
                assert_eq!(n.last_error.as_deref(), Some("smtp timeout #1"));
                assert_eq!(n.next_attempt_at, t0() + chrono::Duration::seconds(30));
                assert_eq!(n.template, "ticket.commented");
                assert_eq!(n.payload["payload"]["body"], "crew dispatched");
                // Not due yet: nothing happens.
                let r = td.deliver_notifications().await.unwrap();
                assert_eq!(r.claimed, 0);
                td.advance(chrono::Duration::seconds(30));
                let r2 = td.deliver_notifications().await.unwrap();
                assert_eq!(r2.retrying, 1);
                let n = &td.list_notifications(&admin, None, 10).await.unwrap()[0];
                assert_eq!(n.attempts, 2);
                assert_eq!(n.last_error.as_deref(), Some("smtp timeout #2"));
                // Backoff doubled.
                assert_eq!(
                    n.next_attempt_at,
                    t0() + chrono::Duration::seconds(30 + 60),
                    "{}",
                    td.name
                );
                td.advance(chrono::Duration::seconds(60));
                let r3 = td.deliver_notifications().await.unwrap();
                assert_eq!(r3.sent, 1);
                let n = &td.list_notifications(&admin, None, 10).await.unwrap()[0];
                assert_eq!(n.status, "sent");
                assert_eq!(n.attempts, 3);
                assert!(n.sent_at.is_some());
                assert_eq!(n.last_error, None);
                let seen = calls.lock().unwrap().clone();
                assert_eq!(seen.len(), 3);
                assert_eq!(
                    seen.iter().map(|c| c.attempt).collect::<Vec<_>>(),
                    vec![1, 2, 3]
                );
                assert!(seen.iter().all(|c| c.id == n.id));
                // Sent notifications are not delivered again.
                td.advance(chrono::Duration::hours(2));
                assert_eq!(td.deliver_notifications().await.unwrap().claimed, 0);
                // Only admins read the log.
                let err = td.list_notifications(&agent, None, 10).await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::PermissionDenied);
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gives_up_after_max_attempts_and_without_a_notifier() {
    each_with(
        |c: DeskConfig| {
            let mut c = c
                .with_notification_route(NotificationRoute::new(
                    ["ticket.commented", "ticket.first_response"],
                    "sms",
                    "+27000",
                ))
                .unwrap();
            c.notifications.max_attempts = 2;
            c
        },
        |td| async move {
            let agent = engineer("acme", "eng-1");
            let t = td
                .create_ticket(&end_user("acme", "cust-1"), NewTicketInput::new("x"))
                .await
                .unwrap();
            td.add_comment(&agent, t.id, "hello", Visibility::Public)
                .await
                .unwrap();
            // ticket.commented + ticket.first_response (an agent answered the customer).
            assert_eq!(td.count("notification_log").await, 2, "{}", td.name);
            let r = td.deliver_notifications().await.unwrap();
            assert_eq!(r.retrying, 2);
            td.advance(chrono::Duration::hours(1));
            let r = td.deliver_notifications().await.unwrap();
            assert_eq!(r.dead, 2, "{}", td.name);
            let log = td
                .list_notifications(&admin("acme"), None, 10)
                .await
                .unwrap();
            assert!(log.iter().all(|n| n.status == "dead" && n.attempts == 2));
            assert_eq!(
                log[0].last_error.as_deref(),
                Some("no notifier is registered for channel 'sms'")
            );
            td.advance(chrono::Duration::days(1));
            assert_eq!(td.deliver_notifications().await.unwrap().claimed, 0);
        },
    )
    .await;
}

#[test]
fn invalid_routes_are_rejected() {
    let err = DeskConfig::default()
        .with_notification_route(NotificationRoute::new(["x"], "fax", "123"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let err = DeskConfig::from_json(
        r#"{"notification_routes": [{"kinds": [], "channel": "webhook", "recipient": " "}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "notification recipient must not be empty");
}

/// A minimal HTTP/1.1 server on 127.0.0.1 answering each request with the next status of
/// `statuses` (then 200), recording (headers, body).
async fn http_server(
    statuses: Vec<u16>,
) -> (String, Arc<Mutex<Vec<(Vec<(String, String)>, Vec<u8>)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    tokio::spawn(async move {
        let mut statuses = statuses.into_iter();
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let status = statuses.next().unwrap_or(200);
            let mut buf = Vec::new();
            let mut tmp = [0u8; 4096];
            let (head_end, headers) = loop {
                let n = sock.read(&mut tmp).await.unwrap();
                if n == 0 {
                    break (0, vec![]);
                }
                buf.extend_from_slice(&tmp[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_string();
                    let headers: Vec<(String, String)> = head
                        .lines()
                        .skip(1)
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                        .collect();
                    break (i + 4, headers);
                }
            };
            let len: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < head_end + len {
                let n = sock.read(&mut tmp).await.unwrap();
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&tmp[..n]);
            }
            let body = buf[head_end..head_end + len].to_vec();
            seen2.lock().unwrap().push((headers, body));
            let resp =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = sock.write_all(resp.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (format!("http://{addr}/hooks/faultdesk"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_posts_signed_json_and_retries_on_http_errors() {
    // Every backend's first delivery gets a 503, its retry a 200.
    let (url, seen) = http_server(vec![503, 200, 503, 200, 503, 200]).await;
    let url2 = url.clone();
    each_with(
        move |c: DeskConfig| {
            c.with_notification_route(NotificationRoute::new(
                ["ticket.commented"],
                "webhook",
                &url2,
            ))
            .unwrap()
            .with_notifier("webhook", WebhookNotifier::new("s3cret").unwrap())
        },
        |td| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().clear();
                let agent = engineer("acme", "eng-1");
                let t = td
                    .create_ticket(&agent, NewTicketInput::new("Webhook me"))
                    .await
                    .unwrap();
                td.add_comment(&agent, t.id, "dispatched", Visibility::Public)
                    .await
                    .unwrap();
                let r = td.deliver_notifications().await.unwrap();
                assert_eq!(r.retrying, 1, "{}", td.name);
                let log = td
                    .list_notifications(&admin("acme"), None, 10)
                    .await
                    .unwrap();
                assert_eq!(
                    log[0].last_error.as_deref(),
                    Some("webhook answered HTTP 503")
                );
                td.advance(chrono::Duration::minutes(1));
                let r = td.deliver_notifications().await.unwrap();
                assert_eq!(r.sent, 1, "{}", td.name);
                let seen = seen.lock().unwrap().clone();
                assert_eq!(seen.len(), 2);
                let (headers, body) = &seen[1];
                let get = |k: &str| {
                    headers
                        .iter()
                        .find(|(h, _)| h == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                assert_eq!(get("content-type"), "application/json");
                assert_eq!(
                    get("x-faultdesk-signature"),
                    WebhookNotifier::sign(b"s3cret", body),
                    "{}",
                    td.name
                );
                assert_ne!(
                    get("x-faultdesk-signature"),
                    WebhookNotifier::sign(b"wrong", body)
                );
                assert_eq!(get("x-faultdesk-delivery"), log[0].id.to_string());
                let json: serde_json::Value = serde_json::from_slice(body).unwrap();
                assert_eq!(json["template"], "ticket.commented");
                assert_eq!(json["payload"]["payload"]["body"], "dispatched");
                assert_eq!(json["ticket_id"], t.id.to_string());
                assert_eq!(json["attempt"], 2);
            }
        },
    )
    .await;
    assert!(url.starts_with("http://127.0.0.1:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_connection_errors_are_failed_attempts() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/x", listener.local_addr().unwrap());
    drop(listener);
    let n = Notification {
        id: uuid::Uuid::now_v7(),
        tenant_id: "acme".into(),
        channel: "webhook".into(),
        recipient: url,
        template: "t".into(),
        subject: None,
        payload: serde_json::json!({}),
        ticket_id: None,
        alarm_id: None,
        attempt: 1,
        created_at: t0(),
    };
    let err = WebhookNotifier::new("k")
        .unwrap()
        .deliver(&n)
        .await
        .unwrap_err();
    assert!(err.starts_with("webhook request failed"), "{err}");
}
