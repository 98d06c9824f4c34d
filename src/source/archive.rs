//! Archive members as entries: `.zip` (and `.jar`, `.whl`, `.nupkg`), `.tar`, `.tar.gz` /
//! `.tgz` and `.gz` files are opened in memory and each member becomes an [`Entry`] named
//! `outer.zip!inner/path`, nested archives `a.zip!b.jar!c/D.properties`, for the engine to check
//! like any file.
//!
//! Archives are hostile input. No declared size is trusted: every member is read through a
//! limited reader whose cap is the smallest of the member size limit, what is left of the
//! archive's byte budget, and the compression ratio bound applied to the compressed bytes
//! actually present. Member count and nesting depth are bounded too; a bound that stops the
//! walk is named in [`Expansion::bounds`], a format error in [`Expansion::errors`].

use std::cell::Cell;
use std::io::{Cursor, Read};
use std::rc::Rc;
use std::sync::Arc;

use super::{Entry, Origin, SkipReason};

/// Default levels of archives opened (`a.zip!b.jar!c` is 2).
pub const DEFAULT_MAX_DEPTH: usize = 2;
/// Default members read per top-level archive (nested ones included).
pub const DEFAULT_MAX_MEMBERS: usize = 10_000;
/// Default uncompressed bytes read per top-level archive (nested ones included).
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Default bound on uncompressed / compressed size.
pub const DEFAULT_MAX_RATIO: u64 = 100;
/// Output below this many bytes is never held against the ratio (small files compress well).
const RATIO_FLOOR: u64 = 1024 * 1024;

/// Bound names, as the summary counts them.
pub const BOUND_DEPTH: &str = "archive_depth";
/// See [`BOUND_DEPTH`].
pub const BOUND_MEMBERS: &str = "archive_members";
/// See [`BOUND_DEPTH`].
pub const BOUND_BYTES: &str = "archive_bytes";
/// See [`BOUND_DEPTH`].
pub const BOUND_RATIO: &str = "archive_ratio";

/// How far archives are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Levels of archives opened (0: archives are not opened).
    pub max_depth: usize,
    /// Members read per top-level archive.
    pub max_members: usize,
    /// Uncompressed bytes read per top-level archive.
    pub max_bytes: u64,
    /// Largest uncompressed / compressed ratio (beyond the first MiB).
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            max_members: DEFAULT_MAX_MEMBERS,
            max_bytes: DEFAULT_MAX_BYTES,
            max_ratio: DEFAULT_MAX_RATIO,
        }
    }
}

/// An archive format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `.zip`, `.jar`, `.whl`, `.nupkg`.
    Zip,
    /// `.tar`.
    Tar,
    /// `.tar.gz`, `.tgz`.
    TarGz,
    /// `.gz` (one compressed file).
    Gz,
}

