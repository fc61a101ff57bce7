//! Evidence files (佐证材料): uploads streamed into the blob store with their type judged
//! from the bytes, and downloads and thumbnails for the people who may see the claim.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{Multipart, Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use jiff::civil::Date;
use xueshi_core::EvidenceKind;
use xueshi_core::text::{char_count, trim_spaces};
use xueshi_media::{FileType, HeicConverter, MediaError};
use xueshi_store::blobs::{BlobError, StoredBlob};
use xueshi_store::evidence::{self, EvidenceAccess, EvidenceRow};
use xueshi_store::{StoreError, claims};

use super::messages;
use super::service::{forget_file, load_own};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::claim_access::{ClaimScope, can_view};
use crate::error::{AppError, AppResult, FieldError};
use crate::files::content_disposition;

/// Most files one claim may carry.
pub const MAX_FILES_PER_CLAIM: usize = 30;

/// Largest width or height of a thumbnail, in pixels: twice the 160 CSS pixels the claim
/// page shows, for sharp phone screens.
pub const THUMBNAIL_SIDE: u32 = 320;

/// Time limit of one HEIC conversion.
const HEIC_TIMEOUT: Duration = Duration::from_secs(20);

/// Largest text field (the kind) read from an upload form, in bytes.
const MAX_TEXT_FIELD_BYTES: usize = 1024;

/// Maximum length of a kept file name, in characters. Longer names keep their end, where
/// the extension is.
const MAX_FILE_NAME_CHARS: usize = 120;

/// Maximum time spent reading and discarding the rest of a rejected upload, so that the
/// browser receives the response instead of a reset connection.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);

/// File name extensions and MIME types for the `accept` attribute of the upload field.
pub const ACCEPT: &str = ".jpg,.jpeg,.png,.webp,.heic,.heif,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,\
    image/jpeg,image/png,image/webp,image/heic,image/heif,application/pdf";

/// Returns the name of a file type as the `blobs` table stores it.
pub fn type_name(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Jpeg => "jpeg",
        other => other.extension(),
    }
}

/// Finds the file type stored under [`type_name`].
pub fn file_type_of(name: &str) -> Option<FileType> {
    FileType::ALL
        .into_iter()
        .find(|file_type| type_name(*file_type) == name)
}

/// Lists the accepted types for messages.
pub fn accepted_types() -> &'static str {
    "JPEG、PNG、WebP、HEIC 图片，PDF 文档，Word、Excel、PowerPoint 文档（含 97-2003 格式）"
}

/// Returns the `heif-convert` converter, looked up on the first call.
fn heic_converter() -> &'static HeicConverter {
    static CONVERTER: OnceLock<HeicConverter> = OnceLock::new();
    CONVERTER.get_or_init(HeicConverter::from_env)
}

/// Returns whether the claim page can show a thumbnail of a file of this type.
pub fn has_thumbnail(file_type: &str) -> bool {
    match file_type_of(file_type) {
        Some(FileType::Heic) => heic_converter().program().is_some(),
        Some(file_type) => file_type.is_decodable(),
        None => false,
    }
}

/// The parts of an upload form read so far.
#[derive(Default)]
struct Received {
    kind: Option<String>,
    /// Files stored in the blob store, with the names they were uploaded under.
    files: Vec<(StoredBlob, String)>,
}

