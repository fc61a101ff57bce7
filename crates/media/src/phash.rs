//! Perceptual hashes for finding the same photo uploaded twice, even after re-encoding or
//! resizing.

use std::fmt;
use std::str::FromStr;

use image_hasher::{HashAlg, HasherConfig};

use crate::MediaError;
use crate::raster::decode_upright;

/// The largest [`hash_distance`] at which two images count as the same picture.
///
/// This module's tests measured it on six generated photo-like images of 480 × 360 pixels.
/// Re-encoding at JPEG quality 40 moved the hash by up to 5 of 64 bits, scaling to half size by
/// up to 3, and storing a quarter turn with an EXIF orientation by up to 1. Any two different
/// images were 26 to 41 bits apart. Real photos of one sign-in sheet taken twice from slightly
/// different angles are not covered by these measurements.
pub const NEAR_IDENTICAL_MAX_DISTANCE: u32 = 6;

/// A 64-bit gradient hash (dHash) of an image turned upright.
///
/// The algorithm is fixed so that stored hashes stay comparable: `image_hasher`'s
/// `HashAlg::Gradient` on an 8 × 8 grid with its default Lanczos3 resize filter, which compares
/// the brightness of neighbouring cells of a 9 × 8 grayscale reduction. Changing any of these
/// settings requires rehashing every stored image.
///
/// The text form (`Display` and `FromStr`) is 16 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PerceptualHash([u8; 8]);

impl PerceptualHash {
    /// Returns the hash as a number, for storing in an integer column.
    pub fn to_u64(self) -> u64 {
        u64::from_be_bytes(self.0)
    }

    /// Rebuilds a hash stored with [`PerceptualHash::to_u64`].
    pub fn from_u64(value: u64) -> Self {
        PerceptualHash(value.to_be_bytes())
    }
}

impl fmt::Display for PerceptualHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.to_u64())
    }
}

/// The text was not 16 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid perceptual hash {0:?}: expected 16 hex digits")]
pub struct ParsePerceptualHashError(String);

impl FromStr for PerceptualHash {
    type Err = ParsePerceptualHashError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let valid = text.len() == 16 && text.bytes().all(|byte| byte.is_ascii_hexdigit());
        if !valid {
            return Err(ParsePerceptualHashError(text.to_owned()));
        }
        u64::from_str_radix(text, 16)
            .map(PerceptualHash::from_u64)
            .map_err(|_| ParsePerceptualHashError(text.to_owned()))
    }
}

/// Computes the perceptual hash of a JPEG, PNG or WebP image after turning it upright by its
/// EXIF orientation, so a photo and a rotated copy tagged to be turned back hash alike.
///
/// Decoding is CPU-bound: call this from `spawn_blocking`.
pub fn perceptual_hash(bytes: &[u8]) -> Result<PerceptualHash, MediaError> {
    let image = decode_upright(bytes)?;
    let hasher = HasherConfig::with_bytes_type::<[u8; 8]>()
        .hash_alg(HashAlg::Gradient)
        .hash_size(8, 8)
        .to_hasher();
    let hash = hasher.hash_image(&image);
    Ok(PerceptualHash(hash.into_inner()))
}

/// Counts the bits in which two hashes differ (the Hamming distance, 0 to 64).
///
/// Compare the result with [`NEAR_IDENTICAL_MAX_DISTANCE`].
pub fn hash_distance(a: PerceptualHash, b: PerceptualHash) -> u32 {
    (a.to_u64() ^ b.to_u64()).count_ones()
}

#[cfg(test)]
mod tests {
    use image::imageops::{self, FilterType};

    use super::*;
    use crate::test_support::{encode_jpeg, jpeg_with_exif, photo_like};

    const SEEDS: [u64; 6] = [1, 2, 3, 4, 5, 6];

    fn hash_of(jpeg: &[u8]) -> PerceptualHash {
        perceptual_hash(jpeg).expect("hash")
    }

    #[test]
    fn reencoded_photo_is_near_identical() {
        for seed in SEEDS {
            let photo = photo_like(seed, 480, 360);
            let original = hash_of(&encode_jpeg(&photo, 95));
            let reencoded = hash_of(&encode_jpeg(&photo, 40));
            let distance = hash_distance(original, reencoded);
            assert!(
                distance <= NEAR_IDENTICAL_MAX_DISTANCE,
                "seed {seed}: quality 40 is {distance} bits away"
            );
        }
    }

    #[test]
    fn resized_photo_is_near_identical() {
        for seed in SEEDS {
            let photo = photo_like(seed, 480, 360);
            let original = hash_of(&encode_jpeg(&photo, 95));
            let half = imageops::resize(&photo, 240, 180, FilterType::Triangle);
            let resized = hash_of(&encode_jpeg(&half, 80));
            let distance = hash_distance(original, resized);
            assert!(
                distance <= NEAR_IDENTICAL_MAX_DISTANCE,
                "seed {seed}: half size is {distance} bits away"
            );
        }
    }

    #[test]
    fn rotated_copy_with_orientation_is_near_identical() {
        for seed in SEEDS {
            let photo = photo_like(seed, 480, 360);
            let original = hash_of(&encode_jpeg(&photo, 95));
            // Stored a quarter turn anticlockwise; orientation 6 turns it back clockwise.
            let stored = imageops::rotate270(&photo);
            let rotated = hash_of(&jpeg_with_exif(&encode_jpeg(&stored, 95), 6, None));
            let distance = hash_distance(original, rotated);
            assert!(
                distance <= NEAR_IDENTICAL_MAX_DISTANCE,
                "seed {seed}: rotated copy is {distance} bits away"
            );
        }
    }

    #[test]
    fn different_photos_are_far_apart() {
        let hashes: Vec<PerceptualHash> = SEEDS
            .iter()
            .map(|&seed| hash_of(&encode_jpeg(&photo_like(seed, 480, 360), 90)))
            .collect();
        for (i, a) in hashes.iter().enumerate() {
            for (j, b) in hashes.iter().enumerate().skip(i + 1) {
                let distance = hash_distance(*a, *b);
                assert!(
                    distance > NEAR_IDENTICAL_MAX_DISTANCE,
                    "seeds {} and {}: only {distance} bits apart",
                    SEEDS[i],
                    SEEDS[j]
                );
            }
        }
    }

    #[test]
    fn hash_text_round_trips() {
        let hash = hash_of(&encode_jpeg(&photo_like(1, 200, 150), 90));
        let text = hash.to_string();
        assert_eq!(text.len(), 16);
        assert_eq!(text.parse::<PerceptualHash>(), Ok(hash));
        assert_eq!(PerceptualHash::from_u64(hash.to_u64()), hash);
    }

    #[test]
    fn hash_text_rejects_bad_input() {
        for text in [
            "",
            "0123",
            "0123456789abcdeg",
            "+123456789abcdef",
            "0123456789abcdef0",
        ] {
            assert!(text.parse::<PerceptualHash>().is_err(), "{text:?}");
        }
    }

    #[test]
    fn distance_counts_differing_bits() {
        let zero = PerceptualHash::from_u64(0);
        assert_eq!(hash_distance(zero, zero), 0);
        assert_eq!(hash_distance(zero, PerceptualHash::from_u64(0b1011)), 3);
        assert_eq!(hash_distance(zero, PerceptualHash::from_u64(u64::MAX)), 64);
    }
}