/// The archive format a path names, from its extension.
pub fn kind_of(path: &str) -> Option<Kind> {
    let name = path
        .rsplit(['/', '!'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    let ends = |exts: &[&str]| exts.iter().any(|e| name.ends_with(e) && name.len() > e.len());
    if ends(&[".zip", ".jar", ".whl", ".nupkg"]) {
        Some(Kind::Zip)
    } else if ends(&[".tar.gz", ".tgz"]) {
        Some(Kind::TarGz)
    } else if ends(&[".tar"]) {
        Some(Kind::Tar)
    } else if ends(&[".gz"]) {
        Some(Kind::Gz)
    } else {
        None
    }
}

/// One member for the engine.
#[derive(Debug)]
pub struct Member {
    /// The member as a file (`outer!inner` paths, bytes in memory).
    pub entry: Entry,
    /// It is an archive itself: only path rules apply to it (its members follow it, if the
    /// depth bound allows).
    pub archive: bool,
}

/// What opening one archive gave, besides its members.
#[derive(Debug, Default)]
pub struct Expansion {
    /// The top-level archive opened (false: it is not an archive of its kind).
    pub opened: bool,
    /// Bounds that stopped reading, by name.
    pub bounds: Vec<&'static str>,
    /// Archives that could not be read (or members of them), with the reason.
    pub errors: Vec<ArchiveError>,
    /// Members not read (display path) and why.
    pub skipped: Vec<(String, SkipReason)>,
}

/// An archive, or a member of one, that could not be read.
#[derive(Debug, Clone)]
pub struct ArchiveError {
    /// Identity path of the archive.
    pub rel: String,
    /// Display path of the archive.
    pub display: String,
    /// What went wrong.
    pub message: String,
}

/// Opens the archive `outer` holds in `bytes` and hands each member to `each`, in archive
/// order; nested archives are opened after they are handed over.
pub fn expand(
    outer: &Entry,
    kind: Kind,
    bytes: &[u8],
    limits: &ArchiveLimits,
    max_file_size: u64,
    each: &mut dyn FnMut(Member),
) -> Expansion {
    let mut walk = Walk {
        limits: *limits,
        max_file_size,
        members_left: limits.max_members,
        bytes_left: limits.max_bytes,
        tripped: Rc::default(),
        out: Expansion::default(),
    };
    walk.out.opened = walk.open(outer, kind, bytes, 1, each);
    walk.out
}

struct Walk {
    limits: ArchiveLimits,
    max_file_size: u64,
    members_left: usize,
    bytes_left: u64,
    /// The bound a limited stream hit, until the archive it belongs to has been closed.
    tripped: Rc<Cell<Option<&'static str>>>,
    out: Expansion,
}

/// Why reading stopped.
enum Stop {
    /// A bound, by name.
    Bound(&'static str),
    /// The member is over the file size limit.
    TooLarge,
    /// The data is broken.
    Corrupt(String),
}

impl Walk {
    fn bound(&mut self, name: &'static str) {
        if !self.out.bounds.contains(&name) {
            self.out.bounds.push(name);
        }
    }

    fn error(&mut self, archive: &Entry, message: String) {
        self.out.errors.push(ArchiveError {
            rel: archive.rel.clone(),
            display: archive.display.clone(),
            message,
        });
    }

    /// Walks one archive at `depth` (1: the top level); false when it could not be opened.
    fn open(
        &mut self,
        archive: &Entry,
        kind: Kind,
        bytes: &[u8],
        depth: usize,
        each: &mut dyn FnMut(Member),
    ) -> bool {
        let gzipped = matches!(kind, Kind::TarGz | Kind::Gz);
        let result = match kind {
            _ if gzipped && !bytes.starts_with(&[0x1f, 0x8b]) => {
                Err(Stop::Corrupt("not gzip-compressed (no gzip header)".to_string()))
            }
            Kind::Zip => self.zip(archive, bytes, depth, each),
            Kind::Tar => self.tar(archive, bytes, depth, each),
            Kind::TarGz => {
                let gz = self.gunzip(bytes);
                self.tar(archive, gz, depth, each)
            }
            Kind::Gz => self.gz(archive, bytes, depth, each),
        };
        // A stream error after a limited stream tripped is the bound, not corruption.
        let result = match (self.tripped.take(), result) {
            (Some(bound), Ok(()) | Err(Stop::Corrupt(_))) => Err(Stop::Bound(bound)),
            (_, r) => r,
        };
        match result {
            Ok(()) => true,
            Err(Stop::Bound(name)) => {
                self.bound(name);
                true
            }
            Err(Stop::Corrupt(msg)) => {
                self.error(archive, msg);
                false
            }
            Err(Stop::TooLarge) => true,
        }
    }

    /// A gzip stream limited by the ratio and byte bounds.
    fn gunzip<'a>(&self, bytes: &'a [u8]) -> Limited<flate2::read::MultiGzDecoder<&'a [u8]>> {
        let ratio = ratio_cap(bytes.len() as u64, self.limits.max_ratio);
        let (cap, bound) = if ratio < self.bytes_left {
            (ratio, BOUND_RATIO)
        } else {
            (self.bytes_left, BOUND_BYTES)
        };
        Limited {
            inner: flate2::read::MultiGzDecoder::new(bytes),
            left: cap,
            bound,
            tripped: Rc::clone(&self.tripped),
        }
    }

    fn zip(
        &mut self,
        archive: &Entry,
        bytes: &[u8],
        depth: usize,
        each: &mut dyn FnMut(Member),
    ) -> Result<(), Stop> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| Stop::Corrupt(format!("not a readable zip archive: {e}")))?;
        for i in 0..zip.len() {
            let name = zip
                .name_for_index(i)
                .and_then(Result::ok)
                .map_or_else(|| "?".to_string(), |n| n.into_owned());
            let mut file = match zip.by_index(i) {
                Ok(f) => f,
                Err(e) => {
                    self.error(archive, format!("member `{name}` not readable: {e}"));
                    continue;
                }
            };
            if file.is_dir() {
                continue;
            }
            // The compressed bytes really present bound the ratio, not the declared size.
            let compressed = file.compressed_size().min(bytes.len() as u64);
            let data = self.read_member(&mut file, Some(compressed));
            drop(file);
            self.member(archive, &name, data, depth, each)?;
        }
        Ok(())
    }

    fn tar(
        &mut self,
        archive: &Entry,
        reader: impl Read,
        depth: usize,
        each: &mut dyn FnMut(Member),
    ) -> Result<(), Stop> {
        let mut tar = tar::Archive::new(reader);
        let entries = tar
            .entries()
            .map_err(|e| Stop::Corrupt(format!("not a readable tar archive: {e}")))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| Stop::Corrupt(format!("not a readable tar archive: {e}")))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let data = self.read_member(&mut entry, None);
            self.member(archive, &name, data, depth, each)?;
        }
        Ok(())
    }

    fn gz(
        &mut self,
        archive: &Entry,
        bytes: &[u8],
        depth: usize,
        each: &mut dyn FnMut(Member),
    ) -> Result<(), Stop> {
        let file = archive.rel.rsplit(['/', '!']).next().unwrap_or("file");
        let name = file
            .get(..file.len().saturating_sub(3))
            .filter(|n| !n.is_empty())
            .unwrap_or("file");
        let mut gz = self.gunzip(bytes);
        match self.read_member(&mut gz, None) {
            Err(Stop::Corrupt(e)) => Err(Stop::Corrupt(format!("not a readable gzip file: {e}"))),
            data => self.member(archive, name, data, depth, each),
        }
    }

    /// Reads one member within every bound (never trusting a declared size).
    fn read_member(&mut self, r: &mut dyn Read, compressed: Option<u64>) -> Result<Vec<u8>, Stop> {
        if self.members_left == 0 {
            return Err(Stop::Bound(BOUND_MEMBERS));
        }
        self.members_left -= 1;
        let mut caps = vec![(self.max_file_size, None), (self.bytes_left, Some(BOUND_BYTES))];
        if let Some(c) = compressed {
            caps.push((ratio_cap(c, self.limits.max_ratio), Some(BOUND_RATIO)));
        }
        let (cap, stop) = caps.into_iter().min_by_key(|(c, _)| *c).unwrap_or((0, None));
        let mut data = Vec::new();
        let read = r.take(cap.saturating_add(1)).read_to_end(&mut data);
        self.bytes_left = self.bytes_left.saturating_sub(data.len() as u64);
        match read {
            Err(_) if self.tripped.get().is_some() => {
                Err(Stop::Bound(self.tripped.get().unwrap_or(BOUND_BYTES)))
            }
            Err(e) => Err(Stop::Corrupt(e.to_string())),
            Ok(n) if n as u64 > cap => Err(stop.map_or(Stop::TooLarge, Stop::Bound)),
            Ok(_) => Ok(data),
        }
    }

    /// Hands one member over, then opens it when it is an archive the depth bound allows.
    fn member(
        &mut self,
        archive: &Entry,
        name: &str,
        data: Result<Vec<u8>, Stop>,
        depth: usize,
        each: &mut dyn FnMut(Member),
    ) -> Result<(), Stop> {
        let name = clean(name);
        let display = format!("{}!{name}", archive.display);
        let data = match data {
            Ok(d) => d,
            Err(Stop::TooLarge) => {
                self.out.skipped.push((display, SkipReason::TooLarge));
                return Ok(());
            }
            Err(Stop::Corrupt(e)) => {
                self.error(archive, format!("member `{name}` not readable: {e}"));
                return Ok(());
            }
            Err(stop) => return Err(stop),
        };
        let bytes: Arc<[u8]> = Arc::from(data);
        let entry = member_entry(archive, &name, display, Arc::clone(&bytes));
        let nested = kind_of(&name);
        each(Member {
            entry: entry.clone(),
            archive: nested.is_some(),
        });
        match nested {
            Some(_) if depth >= self.limits.max_depth => self.bound(BOUND_DEPTH),
            Some(kind) => {
                self.open(&entry, kind, &bytes, depth + 1, each);
            }
            None => {}
        }
        Ok(())
    }
}

