//! Attachments on every backend: streaming upload/download, policy (size, allowlist, names),
//! per-tenant de-duplication with reference counts, the scanner hook, deletion and orphan
//! collection.

mod common;

use bytes::Bytes;
use common::*;
use faultdesk::ticket::attachment::AttachmentPolicy;
use faultdesk::{
    BlobStore, ByteStream, DeskConfig, ErrorKind, NewAttachment, NewTicketInput, ScanRequest,
    ScanVerdict, Scanner,
};
use futures::{StreamExt, TryStreamExt};

fn in_memory(c: DeskConfig) -> DeskConfig {
    c.with_blob_store(BlobStore::in_memory())
}

async fn read_all(s: ByteStream) -> Vec<u8> {
    let parts: Vec<Bytes> = s.try_collect().await.unwrap();
    parts.concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_list_download_and_audit() {
    each_with(in_memory, |td| async move {
        let user = end_user("acme", "cust-1");
        let t = td
            .create_ticket(&user, NewTicketInput::new("Modem lights"))
            .await
            .unwrap();
        // Streamed in many chunks (3 MiB: larger than one buffered chunk).
        let chunk = Bytes::from(vec![7u8; 64 * 1024]);
        let stream = futures::stream::iter((0..48).map(move |_| Ok(chunk.clone())));
        let a = td
            .add_attachment(&user, t.id, NewAttachment::new("photo.JPG"), stream)
            .await
            .unwrap();
        assert_eq!(a.size_bytes, 48 * 64 * 1024);
        assert_eq!(a.content_type, "image/jpeg");
        assert_eq!(a.sha256.len(), 64);
        let listed = td.list_attachments(&user, t.id).await.unwrap();
        assert_eq!(listed, vec![a.clone()], "{}", td.name);
        let d = td.open_attachment(&user, a.id).await.unwrap();
        let body = read_all(d.content).await;
        assert_eq!(body.len(), 48 * 64 * 1024);
        assert!(body.iter().all(|b| *b == 7));
        let h = td.ticket_history(&user, t.id).await.unwrap();
        let added: Vec<_> = h
            .iter()
            .filter(|e| e.event_type.as_str() == "ATTACHMENT_ADDED")
            .collect();
        assert_eq!(added.len(), 1, "{}", td.name);
        assert_eq!(added[0].metadata["file_name"], "photo.JPG");
        let evs = td.events_since(&user, 0, 100).await.unwrap();
        assert!(evs.iter().any(|e| e.kind == "ticket.attachment_added"));
        // Another tenant sees nothing.
        let err = td
            .open_attachment(&engineer("other", "e"), a.id)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(err.to_string(), format!("Attachment {} not found", a.id));
        // Another end user of the same tenant cannot see the ticket, so not its attachment.
        let err = td
            .open_attachment(&end_user("acme", "cust-2"), a.id)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{}", td.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_traversal_names_are_stored_safely() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blobs");
    let root2 = root.clone();
    each_with(
        move |c| c.with_blob_store(BlobStore::local(root2.clone())),
        |td| {
            let root = root.clone();
            async move {
                let agent = engineer("acme", "eng-1");
                let t = td
                    .create_ticket(&agent, NewTicketInput::new("Logs"))
                    .await
                    .unwrap();
                // No extension left after sanitising: refused, nothing stored.
                let before = td.count("attachments").await;
                let err = td
                    .add_attachment_bytes(&agent, t.id, NewAttachment::new("../../etc/passwd"), "root:x:0:0")
                    .await
                    .unwrap_err();
                assert_eq!(err.kind(), ErrorKind::Validation);
                assert_eq!(
                    err.to_string(),
                    "File 'passwd' has no extension. Allowed types: .pdf, .doc, .docx, .txt, .jpg, .jpeg, .png, .gif, .zip, .tar, .gz, .log"
                );
                assert_eq!(td.count("attachments").await, before);
                // With an allowed extension: stored under its sanitised name, content under
                // its hash inside the blob root.
                let a = td
                    .add_attachment_bytes(&agent, t.id, NewAttachment::new("../../etc/passwd.txt"), "root:x:0:0")
                    .await
                    .unwrap();
                assert_eq!(a.file_name, "passwd.txt");
                let a2 = td
                    .add_attachment_bytes(&agent, t.id, NewAttachment::new("..\\..\\windows\\win.ini.log"), "[fonts]")
                    .await
                    .unwrap();
                assert_eq!(a2.file_name, "win.ini.log");
                let content = root.join("acme").join(&a.sha256[..2]).join(&a.sha256);
                assert!(content.exists(), "{}", content.display());
                assert!(!dir_contains_name(root.parent().unwrap(), "passwd.txt"));
                assert!(!std::path::Path::new("/etc/passwd.txt").exists());
                let body = read_all(td.open_attachment(&agent, a.id).await.unwrap().content).await;
                assert_eq!(body, b"root:x:0:0");
            }
        },
    )
    .await;
}

fn dir_contains_name(dir: &std::path::Path, name: &str) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        let p = e.path();
        p.file_name().is_some_and(|n| n == name) || (p.is_dir() && dir_contains_name(&p, name))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_files_share_one_blob_until_the_last_reference_goes() {
    each_with(in_memory, |td| async move {
        let agent = engineer("acme", "eng-1");
        let t1 = td
            .create_ticket(&agent, NewTicketInput::new("A"))
            .await
            .unwrap();
        let t2 = td
            .create_ticket(&agent, NewTicketInput::new("B"))
            .await
            .unwrap();
        let a = td
            .add_attachment_bytes(
                &agent,
                t1.id,
                NewAttachment::new("same.log"),
                "identical bytes",
            )
            .await
            .unwrap();
        let b = td
            .add_attachment_bytes(
                &agent,
                t2.id,
                NewAttachment::new("other-name.txt"),
                "identical bytes",
            )
            .await
            .unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(td.count("blobs").await, 1, "{}", td.name);
        assert_eq!(td.count_where("blobs", "refcount = 2").await, 1);
        // Another tenant with the same bytes gets its own blob.
        let o = engineer("other", "eng-9");
        let t3 = td
            .create_ticket(&o, NewTicketInput::new("C"))
            .await
            .unwrap();
        td.add_attachment_bytes(&o, t3.id, NewAttachment::new("x.txt"), "identical bytes")
            .await
            .unwrap();
        assert_eq!(td.count("blobs").await, 2);
        let objects = |tenant: &'static str| {
            let store = td.config().blobs.object_store().unwrap();
            async move {
                store
                    .list(Some(&object_store::path::Path::from(tenant)))
                    .try_collect::<Vec<_>>()
                    .await
                    .unwrap()
                    .len()
            }
        };
        assert_eq!(
            objects("acme").await,
            1,
            "one object for two attachments, no temp left"
        );
        // Deleting one reference keeps the content; the last one removes it.
        td.delete_attachment(&agent, a.id).await.unwrap();
        assert_eq!(td.count_where("blobs", "refcount = 1").await, 2);
        let body = read_all(td.open_attachment(&agent, b.id).await.unwrap().content).await;
        assert_eq!(body, b"identical bytes");
        assert!(td.list_attachments(&agent, t1.id).await.unwrap().is_empty());
        // A DEVOPS engineer may delete their own upload; another engineer's needs the
        // delete permission.
        let err = td
            .delete_attachment(&engineer("acme", "eng-2"), b.id)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert_eq!(
            err.to_string(),
            "Permission denied. Required permission: tickets.attachments.delete"
        );
        td.delete_attachment(&lead("acme"), b.id).await.unwrap();
        assert_eq!(
            td.count_where("blobs", "tenant_id = 'acme'").await,
            0,
            "{}",
            td.name
        );
        assert_eq!(objects("acme").await, 0);
        assert_eq!(objects("other").await, 1);
        let err = td.open_attachment(&agent, b.id).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = td.delete_attachment(&agent, b.id).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_rejections_store_nothing() {
    each_with(
        |c| in_memory(c).with_attachment_policy(AttachmentPolicy::default().with_max_size(1024)),
        |td| async move {
            let agent = engineer("acme", "eng-1");
            let t = td
                .create_ticket(&agent, NewTicketInput::new("A"))
                .await
                .unwrap();
            let before = (td.count("attachments").await, td.count("blobs").await);
            // Too large, discovered while streaming (no size given up front).
            let stream = futures::stream::iter((0..10).map(|_| Ok(Bytes::from(vec![1u8; 200]))));
            let err = td
                .add_attachment(&agent, t.id, NewAttachment::new("big.log"), stream)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Validation);
            assert!(
                err.to_string().contains("the maximum size is 1024 bytes"),
                "{err}"
            );
            let err = td
                .add_attachment_bytes(&agent, t.id, NewAttachment::new("virus.exe"), "MZ")
                .await
                .unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("File type '.exe' is not allowed")
            );
            let err = td
                .add_attachment_bytes(&agent, t.id, NewAttachment::new("empty.txt"), "")
                .await
                .unwrap_err();
            assert_eq!(err.to_string(), "File 'empty.txt' is empty");
            let err = td
                .add_attachment_bytes(
                    &agent,
                    t.id,
                    NewAttachment::new("a.pdf").content_type("image/png"),
                    "%PDF",
                )
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Validation);
            // A failing reader is a Validation error too.
            let broken = futures::stream::iter([
                Ok(Bytes::from_static(b"abc")),
                Err(std::io::Error::other("connection reset")),
            ]);
            let err = td
                .add_attachment(&agent, t.id, NewAttachment::new("r.txt"), broken)
                .await
                .unwrap_err();
            assert!(err.to_string().contains("connection reset"), "{err}");
            // Without permission / on a missing ticket.
            let err = td
                .add_attachment_bytes(&viewer("acme"), t.id, NewAttachment::new("a.txt"), "x")
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::PermissionDenied);
            let err = td
                .add_attachment_bytes(
                    &agent,
                    uuid::Uuid::now_v7(),
                    NewAttachment::new("a.txt"),
                    "x",
                )
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound);
            assert_eq!(
                (td.count("attachments").await, td.count("blobs").await),
                before,
                "{}",
                td.name
            );
            let store = td.config().blobs.object_store().unwrap();
            let left: Vec<_> = store.list(None).try_collect().await.unwrap();
            assert!(left.is_empty(), "{}: {left:?}", td.name);
        },
    )
    .await;
}

