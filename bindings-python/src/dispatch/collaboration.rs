//! Comment and attachment use-cases (`src/desk/comments.rs`, `src/desk/attachments.rs`).

use super::{Args, to_json};
use faultdesk::{Actor, Desk, Error, Result};
use futures::StreamExt;
use serde_json::Value;

/// The names answered here.
pub const METHODS: &[&str] = &[
    "add_comment",
    "edit_comment",
    "delete_comment",
    "get_comment",
    "list_comments",
    "add_attachment",
    "list_attachments",
    "open_attachment",
    "delete_attachment",
    "collect_orphan_blobs",
];

/// Calls `method` if it is a collaboration use-case (`Ok(None)` otherwise); `content` is the
/// upload of `add_attachment`.
pub async fn call(
    desk: &Desk,
    a: &Actor,
    method: &str,
    args: &Args,
    content: Option<Vec<u8>>,
) -> Result<Option<Value>> {
    Ok(Some(match method {
        "add_comment" => to_json(
            desk.add_comment(
                a,
                args.id("ticket_id")?,
                &args.text("body")?,
                args.get("visibility")?,
            )
            .await?,
        )?,
        "edit_comment" => to_json(
            desk.edit_comment(a, args.id("comment_id")?, &args.text("body")?)
                .await?,
        )?,
        "delete_comment" => {
            desk.delete_comment(a, args.id("comment_id")?).await?;
            Value::Null
        }
        "get_comment" => to_json(desk.get_comment(a, args.id("comment_id")?).await?)?,
        "list_comments" => to_json(desk.list_comments(a, args.id("ticket_id")?).await?)?,
        "add_attachment" => to_json(
            desk.add_attachment_bytes(
                a,
                args.id("ticket_id")?,
                args.get("input")?,
                content.unwrap_or_default(),
            )
            .await?,
        )?,
        "list_attachments" => to_json(desk.list_attachments(a, args.id("ticket_id")?).await?)?,
        "delete_attachment" => {
            desk.delete_attachment(a, args.id("attachment_id")?).await?;
            Value::Null
        }
        "collect_orphan_blobs" => {
            let grace = args.duration("grace")?.unwrap_or_default();
            to_json(
                desk.collect_orphan_blobs(&args.text("tenant_id")?, grace)
                    .await?,
            )?
        }
        _ => return Ok(None),
    }))
}

/// `open_attachment`: the metadata and the whole content.
pub async fn open_attachment(desk: &Desk, a: &Actor, args: &Args) -> Result<(Value, Vec<u8>)> {
    let download = desk.open_attachment(a, args.id("attachment_id")?).await?;
    let mut bytes =
        Vec::with_capacity(usize::try_from(download.attachment.size_bytes).unwrap_or(0));
    let mut stream = download.content;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Error::storage(format!("attachment read failed: {e}")))?;
        bytes.extend_from_slice(&chunk);
    }
    Ok((to_json(download.attachment)?, bytes))
}
