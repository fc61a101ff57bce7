//! The content-addressed store of evidence files.
//!
//! Each file is stored once under its SHA-256, at `sha256/<2 hex>/<2 hex>/<64 hex>`, and never
//! changed afterwards. Claims refer to files by that hash, so two claims with the same file share
//! one object. Uploads are streamed into a temporary object under `tmp/` while they are hashed,
//! then moved to their address.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};

/// How many leading bytes of each upload [`StoredBlob::head`] keeps, for type sniffing.
pub const HEAD_LEN: usize = 8 * 1024;

/// The size of the parts that an upload is written in, for the local folder.
///
/// One upload keeps about three parts in memory: one filling up and up to
/// [`MAX_PARTS_IN_FLIGHT`] being written.
// TODO: S3 needs parts of at least 5 MiB except the last, so the S3 store needs a larger size.
const LOCAL_PART_SIZE: usize = 1024 * 1024;

/// The maximum number of parts of one upload written at the same time.
const MAX_PARTS_IN_FLIGHT: usize = 2;

/// A file stored by [`BlobStore::put_stream`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    /// SHA-256 of the content, as 64 lowercase hex digits: the file's address in the store.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The first [`HEAD_LEN`] bytes (all of them for a shorter file), for type sniffing.
    pub head: Vec<u8>,
}

/// An error of the blob store.
///
/// `Display` is a Chinese sentence that can be shown to the uploader. The technical cause is
/// the error's `source()`, for the log.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The upload has more bytes than the limit passed to [`BlobStore::put_stream`].
    #[error("文件超过 {} MB 的上限。请压缩图片或拆分文件后再上传。", megabytes(*.limit))]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },

    /// The argument is not 64 lowercase hex digits, so it cannot name a stored file.
    #[error("文件标识无效。请刷新页面后重试。")]
    InvalidHash {
        /// The rejected argument.
        value: String,
    },

    /// No file is stored under this hash.
    #[error("文件不存在或已被删除。")]
    NotFound {
        /// The hash that was looked up.
        sha256: String,
    },

    /// The upload's source stream failed, usually because the browser closed the connection.
    #[error("上传中断。请检查网络后重新上传。")]
    Upload(#[source] Box<dyn StdError + Send + Sync>),

    /// The object store failed to read, write, move or delete an object.
    #[error("文件存储出错。请稍后重试；如仍失败，请联系管理员。")]
    Store(#[from] object_store::Error),

    /// Creating the store's folder failed.
    #[error("文件存储目录无法创建。请联系管理员检查存储目录的路径和权限。")]
    Io(#[from] std::io::Error),
}

/// Formats a byte count as whole mebibytes, or with one decimal when it is not whole, because
/// limits are set in MB.
fn megabytes(bytes: u64) -> String {
    const MEBIBYTE: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MEBIBYTE) {
        (bytes / MEBIBYTE).to_string()
    } else {
        format!("{:.1}", bytes as f64 / MEBIBYTE as f64)
    }
}

/// The evidence file store over any [`ObjectStore`].
#[derive(Debug, Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    /// The folder behind the store when it is a local folder, for [`BlobStore::local_path`].
    local_root: Option<PathBuf>,
    part_size: usize,
}

impl BlobStore {
    /// Opens a store in a local folder, creating the folder if it is missing.
    ///
    /// Writes are synced to disk before they count as done, because an evidence file that
    /// vanishes after a power cut cannot be uploaded again once the term is over.
    // TODO: add `BlobStore::s3(...)` for S3-compatible storage. It needs object_store's `aws`
    // feature, which compiles aws-lc. The bucket also needs a lifecycle rule that removes the
    // incomplete multipart uploads that aborted requests leave behind.
    pub fn local(dir: &Path) -> Result<Self, BlobError> {
        std::fs::create_dir_all(dir)?;
        let root = std::fs::canonicalize(dir)?;
        let store = LocalFileSystem::new_with_prefix(&root)?.with_fsync(true);
        Ok(BlobStore {
            store: Arc::new(store),
            local_root: Some(root),
            part_size: LOCAL_PART_SIZE,
        })
    }

    /// Wraps another object store, such as `object_store::memory::InMemory` in tests.
    ///
    /// [`BlobStore::local_path`] returns `None` for such a store.
    pub fn from_object_store(store: Arc<dyn ObjectStore>) -> Self {
        BlobStore {
            store,
            local_root: None,
            part_size: LOCAL_PART_SIZE,
        }
    }