/// Stores the files of an upload form (fields `file`, one or more, and `kind`) and
/// attaches them to the teacher's draft or returned claim. Returns the new evidence rows.
///
/// The files stream into the blob store in chunks with the configured size limit. The
/// upload is all or nothing: when a file is too large, of a type that is not accepted, or
/// the form is incomplete, nothing is attached and the claim keeps its earlier files.
pub async fn receive_upload(
    state: &AppState,
    user: &CurrentUser,
    claim_id: &str,
    mut multipart: Multipart,
    max_files: usize,
) -> AppResult<Vec<EvidenceRow>> {
    let claim = match load_own(&mut *state.db.conn().await?, user, claim_id).await {
        Ok(claim) if claim.status.is_editable() => claim,
        Ok(_) => {
            drain(multipart).await;
            return Err(AppError::Conflict(messages::FILES_LOCKED.into()));
        }
        Err(error) => {
            drain(multipart).await;
            return Err(error);
        }
    };

    let mut received = Received::default();
    let read = read_parts(state, &mut multipart, &mut received).await;
    if read.is_err() {
        drain(multipart).await;
    }
    let result = match read {
        Ok(()) => {
            let limits = Limits {
                max_files,
                existing: claim.evidence.len(),
            };
            attach(state, user, claim_id, &received, limits).await
        }
        Err(error) => Err(error),
    };
    if result.is_err() {
        discard(state, &received.files).await;
    }
    result
}

async fn read_parts(
    state: &AppState,
    multipart: &mut Multipart,
    received: &mut Received,
) -> AppResult<()> {
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("kind") => received.kind = Some(read_text(field).await?),
            Some("file") => {
                let file_name = clean_file_name(field.file_name().unwrap_or_default());
                if let Some(blob) = store_field(state, field, &file_name).await? {
                    received.files.push((blob, file_name));
                }
            }
            // Other fields (such as `_csrf`) are skipped by reading on.
            _ => {}
        }
    }
    Ok(())
}

/// Streams one file field into the blob store. An empty field without a name is an
/// unused file input and returns `None`.
async fn store_field(
    state: &AppState,
    mut field: Field<'_>,
    file_name: &str,
) -> AppResult<Option<StoredBlob>> {
    let Some(first) = field.chunk().await.map_err(multipart_error)? else {
        if file_name.is_empty() {
            return Ok(None);
        }
        return Err(AppError::invalid(format!(
            "文件“{file_name}”是空文件（0 字节），请重新选择文件。"
        )));
    };
    let chunks =
        futures::stream::once(async move { Ok::<Bytes, MultipartError>(first) }).chain(field);
    let blob = state
        .blobs
        .put_stream(chunks, state.config.max_upload_bytes)
        .await
        .map_err(|error| blob_error(error, file_name))?;
    Ok(Some(blob))
}

async fn read_text(mut field: Field<'_>) -> AppResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_TEXT_FIELD_BYTES {
            return Err(AppError::BadRequest(messages::BROKEN_UPLOAD.into()));
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads and discards the rest of a rejected upload, for at most [`DRAIN_TIMEOUT`].
async fn drain(mut multipart: Multipart) {
    let rest = async {
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, rest).await;
}

fn multipart_error(error: MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::TooLarge(error.body_text());
    }
    AppError::BadRequest(messages::BROKEN_UPLOAD.into())
}

fn blob_error(error: BlobError, file_name: &str) -> AppError {
    match error {
        BlobError::TooLarge { .. } if file_name.is_empty() => AppError::TooLarge(error.to_string()),
        BlobError::TooLarge { .. } => AppError::TooLarge(format!("“{file_name}”{error}")),
        BlobError::Upload(_) => AppError::BadRequest(error.to_string()),
        other => AppError::Internal(anyhow::Error::new(other).context("store an evidence file")),
    }
}

/// Keeps the last part of a name that browsers may send with a folder, and drops control
/// characters. Commas, quotes, semicolons and Chinese stay as typed.
fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let visible: String = base.chars().filter(|c| !c.is_control()).collect();
    let name = trim_spaces(&visible);
    let chars = char_count(name);
    if chars <= MAX_FILE_NAME_CHARS {
        return name.to_owned();
    }
    name.chars().skip(chars - MAX_FILE_NAME_CHARS).collect()
}

/// Limits on the number of files of one upload.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// Files one request may carry.
    max_files: usize,
    /// Files the claim has already.
    existing: usize,
}

