//! Property tests for the input policies: sanitised file names are always safe, and a ticket
//! patch either fails and changes nothing or succeeds and leaves a valid ticket.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use std::collections::BTreeMap;
use ticket_core::attachment::{AttachmentPolicy, MAX_FILE_NAME_BYTES, sanitize_file_name};
use ticket_core::ticket::{NewTicket, Ticket, TicketPatch};
use ticket_core::workflow::Workflow;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap()
}

/// Names built from the characters that cause trouble, plus arbitrary Unicode.
fn nasty_name() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("..".to_string()),
        Just("/".to_string()),
        Just("\\".to_string()),
        Just(".".to_string()),
        Just("\0".to_string()),
        Just("\n".to_string()),
        Just(" ".to_string()),
        Just("CON".to_string()),
        Just("nul".to_string()),
        Just(":".to_string()),
        Just("\u{202E}".to_string()),
        Just("etc".to_string()),
        Just("passwd".to_string()),
        Just(".txt".to_string()),
        "[a-zA-Z0-9_-]{1,8}",
        "[a-z .]{200,300}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn sanitised_names_are_safe(raw in nasty_name()) {
        let s = sanitize_file_name(&raw);
        prop_assert!(!s.is_empty());
        prop_assert!(s.len() <= MAX_FILE_NAME_BYTES);
        prop_assert!(!s.contains('/') && !s.contains('\\'), "{:?}", s);
        prop_assert!(!s.chars().any(char::is_control), "{:?}", s);
        prop_assert!(!s.starts_with('.'), "{:?}", s);
        prop_assert!(!s.ends_with('.') && !s.ends_with(' '), "{:?}", s);
        prop_assert!(s != "..");
        let stem = s.split('.').next().unwrap().trim_end().to_ascii_uppercase();
        prop_assert!(!["CON", "PRN", "AUX", "NUL"].contains(&stem.as_str()), "{:?}", s);
        // Idempotent: sanitising a sanitised name changes nothing.
        prop_assert_eq!(sanitize_file_name(&s), s.clone());
        // Validation never panics and always reports the sanitised name.
        if let Ok(v) = AttachmentPolicy::default().validate(&raw, 1, None) {
            prop_assert_eq!(v.file_name, s);
        }
    }

    #[test]
    fn patches_never_leave_an_invalid_ticket(
        subject in prop::option::of("[ a-zA-Z\n]{0,300}"),
        label_key in "[a-zA-Z_ .]{0,70}",
        label_value in prop::option::of("[a-z]{0,300}"),
        assignee in prop::option::of(prop::option::of("[a-z ]{0,3}")),
        meta_len in prop::option::of(0usize..70_000),
    ) {
        let mut t = NewTicket::new("t", "start", "u")
            .build(&Workflow::itsm(), Ticket::new_id(now()), "TKT-2026-000001".into(), now())
            .unwrap();
        let before = t.clone();
        let patch = TicketPatch {
            subject,
            assignee_id: assignee,
            labels: Some(BTreeMap::from([(label_key, label_value)])),
            metadata: meta_len.map(|n| Some(serde_json::json!({"blob": "x".repeat(n)}))),
            ..Default::default()
        };
        match patch.apply(&mut t, now()) {
            Ok(_) => prop_assert!(t.validate().is_ok()),
            Err(e) => {
                prop_assert!(matches!(e, ticket_core::Error::Validation(_)));
                prop_assert_eq!(&t, &before);
            }
        }
    }
}