/// The entry of member `name` of `archive`.
fn member_entry(archive: &Entry, name: &str, display: String, bytes: Arc<[u8]>) -> Entry {
    Entry {
        root: archive.root,
        rel: format!("{}!{name}", archive.rel),
        display,
        origin: Origin::Memory(bytes),
    }
}

/// A member name as a `/`-separated relative path.
fn clean(name: &str) -> String {
    let name = name.replace('\\', "/");
    let trimmed = name.trim_start_matches("./").trim_start_matches('/');
    if trimmed.is_empty() {
        "file".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Uncompressed bytes `compressed` bytes may expand to.
fn ratio_cap(compressed: u64, ratio: u64) -> u64 {
    compressed.max(1).saturating_mul(ratio).max(RATIO_FLOOR)
}

/// A reader that fails once more than `left` bytes came through, recording its bound in
/// `tripped`.
struct Limited<R> {
    inner: R,
    left: u64,
    bound: &'static str,
    tripped: Rc<Cell<Option<&'static str>>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One more byte tells a stream that ends exactly at the cap from one that goes on.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.tripped.set(Some(self.bound));
            return Err(std::io::Error::other("archive bound reached"));
        }
        let want = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_extensions() {
        assert_eq!(kind_of("a/b.JAR"), Some(Kind::Zip));
        assert_eq!(kind_of("x.tar.gz"), Some(Kind::TarGz));
        assert_eq!(kind_of("x.zip!y.tgz"), Some(Kind::TarGz));
        assert_eq!(kind_of("notes.txt.gz"), Some(Kind::Gz));
        assert_eq!(kind_of("x.tar"), Some(Kind::Tar));
        assert_eq!(kind_of("a.zip!notes.txt"), None);
        assert_eq!(kind_of(".zip"), None);
    }

    #[test]
    fn a_limited_reader_stops_and_says_so() {
        let data = [0u8; 10];
        let limited = |left| Limited {
            inner: &data[..],
            left,
            bound: BOUND_RATIO,
            tripped: Rc::default(),
        };
        let mut r = limited(4);
        assert!(r.read_to_end(&mut Vec::new()).is_err());
        assert_eq!(r.tripped.get(), Some(BOUND_RATIO));
        let mut r = limited(10);
        assert_eq!(r.read_to_end(&mut Vec::new()).ok(), Some(10));
        assert_eq!(r.tripped.get(), None);
    }
}