/// The facts read from a file's bytes.
struct FileFacts {
    file_type: FileType,
    phash: Option<u64>,
    exif_date: Option<Date>,
}

async fn attach(
    state: &AppState,
    user: &CurrentUser,
    claim_id: &str,
    received: &Received,
    limits: Limits,
) -> AppResult<Vec<EvidenceRow>> {
    let kind = parse_kind(received.kind.as_deref())?;
    check_counts(received.files.len(), limits)?;

    let mut facts = Vec::with_capacity(received.files.len());
    for (blob, file_name) in &received.files {
        facts.push(inspect(state, blob, file_name).await?);
    }

    let mut tx = state.db.begin_write().await?;
    let mut ids = Vec::new();
    for ((blob, file_name), facts) in received.files.iter().zip(&facts) {
        evidence::record_blob(
            &mut tx,
            &blob.sha256,
            blob.size,
            type_name(facts.file_type),
            facts.phash,
            facts.exif_date,
        )
        .await?;
        let name = if file_name.is_empty() {
            format!("佐证材料.{}", facts.file_type.extension())
        } else {
            file_name.clone()
        };
        let id = evidence::add(
            &mut tx,
            claim_id,
            &blob.sha256,
            kind,
            &name,
            &user.person_id,
        )
        .await
        .map_err(|error| match error {
            StoreError::Conflict => AppError::Conflict(messages::FILES_LOCKED.into()),
            other => other.into(),
        })?;
        ids.push(id);
    }
    xueshi_store::commit(tx).await?;
    tracing::info!(claim.id = claim_id, files = ids.len(), "evidence uploaded");

    let rows = evidence::list(&mut *state.db.conn().await?, claim_id).await?;
    Ok(rows
        .into_iter()
        .filter(|row| ids.contains(&row.id))
        .collect())
}

fn parse_kind(raw: Option<&str>) -> AppResult<EvidenceKind> {
    let raw = raw.map(trim_spaces).unwrap_or_default();
    if raw.is_empty() {
        return Err(field_error("kind", messages::KIND_MISSING));
    }
    EvidenceKind::parse_label(raw).map_err(|error| field_error("kind", &error.message))
}

fn check_counts(count: usize, limits: Limits) -> AppResult<()> {
    if count == 0 {
        return Err(field_error("file", messages::NO_FILE));
    }
    if count > limits.max_files {
        return Err(field_error(
            "file",
            &format!("一次最多上传 {} 个文件，请分次上传。", limits.max_files),
        ));
    }
    if limits.existing + count > MAX_FILES_PER_CLAIM {
        return Err(AppError::Conflict(format!(
            "每条申报最多 {MAX_FILES_PER_CLAIM} 个文件，已有 {} 个。请删除不需要的文件，或把多张图片合并为一个 PDF 后上传。",
            limits.existing
        )));
    }
    Ok(())
}

fn field_error(field: &str, message: &str) -> AppError {
    AppError::Invalid {
        message: message.to_owned(),
        fields: vec![FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        }],
    }
}

