//! Content-addressed attachment storage on top of the [`object_store`] crate.
//!
//! Layout inside the configured store (every part percent-encoded by `object_store`, so a
//! tenant id or a file name can never climb out of the root):
//!
//! ```text
//! <tenant>/<sha256[..2]>/<sha256>   content, one object per distinct content per tenant
//! <tenant>/tmp/<uuid>               uploads in progress (moved or deleted when done)
//! ```
//!
//! Which backend is used is configuration ([`BlobStoreConfig`]): the local filesystem under a
//! directory (the default, `./faultdesk-blobs`), in memory (tests), or any `object_store`
//! implementation you build yourself ([`BlobStore::from_object_store`]) — S3
//! (`object_store::aws::AmazonS3Builder`, cargo feature `s3`), Azure
//! (`object_store::azure::MicrosoftAzureBuilder`, feature `azure`) or GCS
//! (`object_store::gcp::GoogleCloudStorageBuilder`, feature `gcs`). The cloud backends are
//! available by configuration but not exercised by faultdesk's own tests.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use faultdesk::BlobStore;
//! let store = BlobStore::in_memory();
//! let key = BlobStore::content_key("acme", &"ab".repeat(32));
//! assert_eq!(key, format!("acme/ab/{}", "ab".repeat(32)));
//! # let _ = store;
//! # });
//! ```

use crate::error::{Error, Result};
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::buffered::BufWriter;
use object_store::path::{Path, PathPart};
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use std::sync::{Arc, OnceLock};
use tokio::io::AsyncWriteExt;

/// Uploads are buffered in memory up to this many bytes; larger ones are written as a
/// multipart upload in chunks of this size (so memory use per upload stays bounded).
pub const STREAM_CHUNK_BYTES: usize = 1024 * 1024;

/// Which object store holds attachment content.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlobStoreConfig {
    /// Files under this directory (created when missing). The default, with
    /// `./faultdesk-blobs`.
    Local {
        /// Root directory.
        root: std::path::PathBuf,
    },
    /// Process memory (tests; content is lost when the Desk is dropped).
    InMemory,
}

impl Default for BlobStoreConfig {
    fn default() -> Self {
        BlobStoreConfig::Local {
            root: std::path::PathBuf::from("faultdesk-blobs"),
        }
    }
}

/// A stream of content chunks (what [`Desk::open_attachment`](crate::Desk::open_attachment)
/// returns and scanners read).
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// The attachment blob store: an `object_store` backend opened lazily from its
/// [`BlobStoreConfig`]. Cheap to clone.
#[derive(Clone)]
pub struct BlobStore {
    config: BlobStoreConfig,
    store: Arc<OnceLock<Arc<dyn ObjectStore>>>,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Default for BlobStore {
    fn default() -> Self {
        BlobStore::new(BlobStoreConfig::default())
    }
}

/// The result of streaming an upload into a temporary object.
#[derive(Debug, Clone)]
pub(crate) struct StagedBlob {
    pub(crate) tmp: Path,
    pub(crate) sha256: String,
    pub(crate) size: u64,
}

/// Why staging an upload stopped.
#[derive(Debug)]
pub(crate) enum StageError {
    /// The content exceeded the limit (after this many bytes); the temp object is removed.
    TooLarge(u64),
    /// Reading the caller's stream failed.
    Read(std::io::Error),
    /// The object store failed.
    Store(Error),
}

fn store_err(e: object_store::Error) -> Error {
    Error::storage(format!("blob store: {e}"))
}

impl BlobStore {
    /// A blob store for `config` (opened on first use).
    pub fn new(config: BlobStoreConfig) -> Self {
        BlobStore {
            config,
            store: Arc::new(OnceLock::new()),
        }
    }

    /// An in-memory store (tests).
    pub fn in_memory() -> Self {
        BlobStore::new(BlobStoreConfig::InMemory)
    }

    /// Files under `root` (created when missing).
    pub fn local(root: impl Into<std::path::PathBuf>) -> Self {
        BlobStore::new(BlobStoreConfig::Local { root: root.into() })
    }

