//! Converting HEIC photos to JPEG with Debian's `heif-convert` (package libheif-examples),
//! run as a time-limited subprocess.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

use crate::MediaError;
use crate::exif::set_jpeg_orientation;
use crate::heif;

/// The name of the converter program looked up on `PATH`.
pub const HEIF_CONVERT: &str = "heif-convert";

/// The JPEG quality passed to `heif-convert -q`, on its 0-100 scale.
const CONVERT_QUALITY: &str = "90";

/// How much of the converter's error output is kept for the log, in bytes.
const STDERR_KEPT: usize = 2048;

/// Converts a HEIC or HEIF file to JPEG with `heif-convert` found on `PATH`.
///
/// Returns `Ok(None)` when `heif-convert` is not installed: the caller keeps the original and
/// shows it without a preview. See [`HeicConverter::convert`] for the rest.
pub async fn heic_to_jpeg(input: &Path, timeout: Duration) -> Result<Option<Vec<u8>>, MediaError> {
    HeicConverter::from_env().convert(input, timeout).await
}

/// A handle on the `heif-convert` program, or on its absence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeicConverter {
    program: Option<PathBuf>,
}

impl HeicConverter {
    /// Looks up `heif-convert` in the directories of the `PATH` environment variable.
    pub fn from_env() -> Self {
        let path = std::env::var_os("PATH").unwrap_or_default();
        Self::search(&path)
    }

    /// Looks up `heif-convert` in a `PATH`-style list of directories.
    pub fn search(path: &OsStr) -> Self {
        let program = std::env::split_paths(path)
            .map(|directory| directory.join(HEIF_CONVERT))
            .find(|candidate| is_executable(candidate));
        HeicConverter { program }
    }

    /// Uses the given program in place of `heif-convert`; it is called with the same arguments.
    pub fn with_program(program: impl Into<PathBuf>) -> Self {
        HeicConverter {
            program: Some(program.into()),
        }
    }

    /// Returns the converter program, or `None` when it was not found.
    pub fn program(&self) -> Option<&Path> {
        self.program.as_deref()
    }

    /// Converts `input` (a HEIC or HEIF file on disk) to JPEG and returns the JPEG bytes.
    ///
    /// The converter writes into a temporary directory that is removed afterwards. It is killed
    /// when it runs longer than `timeout`, and also when the returned future is dropped. The
    /// EXIF orientation that the converter copied into the JPEG is corrected as described at
    /// [`orientation_after_conversion`].
    ///
    /// Returns `Ok(None)` when this converter has no program.
    pub async fn convert(
        &self,
        input: &Path,
        timeout: Duration,
    ) -> Result<Option<Vec<u8>>, MediaError> {
        let Some(program) = &self.program else {
            return Ok(None);
        };

        let workdir = tempfile::tempdir()?;
        let output = workdir.path().join("converted.jpg");
        // A relative name starting with '-' would be read as an option.
        let input = if input.is_absolute() {
            input.to_path_buf()
        } else {
            Path::new(".").join(input)
        };

        let mut child = Command::new(program)
            .arg("-q")
            .arg(CONVERT_QUALITY)
            .arg(&input)
            .arg(&output)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let stderr = child.stderr.take();

        let finished = tokio::time::timeout(timeout, async {
            let (status, stderr) = tokio::join!(child.wait(), read_start(stderr));
            status.map(|status| (status, stderr))
        })
        .await;
        let (status, stderr) = match finished {
            Ok(result) => result?,
            Err(_elapsed) => {
                // kill() also reaps the process, so no zombie is left behind. Its error is
                // ignored because the process is gone either way.
                let _ = child.kill().await;
                return Err(MediaError::HeicConversionTimedOut { limit: timeout });
            }
        };
        if !status.success() {
            return Err(conversion_failed(status, &stderr));
        }

        let Some(jpeg_path) = find_output(workdir.path(), &output).await? else {
            return Err(MediaError::HeicConversionFailed {
                detail: format!("{HEIF_CONVERT} exited with {status} but wrote no JPEG"),
            });
        };
        let mut jpeg = tokio::fs::read(&jpeg_path).await?;
        let Ok(converted) = crate::inspect_image(&jpeg) else {
            return Err(MediaError::HeicConversionFailed {
                detail: format!("{HEIF_CONVERT} wrote a file that is not a readable JPEG"),
            });
        };

        // The conversion has succeeded, so an input that cannot be read again only costs the
        // orientation check.
        let primary = match tokio::fs::read(&input).await {
            Ok(heic) => heif::primary_image(&heic),
            Err(_) => None,
        };
        let orientation = orientation_after_conversion(primary, &converted);
        set_jpeg_orientation(&mut jpeg, orientation);
        Ok(Some(jpeg))
    }
}