/// Judges a stored file's type from its bytes and reads a photo's perceptual hash and
/// EXIF date. Refuses types that are not accepted and images that cannot be decoded.
async fn inspect(state: &AppState, blob: &StoredBlob, file_name: &str) -> AppResult<FileFacts> {
    let file_type = judge_type(state, blob).await?.ok_or_else(|| {
        field_error(
            "file",
            &format!(
                "文件“{file_name}”的格式不被接受（系统按文件内容判断，与扩展名无关）。可上传：{}。",
                accepted_types()
            ),
        )
    })?;
    let mut facts = FileFacts {
        file_type,
        phash: None,
        exif_date: None,
    };
    if file_type.is_decodable() {
        let bytes = state
            .blobs
            .get_bytes(&blob.sha256)
            .await
            .map_err(stored_read_error)?;
        let (date, hash) = run_blocking(move || {
            let date = xueshi_media::inspect_image(&bytes)
                .ok()
                .and_then(|info| exif_date(info.taken_at.as_deref()));
            (date, xueshi_media::perceptual_hash(&bytes))
        })
        .await?;
        facts.exif_date = date;
        facts.phash = match hash {
            Ok(hash) => Some(hash.to_u64()),
            Err(error @ (MediaError::Decode(_) | MediaError::UnsupportedImage)) => {
                return Err(field_error("file", &format!("“{file_name}”：{error}")));
            }
            // Too large to decode here: kept, without a hash to compare.
            Err(_) => None,
        };
    } else if file_type == FileType::Heic {
        let bytes = state
            .blobs
            .get_bytes(&blob.sha256)
            .await
            .map_err(stored_read_error)?;
        facts.exif_date = run_blocking(move || {
            xueshi_media::inspect_image(&bytes)
                .ok()
                .and_then(|info| exif_date(info.taken_at.as_deref()))
        })
        .await?;
        facts.phash = heic_hash(state, &blob.sha256).await;
    }
    Ok(facts)
}

/// Judges the type from the first bytes. An Office file whose first bytes do not decide
/// it is judged again from the whole file.
async fn judge_type(state: &AppState, blob: &StoredBlob) -> AppResult<Option<FileType>> {
    if let Some(file_type) = xueshi_media::sniff(&blob.head) {
        return Ok(Some(file_type));
    }
    let container = blob.head.starts_with(b"PK\x03\x04")
        || blob
            .head
            .starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    if !container || blob.size <= blob.head.len() as u64 {
        return Ok(None);
    }
    let bytes = state
        .blobs
        .get_bytes(&blob.sha256)
        .await
        .map_err(stored_read_error)?;
    run_blocking(move || xueshi_media::sniff(&bytes)).await
}

/// Hashes a HEIC photo through a JPEG conversion, when `heif-convert` is installed.
async fn heic_hash(state: &AppState, sha256: &str) -> Option<u64> {
    let jpeg = heic_jpeg(state, sha256).await?;
    let hash = run_blocking(move || xueshi_media::perceptual_hash(&jpeg)).await;
    hash.ok()?.ok().map(|hash| hash.to_u64())
}

/// Converts a stored HEIC file to JPEG; `None` without a converter or when it fails.
async fn heic_jpeg(state: &AppState, sha256: &str) -> Option<Vec<u8>> {
    heic_converter().program()?;
    let path = state.blobs.local_path(sha256)?;
    match heic_converter().convert(&path, HEIC_TIMEOUT).await {
        Ok(jpeg) => jpeg,
        Err(error) => {
            tracing::warn!(blob.sha256 = sha256, error = %error, "HEIC conversion failed");
            None
        }
    }
}

/// Reads the date part of an EXIF time written `YYYY-MM-DD HH:MM:SS`.
fn exif_date(taken_at: Option<&str>) -> Option<Date> {
    taken_at?.get(..10)?.parse().ok()
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work))
        .await
        .map_err(|error| {
            AppError::Internal(anyhow::Error::new(error).context("inspect an evidence file"))
        })
}

fn stored_read_error(error: BlobError) -> AppError {
    AppError::Internal(anyhow::Error::new(error).context("read a stored evidence file"))
}

/// Removes files of a rejected upload that no claim uses.
// NOTE: another upload of the same bytes, stored but not yet attached at this moment, loses
// its file and fails, so that uploader has to upload it again.
async fn discard(state: &AppState, files: &[(StoredBlob, String)]) {
    let Ok(mut conn) = state.db.conn().await else {
        return;
    };
    for (blob, _) in files {
        match evidence::is_referenced(&mut conn, &blob.sha256).await {
            Ok(false) => {
                forget_file(state, &mut conn, &blob.sha256).await;
                if let Err(error) = state.blobs.delete(&blob.sha256).await {
                    tracing::warn!(blob.sha256 = %blob.sha256, error = %error, "failed to delete a file of a rejected upload");
                }
            }
            Ok(true) => {}
            Err(error) => {
                tracing::warn!(blob.sha256 = %blob.sha256, error = %error, "failed to check whether a claim uses a file of a rejected upload");
            }
        }
    }
}

