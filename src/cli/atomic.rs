//! Writes files the way a gate running on a hostile checkout must: into a temporary file in
//! the destination's directory, synced, then renamed into place. A rename replaces a symlink
//! at the destination instead of writing through it (a committed `report.txt` pointing at
//! `~/.ssh/authorized_keys` stays a dangling promise), and a crash or a full disk leaves the
//! old file or none, never a truncated one.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Replaces `path` with `bytes`, atomically, without following a symlink at `path`.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(Error::Usage(format!("{} is a directory", path.display())));
        }
        // A device or FIFO (`-o /dev/null`, `-o /dev/stdout`) is written in place: renaming over
        // it would replace the device node itself.
        Ok(m) if !m.is_file() && !m.file_type().is_symlink() => {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|mut f| f.write_all(bytes))
                .map_err(|e| Error::io(path.display(), e));
        }
        _ => {}
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".guardrail-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir.display(), e))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io(path.display(), e))?;
    temp.persist(path)
        .map_err(|e| Error::io(path.display(), e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_a_symlink_instead_of_writing_through_it() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("authorized_keys");
        std::fs::write(&target, "ssh-ed25519 AAAA original\n")?;
        let link = dir.path().join("report.txt");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&target, &link)?;
        write(&link, b"report\n").map_err(std::io::Error::other)?;
        assert_eq!(std::fs::read_to_string(&target)?, "ssh-ed25519 AAAA original\n");
        assert_eq!(std::fs::read_to_string(&link)?, "report\n");
        assert!(!std::fs::symlink_metadata(&link)?.file_type().is_symlink());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place_not_replaced() -> std::io::Result<()> {
        write(Path::new("/dev/null"), b"discarded").map_err(std::io::Error::other)?;
        let meta = std::fs::symlink_metadata("/dev/null")?;
        assert!(!meta.is_file(), "/dev/null is still a device");
        Ok(())
    }

    #[test]
    fn a_missing_directory_is_an_error_not_a_panic() {
        let err = write(Path::new("/nonexistent-guardrail-dir/x.json"), b"{}");
        assert!(err.is_err());
    }
}
