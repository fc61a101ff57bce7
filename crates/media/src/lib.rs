//! Inspection of evidence files (佐证材料): recognizing their type from the bytes, reading image
//! size and EXIF, making upright thumbnails, perceptual hashes for spotting the same photo in
//! several claims, and converting HEIC photos to JPEG.
//!
//! This crate does no database or HTTP work. The image functions are CPU-bound and synchronous,
//! so call them from `tokio::task::spawn_blocking`; only [`heic_to_jpeg`] is async.

mod convert;
mod error;
mod exif;
mod heif;
mod phash;
mod raster;
mod sniff;
#[cfg(test)]
mod test_support;

pub use convert::{HEIF_CONVERT, HeicConverter, heic_to_jpeg};
pub use error::MediaError;
pub use phash::{
    NEAR_IDENTICAL_MAX_DISTANCE, ParsePerceptualHashError, PerceptualHash, hash_distance,
    perceptual_hash,
};
pub use raster::{ImageInfo, MAX_DECODE_ALLOC, MAX_IMAGE_SIDE, inspect_image, thumbnail_jpeg};
pub use sniff::{FileType, SNIFF_LEN, sniff};