/// Loads an evidence file for someone who may see its claim: 404 when it does not exist,
/// 403 when the person may not see the claim.
pub async fn load_visible(
    state: &AppState,
    user: &CurrentUser,
    evidence_id: &str,
) -> AppResult<EvidenceAccess> {
    let access = evidence::get(&mut *state.db.conn().await?, evidence_id).await?;
    let scope = ClaimScope {
        teacher_id: &access.teacher_id,
        unit_id: &access.unit_id,
        office_id: access.office_id.as_deref(),
    };
    if !can_view(user, &scope) {
        return Err(AppError::forbidden());
    }
    Ok(access)
}

/// Sends an evidence file as an attachment under its original name, with the type judged
/// at upload and `nosniff`, so that no browser runs it as a page.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(evidence_id): Path<String>,
) -> AppResult<Response> {
    let access = load_visible(&state, &user, &evidence_id).await?;
    let file = &access.evidence;
    let stream = match state.blobs.get(&file.sha256).await {
        Ok(stream) => stream,
        Err(BlobError::NotFound { .. }) => {
            tracing::error!(evidence.id = %file.id, blob.sha256 = %file.sha256, "evidence file missing from the blob store");
            return Err(AppError::NotFound);
        }
        Err(error) => return Err(stored_read_error(error)),
    };
    let content_type = file_type_of(&file.file_type)
        .map(FileType::mime)
        .unwrap_or("application/octet-stream");
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(file.size));
    headers.insert(
        CONTENT_DISPOSITION,
        content_disposition("attachment", &file.file_name),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// Sends an upright JPEG thumbnail of an image file; 404 for files without one (documents,
/// HEIC where `heif-convert` is missing, images that fail to decode).
pub async fn thumbnail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(evidence_id): Path<String>,
) -> AppResult<Response> {
    let access = load_visible(&state, &user, &evidence_id).await?;
    let file = &access.evidence;
    let jpeg = cached_thumbnail(&state, &file.sha256, &file.file_type)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut response = jpeg.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    // Evidence files never change, so the browser may keep the thumbnail for a day.
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    Ok(response)
}

fn thumbnail_path(state: &AppState, sha256: &str) -> PathBuf {
    state
        .config
        .data_dir
        .join("thumbnails")
        .join(format!("{sha256}-{THUMBNAIL_SIDE}.jpg"))
}

/// Returns the thumbnail from the cache folder, making and caching it when missing.
async fn cached_thumbnail(
    state: &AppState,
    sha256: &str,
    file_type: &str,
) -> AppResult<Option<Vec<u8>>> {
    let path = thumbnail_path(state, sha256);
    if let Ok(jpeg) = tokio::fs::read(&path).await {
        return Ok(Some(jpeg));
    }
    let source = match file_type_of(file_type) {
        Some(FileType::Heic) => match heic_jpeg(state, sha256).await {
            Some(jpeg) => jpeg,
            None => return Ok(None),
        },
        Some(file_type) if file_type.is_decodable() => match state.blobs.get_bytes(sha256).await {
            Ok(bytes) => bytes.to_vec(),
            Err(BlobError::NotFound { .. }) => return Ok(None),
            Err(error) => return Err(stored_read_error(error)),
        },
        _ => return Ok(None),
    };
    let made = run_blocking(move || xueshi_media::thumbnail_jpeg(&source, THUMBNAIL_SIDE)).await?;
    let jpeg = match made {
        Ok(jpeg) => jpeg,
        Err(error) => {
            tracing::debug!(blob.sha256 = sha256, error = %error, "no thumbnail");
            return Ok(None);
        }
    };
    if let Err(error) = write_cache(&path, &jpeg).await {
        tracing::warn!(error = %error, "failed to cache a thumbnail");
    }
    Ok(Some(jpeg))
}