/// Decides the EXIF orientation that the converted JPEG needs to be shown upright.
///
/// HEIF readers turn a picture by its `irot` property and ignore the EXIF orientation, but
/// JPEG readers follow the EXIF orientation that `heif-convert` copies over. According to
/// libheif's issues 680 and 1190, versions up to 2022 left the pixels unturned and kept the tag,
/// later ones turn the pixels and reset the tag to 1, and some releases before 1.18.2 (1.17.6
/// among them) turn the pixels but keep the tag. For a quarter turn the JPEG's size tells which
/// happened: the stored size means unturned pixels, which need the `irot` orientation, and any
/// other outcome needs 1.
// NOTE: a half turn (`irot` 180°) keeps the size, so it cannot be told apart. This assumes the
// converter turned the pixels; an older converter then leaves the JPEG upside down.
fn orientation_after_conversion(
    primary: Option<heif::PrimaryImage>,
    converted: &crate::ImageInfo,
) -> u16 {
    let Some(primary) = primary else {
        return 1;
    };
    let quarter_turn = matches!(primary.orientation, 6 | 8);
    let unturned = (converted.width, converted.height) == (primary.width, primary.height);
    if quarter_turn && unturned {
        primary.orientation
    } else {
        1
    }
}

/// Finds the JPEG that the converter wrote.
///
/// `heif-convert` writes the requested name for a file with one top-level image; for several
/// it numbers them (`converted-1.jpg`, ...), and the first is taken.
// NOTE: the first numbered file is not checked to be the primary image. Phones write one
// top-level image per file, so the numbered case is rare.
async fn find_output(workdir: &Path, requested: &Path) -> std::io::Result<Option<PathBuf>> {
    if tokio::fs::try_exists(requested).await? {
        return Ok(Some(requested.to_path_buf()));
    }
    let mut numbered = Vec::new();
    let mut entries = tokio::fs::read_dir(workdir).await?;
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("converted-") && name.ends_with(".jpg") {
            numbered.push(entry.path());
        }
    }
    numbered.sort();
    Ok(numbered.into_iter().next())
}

/// Reads a child's error output to the end, keeping the first [`STDERR_KEPT`] bytes.
///
/// Reading on past the kept part keeps the child from blocking on a full pipe.
async fn read_start(stream: Option<impl AsyncRead + Unpin>) -> Vec<u8> {
    let mut kept = Vec::new();
    let Some(mut stream) = stream else {
        return kept;
    };
    let mut buffer = [0u8; 1024];
    while let Ok(read) = stream.read(&mut buffer).await {
        if read == 0 {
            break;
        }
        let room = STDERR_KEPT.saturating_sub(kept.len());
        kept.extend_from_slice(&buffer[..read.min(room)]);
    }
    kept
}