/// Rejects files whose content contains the EICAR marker.
#[derive(Debug)]
struct EicarScanner;

#[async_trait::async_trait]
impl Scanner for EicarScanner {
    async fn scan(
        &self,
        _file: &ScanRequest,
        mut content: ByteStream,
    ) -> Result<ScanVerdict, String> {
        let mut all = Vec::new();
        while let Some(c) = content.next().await {
            all.extend_from_slice(&c.map_err(|e| e.to_string())?);
        }
        if all.windows(5).any(|w| w == b"EICAR") {
            Ok(ScanVerdict::Rejected("EICAR test signature".into()))
        } else {
            Ok(ScanVerdict::Clean)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanner_rejection_leaves_nothing_visible() {
    each_with(
        |c| in_memory(c).with_scanner(EicarScanner),
        |td| async move {
            let agent = engineer("acme", "eng-1");
            let t = td
                .create_ticket(&agent, NewTicketInput::new("A"))
                .await
                .unwrap();
            let outbox = td.count("outbox").await;
            let err = td
                .add_attachment_bytes(&agent, t.id, NewAttachment::new("x.zip"), "X5O!P%@AP EICAR")
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Validation);
            assert_eq!(
                err.to_string(),
                "File 'x.zip' was rejected by the virus scan: EICAR test signature"
            );
            assert!(td.list_attachments(&agent, t.id).await.unwrap().is_empty());
            assert_eq!(td.count("attachments").await, 0, "{}", td.name);
            assert_eq!(td.count("blobs").await, 0);
            assert_eq!(td.count("outbox").await, outbox);
            let store = td.config().blobs.object_store().unwrap();
            let left: Vec<_> = store.list(None).try_collect().await.unwrap();
            assert!(left.is_empty(), "{left:?}");
            // A clean file passes.
            td.add_attachment_bytes(&agent, t.id, NewAttachment::new("ok.txt"), "fine")
                .await
                .unwrap();
            assert_eq!(td.list_attachments(&agent, t.id).await.unwrap().len(), 1);
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orphan_blobs_are_collected_after_the_grace_period() {
    each_with(in_memory, |td| async move {
        let agent = engineer("acme", "eng-1");
        let t = td
            .create_ticket(&agent, NewTicketInput::new("A"))
            .await
            .unwrap();
        let kept = td
            .add_attachment_bytes(&agent, t.id, NewAttachment::new("keep.txt"), "keep")
            .await
            .unwrap();
        // Content written without a blobs row (as when the metadata transaction fails), and an
        // abandoned temporary upload.
        let store = td.config().blobs.object_store().unwrap();
        use object_store::ObjectStoreExt;
        let orphan = object_store::path::Path::from(format!("acme/ff/{}", "f".repeat(64)));
        store.put(&orphan, "lost".into()).await.unwrap();
        let tmp = object_store::path::Path::from("acme/tmp/abandoned");
        store.put(&tmp, "partial".into()).await.unwrap();
        // Within the grace period nothing is touched (the Desk clock is in 2026, object
        // times are real time: use a grace that covers "now").
        let r = td
            .collect_orphan_blobs("acme", chrono::Duration::days(365 * 100))
            .await
            .unwrap();
        assert_eq!(r, faultdesk::OrphanReport::default());
        // Far in the future every object is old enough.
        td.clock.set(chrono::Utc::now() + chrono::Duration::days(1));
        let r = td
            .collect_orphan_blobs("acme", chrono::Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(r.content_removed, 1, "{}", td.name);
        assert_eq!(r.temp_removed, 1);
        let body = read_all(td.open_attachment(&agent, kept.id).await.unwrap().content).await;
        assert_eq!(body, b"keep");
        let err = td
            .collect_orphan_blobs(" ", chrono::Duration::hours(1))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
    })
    .await;
}