    /// Streams an upload into the store and returns its hash, size and first bytes.
    ///
    /// The chunks are written to a temporary object while they are hashed and counted, so the
    /// file is never held in memory whole. When the upload exceeds `max_bytes`, or the stream
    /// fails, the temporary object is removed and the error returned. Otherwise the object
    /// moves to its content address, and if that address is already taken (the same file was
    /// uploaded before) the temporary object is deleted instead, so each content is stored
    /// once. If the returned future is dropped midway, the local store deletes the partial
    /// temporary file.
    pub async fn put_stream<S, E>(&self, chunks: S, max_bytes: u64) -> Result<StoredBlob, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        let temporary = ObjectPath::from(format!("tmp/{}", uuid::Uuid::now_v7()));
        let upload = self.store.put_multipart(&temporary).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.part_size);

        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut head = Vec::with_capacity(HEAD_LEN);
        let mut chunks = std::pin::pin!(chunks);

        while let Some(chunk) = chunks.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(error) => {
                    abort_upload(writer).await;
                    return Err(BlobError::Upload(error.into()));
                }
            };

            size = size.saturating_add(chunk.len() as u64);
            if size > max_bytes {
                abort_upload(writer).await;
                return Err(BlobError::TooLarge { limit: max_bytes });
            }

            hasher.update(&chunk);
            let wanted = HEAD_LEN - head.len();
            head.extend_from_slice(&chunk[..wanted.min(chunk.len())]);

            if let Err(error) = writer.wait_for_capacity(MAX_PARTS_IN_FLIGHT).await {
                abort_upload(writer).await;
                return Err(error.into());
            }
            writer.put(chunk);
        }
        // On failure, finish() aborts the upload itself.
        writer.finish().await?;

        let sha256 = hex::encode(hasher.finalize());
        self.move_into_place(&temporary, &sha256).await?;
        Ok(StoredBlob { sha256, size, head })
    }

    /// Moves a finished temporary object to the content address, or deletes it when the
    /// address already contains the same content.
    async fn move_into_place(&self, temporary: &ObjectPath, sha256: &str) -> Result<(), BlobError> {
        let address = blob_path(sha256);
        match self.store.rename_if_not_exists(temporary, &address).await {
            Ok(()) => Ok(()),
            Err(object_store::Error::AlreadyExists { .. }) => {
                self.store.delete(temporary).await?;
                Ok(())
            }
            Err(error) => {
                // The move failed, so the temporary object is of no further use.
                let _ = self.store.delete(temporary).await;
                Err(error.into())
            }
        }
    }

    /// Opens a stored file for a streaming download.
    pub async fn get(
        &self,
        sha256: &str,
    ) -> Result<impl Stream<Item = Result<Bytes, BlobError>> + Send + 'static, BlobError> {
        let path = checked_path(sha256)?;
        let result = self
            .store
            .get(&path)
            .await
            .map_err(|error| not_found_or(error, sha256))?;
        Ok(result.into_stream().map_err(BlobError::from))
    }

    /// Reads a whole stored file into memory; meant for small files such as thumbnails.
    pub async fn get_bytes(&self, sha256: &str) -> Result<Bytes, BlobError> {
        let path = checked_path(sha256)?;
        let result = self
            .store
            .get(&path)
            .await
            .map_err(|error| not_found_or(error, sha256))?;
        Ok(result.bytes().await?)
    }

    /// Returns whether a file is stored under this hash.
    pub async fn exists(&self, sha256: &str) -> Result<bool, BlobError> {
        let path = checked_path(sha256)?;
        match self.store.head(&path).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(error) => Err(error.into()),
        }
    }

    /// Returns the file's path on disk, for a program that reads files (such as the HEIC
    /// converter).
    ///
    /// Returns `None` when the store is not a local folder or the hash is invalid. The path is
    /// computed, not checked: call [`BlobStore::exists`] first. Treat the file as read-only,
    /// since other claims may share it.
    pub fn local_path(&self, sha256: &str) -> Option<PathBuf> {
        if !is_valid_sha256(sha256) {
            return None;
        }
        let root = self.local_root.as_ref()?;
        Some(
            root.join("sha256")
                .join(&sha256[0..2])
                .join(&sha256[2..4])
                .join(sha256),
        )
    }

    /// Deletes a stored file; deleting a file that is not there succeeds.
    ///
    /// Files are shared by content, so the caller must first check that no evidence row of any
    /// claim still refers to this hash.
    pub async fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        let path = checked_path(sha256)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

/// Aborts an upload after a failure and ignores a cleanup error, because the original failure
/// is the one to report. A failed cleanup leaves at most a temporary object behind.
async fn abort_upload(writer: WriteMultipart) {
    let _ = writer.abort().await;
}

fn not_found_or(error: object_store::Error, sha256: &str) -> BlobError {
    match error {
        object_store::Error::NotFound { .. } => BlobError::NotFound {
            sha256: sha256.to_owned(),
        },
        other => BlobError::Store(other),
    }
}

fn is_valid_sha256(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// Checks the hash argument and returns its object path. Only lowercase hex passes, so no
/// argument can reach outside `sha256/`.
fn checked_path(sha256: &str) -> Result<ObjectPath, BlobError> {
    if is_valid_sha256(sha256) {
        Ok(blob_path(sha256))
    } else {
        Err(BlobError::InvalidHash {
            value: sha256.to_owned(),
        })
    }
}

/// Builds the object path of a valid hash. Two levels of two hex digits keep folders small.
fn blob_path(sha256: &str) -> ObjectPath {
    ObjectPath::from(format!(
        "sha256/{}/{}/{}",
        &sha256[0..2],
        &sha256[2..4],
        sha256
    ))
}
