//! Inputs, opened once.
//!
//! A path may be a regular file, a FIFO, a process substitution (`<(cat feed.jsonl)`, a pipe
//! behind `/dev/fd/63`) or a terminal; standard input may be any of these. A stream can be
//! read only once, front to back, so every input is opened exactly once and everything the
//! readers need first (the zip signature, the encoding, the format, the WhatsApp date order)
//! is sniffed from that one handle:
//!
//! - a regular file is read with positioned reads ([`RandomAccess`]): the sniff, the date-order
//!   pre-scan and a zip's central directory each get their own cursor on the one descriptor;
//! - a stream is read once through a buffer: the head that was sniffed is replayed in front of
//!   the rest, a WhatsApp export's date order comes from a bounded look-ahead, and a zip (which
//!   needs its directory at the end) is held in memory up to [`MAX_STREAMED_ZIP`] bytes.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Largest zip read from a pipe or standard input: it is held in memory, since a zip's
/// directory is at its end. A larger one is refused with what to do instead.
pub const MAX_STREAMED_ZIP: u64 = 256 << 20;

/// One input of a scan, as named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

impl Input {
    /// The name diagnostics and origins use.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::Path(p) => p.display().to_string(),
        }
    }

    /// Opens the input for reading, once.
    ///
    /// A regular file is opened now, so a typo or a missing permission fails before anything
    /// is scanned. A FIFO (or any other non-regular path) is only checked to exist now and is
    /// opened when its turn comes: opening a FIFO waits for its writer, and a writer that
    /// fills it only after an earlier input was read would otherwise wait for jaga forever.
    pub fn open(&self) -> io::Result<Source<'static>> {
        let name: Arc<str> = self.name().into();
        let handle = match self {
            Input::Stdin => stdin_handle()?,
            Input::Path(p) => {
                let meta = std::fs::metadata(p)?;
                if meta.is_dir() {
                    return Err(io::Error::other("is a directory"));
                }
                if meta.is_file() {
                    Handle::File(File::open(p)?)
                } else {
                    Handle::Deferred(p.clone())
                }
            }
        };
        Ok(Source { name, handle })
    }
}

/// Standard input as a file when it is one (`jaga scan - < export.zip` can seek), otherwise
/// as a stream.
#[cfg(unix)]
fn stdin_handle() -> io::Result<Handle<'static>> {
    use std::os::fd::AsFd;
    let mut file = File::from(io::stdin().as_fd().try_clone_to_owned()?);
    // Positioned reads start at byte 0: a redirected file that a parent already read from
    // is read as the stream it is, from where it stands.
    if file.metadata()?.is_file() && file.stream_position()? == 0 {
        Ok(Handle::File(file))
    } else {
        Ok(Handle::Stream(Box::new(file)))
    }
}

#[cfg(not(unix))]
fn stdin_handle() -> io::Result<Handle<'static>> {
    Ok(Handle::Stream(Box::new(io::stdin())))
}

/// An opened input: what the readers read, exactly once.
pub struct Source<'a> {
    pub(crate) name: Arc<str>,
    pub(crate) handle: Handle<'a>,
}

pub(crate) enum Handle<'a> {
    /// A regular file, read with positioned reads.
    File(File),
    /// A FIFO or other special file, opened when it is read.
    Deferred(PathBuf),
    /// A pipe, standard input or any reader: read once, front to back.
    Stream(Box<dyn Read + Send + 'a>),
    /// Bytes in memory (tests, benchmarks, fuzzing).
    Bytes(&'a [u8]),
}

impl<'a> Source<'a> {
    /// Bytes held in memory, read like a file of that name (a zip included).
    pub fn from_bytes(name: &str, bytes: &'a [u8]) -> Source<'a> {
        Source {
            name: name.into(),
            handle: Handle::Bytes(bytes),
        }
    }

    /// Any reader, read once like a pipe.
    pub fn from_reader(name: &str, r: impl Read + Send + 'a) -> Source<'a> {
        Source {
            name: name.into(),
            handle: Handle::Stream(Box::new(r)),
        }
    }

    /// The name diagnostics and origins use.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Bytes to read, for a progress bar; `None` for a stream. For a zip this is the zip's
    /// own size: the progress counts the bytes read from the file, compressed or not.
    pub fn size(&self) -> Option<u64> {
        match &self.handle {
            Handle::File(f) => f.metadata().ok().map(|m| m.len()),
            Handle::Bytes(b) => Some(b.len() as u64),
            Handle::Deferred(_) | Handle::Stream(_) => None,
        }
    }
}

/// Reads at an offset without a shared cursor, so several readers can walk one input.
pub(crate) trait RandomAccess {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    fn size(&self) -> io::Result<u64>;
}

impl RandomAccess for File {
    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }

    // `seek_read` moves the handle's cursor too, which nothing here relies on: every read
    // of a random-access input is positioned.
    #[cfg(windows)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(self, buf, offset)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }
}

impl RandomAccess for &[u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.len());
        let n = buf.len().min(self.len() - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }

    fn size(&self) -> io::Result<u64> {
        Ok(<[u8]>::len(self) as u64)
    }
}

/// An independent cursor on a [`RandomAccess`] input.
pub(crate) struct At<'a> {
    src: &'a dyn RandomAccess,
    pos: u64,
}

impl<'a> At<'a> {
    pub(crate) fn new(src: &'a dyn RandomAccess) -> At<'a> {
        At { src, pos: 0 }
    }
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.src.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for At<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.src.size()?.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

/// Counts bytes read, for the progress bar.
pub(crate) struct Counting<'c, R> {
    pub(crate) inner: R,
    pub(crate) counter: Option<&'c AtomicU64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(c) = self.counter {
            c.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<'_, R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.inner.seek(to)
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
pub(crate) fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_on_one_input_are_independent() {
        let data: &[u8] = b"0123456789";
        let mut a = At::new(&data);
        let mut b = At::new(&data);
        let mut x = [0u8; 4];
        a.read_exact(&mut x).unwrap();
        assert_eq!(&x, b"0123");
        b.seek(SeekFrom::End(-3)).unwrap();
        b.read_exact(&mut x[..3]).unwrap();
        assert_eq!(&x[..3], b"789");
        a.read_exact(&mut x).unwrap();
        assert_eq!(&x, b"4567", "a's cursor did not move with b's");
        assert!(a.seek(SeekFrom::Current(-100)).is_err());
        a.seek(SeekFrom::Start(100)).unwrap();
        assert_eq!(a.read(&mut x).unwrap(), 0, "past the end reads nothing");
    }
}
