//! WhatsApp `.zip` exports ("export chat" with media): the chat `.txt` inside is read like a
//! plain export, and the other files are the attachments its messages name, so a message
//! that sent `undangan.apk` carries that file name for the attachment rules.

use std::collections::HashSet;
use std::io;
use std::sync::Arc;

use zip::ZipArchive;

use super::source::{At, Counting, RandomAccess};
use super::{decoded, read_text, Level, Prescan, ReadOptions, Sink};

/// File names of the attachments in a zip export (the base names, as messages cite them).
#[derive(Debug, Default, Clone)]
pub struct Attachments {
    names: HashSet<String>,
}

impl Attachments {
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Whether the first bytes of an input are a zip signature (a local file header, or the
/// end-of-directory record of an empty zip).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// Entries that hold a chat: `.txt` (WhatsApp), `.json` (a zipped Telegram export) and
/// `.jsonl` (events).
fn is_chat(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !lower.starts_with("__macosx/")
        && (lower.ends_with(".txt") || lower.ends_with(".json") || lower.ends_with(".jsonl"))
}

fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn zip_error(e: zip::result::ZipError) -> io::Error {
    match e {
        zip::result::ZipError::Io(e) => e,
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    }
}

/// Reads every chat entry of a zip export into the sink.
///
/// The zip is read through independent cursors on the one opened input: the main one (whose
/// bytes the progress counts) and, for the date-order pre-scan, a second one.
pub(crate) fn read(
    name: Arc<str>,
    input: &dyn RandomAccess,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let fail = |sink: &mut dyn Sink, message: String| -> io::Result<()> {
        if sink.begin(name.clone()).is_ok() {
            let _ = sink.diagnostic(None, Level::Error, message);
        }
        Ok(())
    };
    let main = Counting {
        inner: At::new(input),
        counter: opts.progress.as_deref(),
    };
    let mut archive = match ZipArchive::new(main) {
        Ok(a) => a,
        Err(e) => {
            return fail(
                sink,
                format!("not a readable zip ({e}); is the download complete? unzip it and scan the .txt inside"),
            )
        }
    };
    let mut chats = Vec::new();
    let mut attachments = Attachments::default();
    let mut damaged = Vec::new();
    for i in 0..archive.len() {
        // A damaged entry is reported and skipped; the others are still read.
        let f = match archive.by_index_raw(i) {
            Ok(f) => f,
            Err(e) => {
                damaged.push(format!(
                    "entry {} of the zip is damaged ({e}); skipped (is the download complete?)",
                    i + 1
                ));
                continue;
            }
        };
        if f.is_dir() {
            continue;
        }
        if is_chat(f.name()) {
            chats.push((i, f.name().to_string()));
        } else {
            attachments.names.insert(base_name(f.name()).to_string());
        }
    }
    for message in damaged {
        fail(sink, message)?;
    }
    if chats.is_empty() {
        return fail(
            sink,
            "no chat in this zip (no .txt or .json file); is it a WhatsApp export?".into(),
        );
    }
    for (index, entry) in chats {
        let source: Arc<str> = format!("{name}/{entry}").into();
        // The date-order pre-scan reads the entry a second time through its own handle.
        let mut second: Option<ZipArchive<At<'_>>> = None;
        let mut prescan = || {
            if second.is_none() {
                second = Some(ZipArchive::new(At::new(input)).map_err(zip_error)?);
            }
            let archive = second.as_mut().expect("just set");
            let f = archive.by_index(index).map_err(zip_error)?;
            super::whatsapp::infer_order(decoded(f)?.0)
        };
        let file = match archive.by_index(index) {
            Ok(f) => f,
            Err(e) => {
                if sink.begin(source).is_ok() {
                    let _ = sink.diagnostic(
                        None,
                        Level::Error,
                        format!("cannot read this entry of the zip ({e}); unzip it and scan the file directly"),
                    );
                }
                continue;
            }
        };
        if let Err(e) = read_text(
            source.clone(),
            file,
            Prescan::Reopen(&mut prescan),
            Some(&attachments),
            opts,
            sink,
        ) {
            // A corrupt deflate stream is bad input, not a failure of the whole scan: the
            // decompressors report it as InvalidData, InvalidInput or UnexpectedEof. The zip
            // itself is in memory or a regular file, so nothing else fails here but the
            // device, and that too only loses this entry.
            let _ = sink.diagnostic(
                None,
                Level::Error,
                format!("the zip entry is damaged ({e}); everything before the damage was scanned"),
            );
        }
    }
    Ok(())
}