/// Writes a cache file through a temporary name, so that no reader sees half a file.
async fn write_cache(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        tokio::fs::create_dir_all(folder).await?;
    }
    let temporary = path.with_extension(format!("tmp-{}", uuid::Uuid::now_v7()));
    tokio::fs::write(&temporary, bytes).await?;
    tokio::fs::rename(&temporary, path).await
}

/// Detaches a file from the teacher's draft or returned claim, and removes the stored
/// file when no claim uses it any more. Returns the claim's id.
pub async fn delete_file(
    state: &AppState,
    user: &CurrentUser,
    evidence_id: &str,
) -> AppResult<String> {
    let mut conn = state.db.conn().await?;
    let access = evidence::get(&mut conn, evidence_id).await?;
    if access.teacher_id != user.person_id {
        return Err(AppError::Forbidden(messages::NOT_OWNER.into()));
    }
    if !access.status.is_editable() {
        return Err(AppError::Conflict(messages::FILES_LOCKED.into()));
    }
    let claim_id = access.evidence.claim_id.clone();
    let (sha256, referenced) = evidence::remove(&mut conn, evidence_id, &claim_id)
        .await
        .map_err(|error| match error {
            StoreError::Conflict => AppError::Conflict(messages::FILES_LOCKED.into()),
            other => other.into(),
        })?;
    if !referenced {
        forget_file(state, &mut conn, &sha256).await;
    }
    Ok(claim_id)
}

/// Lists a claim's files for someone who may see the claim.
pub async fn list_visible(
    state: &AppState,
    user: &CurrentUser,
    claim_id: &str,
) -> AppResult<Vec<EvidenceRow>> {
    let claim = claims::get(&mut *state.db.conn().await?, claim_id).await?;
    let scope = ClaimScope {
        teacher_id: &claim.teacher_id,
        unit_id: &claim.unit_id,
        office_id: claim.office_id.as_deref(),
    };
    if !can_view(user, &scope) {
        return Err(AppError::forbidden());
    }
    Ok(claim.evidence)
}

/// Formats a size in bytes for people: "820 KB", "3.4 MB".
pub fn size_text(size: i64) -> String {
    const KIB: i64 = 1024;
    const MIB: i64 = 1024 * 1024;
    if size < KIB {
        return format!("{size} B");
    }
    if size < MIB {
        return format!("{} KB", (size + KIB / 2) / KIB);
    }
    let tenths = (size * 10 + MIB / 2) / MIB;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_punctuation_and_lose_folders() {
        assert_eq!(
            clean_file_name("C:\\fakepath\\证书,“终版”;1.jpg"),
            "证书,“终版”;1.jpg"
        );
        assert_eq!(clean_file_name("a/b/c.pdf"), "c.pdf");
        assert_eq!(clean_file_name(" x\u{0}y.png "), "xy.png");
        let long = format!("{}.pdf", "长".repeat(200));
        let kept = clean_file_name(&long);
        assert_eq!(char_count(&kept), MAX_FILE_NAME_CHARS);
        assert!(kept.ends_with(".pdf"));
    }

    #[test]
    fn type_names_round_trip() {
        for file_type in FileType::ALL {
            assert_eq!(file_type_of(type_name(file_type)), Some(file_type));
        }
        assert_eq!(type_name(FileType::Jpeg), "jpeg");
    }

    #[test]
    fn exif_dates_read_the_date_part() {
        assert_eq!(
            exif_date(Some("2025-10-11 09:30:00")),
            Some(Date::new(2025, 10, 11).unwrap())
        );
        assert_eq!(exif_date(Some("0000-00-00 00:00:00")), None);
        assert_eq!(exif_date(None), None);
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(820 * 1024), "820 KB");
        assert_eq!(size_text(3 * 1024 * 1024 + 400 * 1024), "3.4 MB");
    }
}
