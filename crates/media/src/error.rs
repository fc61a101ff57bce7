//! The error type of this crate, with messages a teacher can act on.

use std::time::Duration;

/// An error from inspecting, thumbnailing, hashing or converting an evidence file.
///
/// `Display` is a Chinese sentence for the person who uploaded the file: what is wrong and what
/// to do next. The technical cause, where there is one, is the error's `source()`, for the log.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The bytes are not an image format this crate decodes (JPEG, PNG or WebP).
    #[error("无法识别这种图片格式。请上传 JPEG、PNG 或 WebP 格式的图片。")]
    UnsupportedImage,

    /// The decoder rejected the bytes as corrupt or truncated; the decoder's error is kept when
    /// there is one.
    #[error("图片无法解码，文件可能已损坏。请重新拍照或导出后再上传。")]
    Decode(#[source] Option<image::ImageError>),

    /// The image has more pixels per side than [`crate::MAX_IMAGE_SIDE`].
    #[error(
        "图片尺寸过大（{width}×{height} 像素，每边上限 {max_side} 像素）。请缩小图片后再上传。"
    )]
    TooManyPixels {
        /// Width in pixels, as stored in the file.
        width: u32,
        /// Height in pixels, as stored in the file.
        height: u32,
        /// The allowed maximum for either side.
        max_side: u32,
    },

    /// Decoding would need more memory than [`crate::MAX_DECODE_ALLOC`].
    #[error("图片解码所需内存过大，无法处理。请缩小图片或改用 JPEG 格式后再上传。")]
    TooMuchMemory(#[source] image::ImageError),

    /// Encoding the JPEG thumbnail failed.
    #[error("生成缩略图失败。请稍后重试；如仍失败，请将图片另存为 JPEG 后再上传。")]
    Encode(#[source] image::ImageError),

    /// `heif-convert` exited with an error status or wrote no JPEG.
    #[error("HEIC 照片转换失败。请在手机上将照片导出为 JPEG 后再上传。")]
    HeicConversionFailed {
        /// The converter's exit status and the start of its error output, for the log.
        detail: String,
    },

    /// `heif-convert` ran longer than the time limit and was killed.
    #[error("HEIC 照片转换超时（超过 {} 秒）。请在手机上将照片导出为 JPEG 后再上传。", whole_seconds(*.limit))]
    HeicConversionTimedOut {
        /// The time limit that was exceeded.
        limit: Duration,
    },

    /// Starting the converter, or reading or writing its temporary files, failed.
    #[error("处理文件时发生系统错误。请稍后重试；如仍失败，请联系管理员。")]
    Io(#[from] std::io::Error),
}

impl MediaError {
    /// Sorts an error from the `image` crate into a decoding, size or memory error.
    pub(crate) fn from_decode(error: image::ImageError) -> Self {
        match error {
            image::ImageError::Limits(_) => MediaError::TooMuchMemory(error),
            image::ImageError::Unsupported(_) => MediaError::UnsupportedImage,
            other => MediaError::Decode(Some(other)),
        }
    }
}

/// Rounds a duration up to whole seconds, so a limit below one second does not read as 0.
fn whole_seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}
