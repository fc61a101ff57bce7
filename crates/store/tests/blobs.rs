//! The evidence blob store against a temporary local folder.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{TryStreamExt, stream};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use sha2::{Digest, Sha256};
use xueshi_store::blobs::{BlobError, BlobStore, HEAD_LEN};

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

/// Generates deterministic bytes that do not repeat with a short period.
fn sample_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

fn chunked(
    data: &[u8],
    chunk_len: usize,
) -> impl futures::Stream<Item = Result<Bytes, Infallible>> {
    let chunks: Vec<Result<Bytes, Infallible>> = data
        .chunks(chunk_len)
        .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
        .collect();
    stream::iter(chunks)
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Lists every file under a folder, temporary and staging files included.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// Lists the objects that object_store itself lists in the folder, staging files excluded.
async fn objects_in(dir: &Path) -> Vec<String> {
    let store = LocalFileSystem::new_with_prefix(dir).unwrap();
    let mut locations: Vec<String> = store
        .list(None)
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .unwrap();
    locations.sort();
    locations
}

#[tokio::test]
async fn five_megabytes_in_chunks_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = sample_bytes(5 * MIB, 1);

    let blob = store
        .put_stream(chunked(&data, 64 * KIB), 20 * MIB as u64)
        .await
        .unwrap();

    let expected = sha256_hex(&data);
    assert_eq!(blob.sha256, expected);
    assert_eq!(blob.size, data.len() as u64);
    assert_eq!(blob.head, &data[..HEAD_LEN]);
    let address = format!(
        "sha256/{}/{}/{}",
        &expected[0..2],
        &expected[2..4],
        expected
    );
    assert_eq!(objects_in(dir.path()).await, vec![address]);
}

#[tokio::test]
async fn over_limit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = sample_bytes(3 * MIB, 2);
    let limit = 2 * MIB as u64;

    let result = store.put_stream(chunked(&data, 64 * KIB), limit).await;

    assert!(
        matches!(result, Err(BlobError::TooLarge { limit: reported }) if reported == limit),
        "{result:?}"
    );
    assert_eq!(objects_in(dir.path()).await, Vec::<String>::new());
    assert_eq!(files_under(dir.path()), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn exact_limit_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = sample_bytes(MIB, 3);

    let blob = store
        .put_stream(chunked(&data, 64 * KIB), MIB as u64)
        .await
        .unwrap();

    assert_eq!(blob.size, MIB as u64);
}

#[tokio::test]
async fn same_content_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = sample_bytes(300 * KIB, 4);

    let first = store
        .put_stream(chunked(&data, 64 * KIB), MIB as u64)
        .await
        .unwrap();
    let second = store
        .put_stream(chunked(&data, 10 * KIB), MIB as u64)
        .await
        .unwrap();

    assert_eq!(first, second);
    assert_eq!(objects_in(dir.path()).await.len(), 1);
    assert_eq!(files_under(dir.path()).len(), 1);
}

#[tokio::test]
async fn get_returns_stored_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = sample_bytes(3 * MIB + 17, 5);
    let blob = store
        .put_stream(chunked(&data, 64 * KIB), 20 * MIB as u64)
        .await
        .unwrap();

    let streamed: Vec<Bytes> = store
        .get(&blob.sha256)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let streamed: Vec<u8> = streamed.concat();
    assert_eq!(streamed, data);

    let whole = store.get_bytes(&blob.sha256).await.unwrap();
    assert_eq!(whole, data);
}

#[tokio::test]
async fn local_path_points_at_content() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = sample_bytes(20 * KIB, 6);
    let blob = store
        .put_stream(chunked(&data, 4 * KIB), MIB as u64)
        .await
        .unwrap();

    let path = store
        .local_path(&blob.sha256)
        .expect("local store has paths");
    assert_eq!(std::fs::read(path).unwrap(), data);
}

#[tokio::test]
async fn short_file_head_is_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let data = b"%PDF-1.7\n".to_vec();

    let blob = store
        .put_stream(chunked(&data, 4), MIB as u64)
        .await
        .unwrap();

    assert_eq!(blob.head, data);
    assert_eq!(blob.size, 9);
}

#[tokio::test]
async fn invalid_hash_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let valid = sha256_hex(b"x");
    let invalid = [
        String::new(),
        "../../etc/passwd".to_owned(),
        valid.to_uppercase(),
        valid[..63].to_owned(),
        format!("{valid}0"),
        format!("{}/x", &valid[..62]),
        format!("{}g", &valid[..63]),
    ];

    for value in &invalid {
        assert!(
            matches!(store.get(value).await, Err(BlobError::InvalidHash { .. })),
            "get {value:?}"
        );
        assert!(
            matches!(
                store.get_bytes(value).await,
                Err(BlobError::InvalidHash { .. })
            ),
            "get_bytes {value:?}"
        );
        assert!(
            matches!(
                store.exists(value).await,
                Err(BlobError::InvalidHash { .. })
            ),
            "exists {value:?}"
        );
        assert!(
            matches!(
                store.delete(value).await,
                Err(BlobError::InvalidHash { .. })
            ),
            "delete {value:?}"
        );
        assert_eq!(store.local_path(value), None, "local_path {value:?}");
    }
}

#[tokio::test]
async fn missing_blob_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let absent = sha256_hex(b"never stored");

    assert!(matches!(
        store.get(&absent).await,
        Err(BlobError::NotFound { .. })
    ));
    assert!(matches!(
        store.get_bytes(&absent).await,
        Err(BlobError::NotFound { .. })
    ));
    assert!(!store.exists(&absent).await.unwrap());
    assert!(store.delete(&absent).await.is_ok());
}

#[tokio::test]
async fn delete_removes_blob() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let blob = store
        .put_stream(chunked(b"sign-in sheet", 4), MIB as u64)
        .await
        .unwrap();
    assert!(store.exists(&blob.sha256).await.unwrap());

    store.delete(&blob.sha256).await.unwrap();

    assert!(!store.exists(&blob.sha256).await.unwrap());
}

#[tokio::test]
async fn failed_stream_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let chunks = stream::iter(vec![
        Ok(Bytes::from(sample_bytes(100 * KIB, 7))),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client went away",
        )),
    ]);

    let result = store.put_stream(chunks, MIB as u64).await;

    assert!(matches!(result, Err(BlobError::Upload(_))), "{result:?}");
    assert_eq!(files_under(dir.path()), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn missing_folder_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("data").join("blobs");

    let store = BlobStore::local(&nested).unwrap();
    store
        .put_stream(chunked(b"notice", 3), MIB as u64)
        .await
        .unwrap();

    assert_eq!(files_under(&nested).len(), 1);
}

#[test]
fn too_large_message_names_limit() {
    let twenty = BlobError::TooLarge {
        limit: 20 * MIB as u64,
    };
    assert_eq!(
        twenty.to_string(),
        "文件超过 20 MB 的上限。请压缩图片或拆分文件后再上传。"
    );

    let fractional = BlobError::TooLarge { limit: 2_621_440 };
    assert!(
        fractional.to_string().starts_with("文件超过 2.5 MB 的上限"),
        "{fractional}"
    );
}