fn conversion_failed(status: ExitStatus, stderr: &[u8]) -> MediaError {
    let message = String::from_utf8_lossy(stderr);
    MediaError::HeicConversionFailed {
        detail: format!("{HEIF_CONVERT} exited with {status}: {}", message.trim()),
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;

    std::fs::metadata(path)
        .map(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::exif::read_exif;
    use crate::test_support::{
        Corner, encode_jpeg, heif_file, jpeg_with_exif, marked_image, marked_jpeg,
    };

    /// Writes an executable shell script standing in for `heif-convert`; it receives the same
    /// arguments: `-q QUALITY INPUT OUTPUT`.
    fn stand_in(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;

        let path = dir.join("stand-in-converter");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("make script executable");
        path
    }

    #[tokio::test]
    async fn missing_converter_gives_none() {
        let empty = tempfile::tempdir().unwrap();
        let converter = HeicConverter::search(empty.path().as_os_str());
        assert_eq!(converter.program(), None);

        let result = converter
            .convert(Path::new("/nonexistent/photo.heic"), Duration::from_secs(5))
            .await;
        assert!(matches!(result, Ok(None)), "{result:?}");
    }

    #[tokio::test]
    async fn converter_is_found_on_path() {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join(HEIF_CONVERT);
        std::fs::copy(stand_in(dir.path(), "exit 0"), &program).unwrap();
        let empty = tempfile::tempdir().unwrap();
        let path = std::env::join_paths([empty.path(), dir.path()]).unwrap();

        let converter = HeicConverter::search(&path);
        assert_eq!(converter.program(), Some(program.as_path()));
    }

    /// Converts a HEIF whose primary image is stored 60 × 40 with a quarter turn clockwise
    /// (`irot` 3, EXIF orientation 6), with a stand-in that writes the given JPEG.
    async fn convert_quarter_turned(converter_output: &[u8]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let heic = dir.path().join("photo.heic");
        std::fs::write(&heic, heif_file(60, 40, Some(3))).unwrap();
        let source = dir.path().join("source.jpg");
        std::fs::write(&source, converter_output).unwrap();
        let script = stand_in(dir.path(), &format!("cp '{}' \"$4\"", source.display()));

        HeicConverter::with_program(script)
            .convert(&heic, Duration::from_secs(10))
            .await
            .expect("conversion succeeds")
            .expect("a converter is configured")
    }

    #[tokio::test]
    async fn turned_output_gets_upright_tag() {
        let turned = encode_jpeg(&marked_image(40, 60, Corner::TopLeft), 90);
        let tagged = jpeg_with_exif(&turned, 6, Some("2023:04:15 09:30:05"));

        let exif = read_exif(&convert_quarter_turned(&tagged).await);
        assert_eq!(exif.orientation, 1);
        assert_eq!(exif.taken_at.as_deref(), Some("2023-04-15 09:30:05"));
    }

    #[tokio::test]
    async fn unturned_output_gets_irot_tag() {
        let unturned = encode_jpeg(&marked_image(60, 40, Corner::TopLeft), 90);
        let tagged = jpeg_with_exif(&unturned, 1, None);

        let exif = read_exif(&convert_quarter_turned(&tagged).await);
        assert_eq!(exif.orientation, 6);
    }

    #[tokio::test]
    async fn numbered_output_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source.jpg");
        std::fs::write(&source, marked_jpeg(60, 40)).unwrap();
        let body = format!(
            "out=\"${{4%.jpg}}\"; cp '{0}' \"$out-2.jpg\"; cp '{0}' \"$out-1.jpg\"",
            source.display()
        );
        let script = stand_in(dir.path(), &body);

        let jpeg = HeicConverter::with_program(script)
            .convert(Path::new("photo.heic"), Duration::from_secs(10))
            .await
            .expect("conversion succeeds");
        assert_eq!(
            jpeg.map(|bytes| bytes.len()),
            Some(marked_jpeg(60, 40).len())
        );
    }

    #[tokio::test]
    async fn failing_converter_reports_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let script = stand_in(
            dir.path(),
            "echo 'Could not read HEIF/AVIF file' >&2; exit 1",
        );

        let result = HeicConverter::with_program(script)
            .convert(Path::new("broken.heic"), Duration::from_secs(10))
            .await;
        let Err(MediaError::HeicConversionFailed { detail }) = result else {
            panic!("expected a conversion failure, got {result:?}");
        };
        assert!(detail.contains("Could not read HEIF/AVIF file"), "{detail}");
    }

    #[tokio::test]
    async fn converter_without_output_fails() {
        let dir = tempfile::tempdir().unwrap();
        let script = stand_in(dir.path(), "exit 0");

        let result = HeicConverter::with_program(script)
            .convert(Path::new("photo.heic"), Duration::from_secs(10))
            .await;
        assert!(
            matches!(result, Err(MediaError::HeicConversionFailed { .. })),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn slow_converter_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        // `exec` keeps the shell's process id, so the recorded id is the sleeping process.
        let script = stand_in(
            dir.path(),
            &format!("echo $$ > '{}'; exec sleep 30", pid_file.display()),
        );

        let started = Instant::now();
        let result = HeicConverter::with_program(script)
            .convert(Path::new("photo.heic"), Duration::from_millis(500))
            .await;
        assert!(
            matches!(result, Err(MediaError::HeicConversionTimedOut { .. })),
            "{result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );

        let pid = std::fs::read_to_string(&pid_file).expect("script recorded its pid");
        let proc_entry = PathBuf::from(format!("/proc/{}", pid.trim()));
        assert!(!proc_entry.exists(), "process {} still exists", pid.trim());
    }

    #[tokio::test]
    async fn real_heif_convert_round_trip() {
        let converter = HeicConverter::from_env();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let encoder = std::env::split_paths(&path)
            .map(|directory| directory.join("heif-enc"))
            .find(|candidate| is_executable(candidate));
        let (Some(_), Some(encoder)) = (converter.program(), encoder) else {
            eprintln!(
                "skipped: heif-convert and heif-enc (Debian package libheif-examples) are not installed"
            );
            return;
        };

        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source.jpg");
        let heic = dir.path().join("photo.heic");
        std::fs::write(&source, marked_jpeg(120, 80)).unwrap();
        let status = std::process::Command::new(encoder)
            .arg(&source)
            .arg("-o")
            .arg(&heic)
            .status()
            .expect("run heif-enc");
        assert!(status.success(), "heif-enc exited with {status}");
        let heic_info = crate::inspect_image(&std::fs::read(&heic).unwrap()).expect("HEIC boxes");
        assert_eq!((heic_info.width, heic_info.height), (120, 80));

        let jpeg = converter
            .convert(&heic, Duration::from_secs(30))
            .await
            .expect("conversion succeeds")
            .expect("converter is installed");
        let info = crate::inspect_image(&jpeg).expect("converted JPEG decodes");
        assert_eq!((info.width, info.height), (120, 80));
    }
}