    /// Any `object_store` implementation (S3, Azure, GCS, ...), e.g.
    /// `BlobStore::from_object_store(Arc::new(AmazonS3Builder::from_env().with_bucket_name("b").build()?))`.
    pub fn from_object_store(store: Arc<dyn ObjectStore>) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(store);
        BlobStore {
            config: BlobStoreConfig::InMemory,
            store: Arc::new(cell),
        }
    }

    /// The configuration (for an externally built store: `InMemory` is reported).
    pub fn config(&self) -> &BlobStoreConfig {
        &self.config
    }

    /// The underlying object store, opened on first use.
    pub fn object_store(&self) -> Result<Arc<dyn ObjectStore>> {
        if let Some(s) = self.store.get() {
            return Ok(s.clone());
        }
        let built: Arc<dyn ObjectStore> = match &self.config {
            BlobStoreConfig::InMemory => Arc::new(object_store::memory::InMemory::new()),
            BlobStoreConfig::Local { root } => {
                std::fs::create_dir_all(root).map_err(|e| {
                    Error::storage(format!(
                        "blob store: cannot create directory {}: {e}",
                        root.display()
                    ))
                })?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(root)
                        .map_err(store_err)?,
                )
            }
        };
        // A racing initialiser may have won; use whichever got stored.
        let _ = self.store.set(built);
        Ok(self.store.get().expect("initialised above").clone())
    }

    fn content_path(tenant_id: &str, sha256: &str) -> Path {
        Path::from_iter([
            PathPart::from(tenant_id),
            PathPart::from(&sha256[..2.min(sha256.len())]),
            PathPart::from(sha256),
        ])
    }

    /// The storage key of content `sha256` of `tenant_id`: `tenant/sha256[..2]/sha256`.
    pub fn content_key(tenant_id: &str, sha256: &str) -> String {
        Self::content_path(tenant_id, sha256).to_string()
    }

    /// Streams `content` into a temporary object, hashing as it goes, without holding more
    /// than [`STREAM_CHUNK_BYTES`] (plus the in-flight chunk) in memory. Stops as soon as more
    /// than `max_size` bytes arrived.
    pub(crate) async fn stage(
        &self,
        tenant_id: &str,
        mut content: BoxStream<'_, std::io::Result<Bytes>>,
        max_size: u64,
    ) -> std::result::Result<StagedBlob, StageError> {
        let store = self.object_store().map_err(StageError::Store)?;
        let tmp = Path::from_iter([
            PathPart::from(tenant_id),
            PathPart::from("tmp"),
            PathPart::from(crate::ids::new_id().simple().to_string().as_str()),
        ]);
        let mut writer = BufWriter::with_capacity(store.clone(), tmp.clone(), STREAM_CHUNK_BYTES);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let failure = loop {
            match content.next().await {
                None => break None,
                Some(Err(e)) => break Some(StageError::Read(e)),
                Some(Ok(chunk)) => {
                    size += chunk.len() as u64;
                    if size > max_size {
                        break Some(StageError::TooLarge(size));
                    }
                    hasher.update(&chunk);
                    if let Err(e) = writer.put(chunk).await {
                        break Some(StageError::Store(store_err(e)));
                    }
                }
            }
        };
        if let Some(f) = failure {
            let _ = writer.abort().await;
            let _ = store.delete(&tmp).await;
            return Err(f);
        }
        if let Err(e) = writer.shutdown().await {
            let _ = store.delete(&tmp).await;
            return Err(StageError::Store(Error::storage(format!(
                "blob store: {e}"
            ))));
        }
        Ok(StagedBlob {
            tmp,
            sha256: hex::encode(hasher.finalize()),
            size,
        })
    }

    /// Reads an object as a stream.
    pub(crate) async fn read_path(&self, path: &Path) -> Result<ByteStream> {
        let store = self.object_store()?;
        let got = store.get(path).await.map_err(store_err)?;
        Ok(got
            .into_stream()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .boxed())
    }

    /// Reads content `sha256` of `tenant_id` as a stream.
    pub(crate) async fn read(&self, tenant_id: &str, sha256: &str) -> Result<ByteStream> {
        self.read_path(&Self::content_path(tenant_id, sha256)).await
    }

    /// Copies a staged object to its content address (overwriting is harmless: same bytes).
    pub(crate) async fn publish(&self, tenant_id: &str, staged: &StagedBlob) -> Result<String> {
        let store = self.object_store()?;
        let dest = Self::content_path(tenant_id, &staged.sha256);
        store.copy(&staged.tmp, &dest).await.map_err(store_err)?;
        Ok(dest.to_string())
    }

    /// Removes a staged object (best effort).
    pub(crate) async fn discard(&self, staged: &StagedBlob) {
        if let Ok(store) = self.object_store() {
            let _ = store.delete(&staged.tmp).await;
        }
    }

    /// Deletes content `sha256` of `tenant_id` (missing content is not an error).
    pub(crate) async fn delete_content(&self, tenant_id: &str, sha256: &str) -> Result<()> {
        let store = self.object_store()?;
        match store.delete(&Self::content_path(tenant_id, sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_err(e)),
        }
    }

    /// Whether content exists.
    pub(crate) async fn exists(&self, tenant_id: &str, sha256: &str) -> Result<bool> {
        let store = self.object_store()?;
        match store.head(&Self::content_path(tenant_id, sha256)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(store_err(e)),
        }
    }

    /// Every object of a tenant: `(sha256 or tmp name, is_tmp, last_modified)`.
    pub(crate) async fn list_tenant(
        &self,
        tenant_id: &str,
    ) -> Result<Vec<(Path, bool, chrono::DateTime<chrono::Utc>)>> {
        let store = self.object_store()?;
        let prefix = Path::from_iter([PathPart::from(tenant_id)]);
        let metas: Vec<_> = store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(store_err)?;
        let tmp_part = PathPart::from("tmp");
        Ok(metas
            .into_iter()
            .map(|m| {
                let is_tmp = m.location.parts().nth(1).as_ref() == Some(&tmp_part);
                (m.location, is_tmp, m.last_modified)
            })
            .collect())
    }

    /// Deletes an object by path.
    pub(crate) async fn delete_path(&self, path: &Path) -> Result<()> {
        let store = self.object_store()?;
        match store.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: &[&'static [u8]]) -> BoxStream<'static, std::io::Result<Bytes>> {
        futures::stream::iter(
            parts
                .iter()
                .map(|p| Ok(Bytes::from_static(p)))
                .collect::<Vec<_>>(),
        )
        .boxed()
    }

    #[tokio::test]
    async fn stage_hashes_while_streaming() {
        let s = BlobStore::in_memory();
        let staged = s
            .stage("t", chunks(&[b"hello ", b"world"]), 100)
            .await
            .unwrap();
        assert_eq!(staged.size, 11);
        assert_eq!(
            staged.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        let key = s.publish("t", &staged).await.unwrap();
        assert_eq!(key, format!("t/b9/{}", staged.sha256));
        s.discard(&staged).await;
        let body: Vec<Bytes> = s
            .read("t", &staged.sha256)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(body.concat(), b"hello world");
        assert!(s.exists("t", &staged.sha256).await.unwrap());
        s.delete_content("t", &staged.sha256).await.unwrap();
        assert!(!s.exists("t", &staged.sha256).await.unwrap());
    }

    #[tokio::test]
    async fn stage_stops_at_the_limit_and_leaves_nothing() {
        let s = BlobStore::in_memory();
        let err = s
            .stage("t", chunks(&[b"12345", b"67890"]), 7)
            .await
            .unwrap_err();
        assert!(matches!(err, StageError::TooLarge(10)));
        assert!(s.list_tenant("t").await.unwrap().is_empty());
    }

    #[test]
    fn keys_are_encoded() {
        let k = BlobStore::content_key("../x", "abcd");
        assert!(!k.contains("../"), "{k}");
        assert!(k.ends_with("/ab/abcd"));
    }
}
