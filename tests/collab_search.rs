//! Full-text search over comments on every backend: public comments are searchable by
//! everyone who sees the ticket, internal ones only with `tickets.comments.internal`, deleted
//! ones by nobody; results stay ranked and combine with filters and pages.

mod common;

use common::*;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{ErrorKind, NewTicketInput, TicketQuery};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_are_searchable_by_visibility() {
    each(|td| async move {
        let user = end_user("acme", "cust-1");
        let agent = engineer("acme", "eng-1");
        let t = td
            .create_ticket(&user, NewTicketInput::new("Internet slow"))
            .await
            .unwrap();
        let other = td
            .create_ticket(&user, NewTicketInput::new("Billing question"))
            .await
            .unwrap();
        td.add_comment(&agent, t.id, "replaced the splitter", Visibility::Public)
            .await
            .unwrap();
        td.add_comment(
            &agent,
            t.id,
            "vendor kickback suspected",
            Visibility::Internal,
        )
        .await
        .unwrap();
        let ids = |p: &faultdesk::Page<faultdesk::TicketSearchHit>| {
            p.items.iter().map(|h| h.ticket.id).collect::<Vec<_>>()
        };
        let p = td
            .search_tickets(&user, "splitter", TicketQuery::default())
            .await
            .unwrap();
        assert_eq!(ids(&p), vec![t.id], "{}", td.name);
        let p = td
            .search_tickets(&user, "kickback", TicketQuery::default())
            .await
            .unwrap();
        assert_eq!(p.total, 0, "{}", td.name);
        let p = td
            .search_tickets(&agent, "kickback", TicketQuery::default())
            .await
            .unwrap();
        assert_eq!(ids(&p), vec![t.id], "{}", td.name);
        // Combined with filters: open tickets only / a status that does not match.
        let p = td
            .search_tickets(&agent, "splitter", TicketQuery::default().open_only())
            .await
            .unwrap();
        assert_eq!(p.total, 1);
        let p = td
            .search_tickets(
                &agent,
                "splitter",
                TicketQuery::default().status("RESOLVED"),
            )
            .await
            .unwrap();
        assert_eq!(p.total, 0);
        let p = td
            .search_tickets(&agent, "billing", TicketQuery::default())
            .await
            .unwrap();
        assert_eq!(ids(&p), vec![other.id]);
        let err = td
            .search_tickets(&agent, "x", TicketQuery::default().page_size(101))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edited_and_deleted_comments_follow_in_search() {
    each(|td| async move {
        let agent = engineer("acme", "eng-1");
        let t = td
            .create_ticket(&agent, NewTicketInput::new("Edge router"))
            .await
            .unwrap();
        let c = td
            .add_comment(&agent, t.id, "firmware quokka", Visibility::Public)
            .await
            .unwrap();
        td.edit_comment(&agent, c.id, "firmware wombat")
            .await
            .unwrap();
        let find = |w: &'static str| {
            let td = &td;
            let agent = agent.clone();
            async move {
                td.search_tickets(&agent, w, TicketQuery::default())
                    .await
                    .unwrap()
                    .total
            }
        };
        assert_eq!(find("wombat").await, 1, "{}", td.name);
        assert_eq!(find("quokka").await, 0, "{}: edited text is gone", td.name);
        td.delete_comment(&agent, c.id).await.unwrap();
        assert_eq!(find("wombat").await, 0, "{}: deleted comment", td.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranking_and_pages() {
    each(|td| async move {
        let agent = engineer("acme", "eng-1");
        // a ticket with "outage" in subject and description ranks above one with it only in a
        // comment; pages continue the ranked order.
        let weak = td
            .create_ticket(&agent, NewTicketInput::new("Customer call"))
            .await
            .unwrap();
        td.add_comment(&agent, weak.id, "maybe an outage", Visibility::Public)
            .await
            .unwrap();
        let strong = td
            .create_ticket(
                &agent,
                NewTicketInput::new("Outage in sector 7").description("outage outage"),
            )
            .await
            .unwrap();
        for i in 0..3 {
            td.create_ticket(&agent, NewTicketInput::new(format!("Outage {i}")))
                .await
                .unwrap();
        }
        let p1 = td
            .search_tickets(&agent, "outage", TicketQuery::default().page_size(2))
            .await
            .unwrap();
        assert_eq!(p1.total, 5, "{}", td.name);
        assert_eq!(p1.items.len(), 2);
        assert!(p1.items[0].rank >= p1.items[1].rank);
        let all = td
            .search_tickets(&agent, "outage", TicketQuery::default().page_size(5))
            .await
            .unwrap();
        assert!(all.items.windows(2).all(|w| w[0].rank >= w[1].rank));
        let pos = |id| all.items.iter().position(|h| h.ticket.id == id).unwrap();
        assert!(pos(strong.id) < pos(weak.id), "{}", td.name);
        let p3 = td
            .search_tickets(
                &agent,
                "outage",
                TicketQuery::default().page_size(2).page(3),
            )
            .await
            .unwrap();
        assert_eq!(p3.items.len(), 1);
        assert_eq!(p3.items[0].ticket.id, weak.id, "{}", td.name);
    })
    .await;
}

/// The search document follows edits of the subject and description (old words stop matching,
/// new ones match, also when the description is cleared to empty), and updates that leave both
/// alone (assignment, transitions) keep the ticket findable by its words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_follows_subject_and_description_edits() {
    each(|td| async move {
        let agent = admin("acme");
        let mut input = NewTicketInput::new("Splitter fault in cabinet 4");
        input.description = "Customers report an outage".into();
        let t = td.create_ticket(&agent, input).await.unwrap();
        let hits = |q: &'static str| {
            let td = &td;
            let agent = &agent;
            async move {
                td.search_tickets(agent, q, TicketQuery::default())
                    .await
                    .unwrap()
                    .total
            }
        };
        let edit = |subject: Option<&str>, description: Option<&str>| {
            let td = &td;
            let agent = &agent;
            let patch = faultdesk::ticket::TicketPatch {
                subject: subject.map(str::to_string),
                description: description.map(str::to_string),
                ..Default::default()
            };
            async move { td.update_ticket(agent, t.id, patch).await.unwrap() }
        };
        // Updates that do not touch the text.
        td.assign_ticket(&agent, t.id, Some("eng-2".into()))
            .await
            .unwrap();
        td.transition_ticket(
            &agent,
            t.id,
            "IN_PROGRESS",
            faultdesk::TransitionOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(hits("splitter").await, 1, "{}", td.name);
        assert_eq!(hits("outage").await, 1, "{}", td.name);
        // A new subject replaces the old words.
        edit(Some("Amplifier failure in cabinet 4"), None).await;
        assert_eq!(hits("splitter").await, 0, "{}", td.name);
        assert_eq!(hits("amplifier").await, 1, "{}", td.name);
        assert_eq!(hits("outage").await, 1, "{}", td.name);
        // So does a new description, and clearing it.
        edit(None, Some("Power supply replaced")).await;
        assert_eq!(hits("outage").await, 0, "{}", td.name);
        assert_eq!(hits("supply").await, 1, "{}", td.name);
        edit(None, Some("")).await;
        assert_eq!(hits("supply").await, 0, "{}", td.name);
        assert_eq!(hits("amplifier").await, 1, "{}", td.name);
    })
    .await;
}
