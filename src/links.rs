//! TEMPORARY stand-in (replaced by the real link analysis).
use crate::event::Attachment;
use crate::extract::Entity;
use crate::signal::{Finding, Signal};
use std::path::Path;
pub struct LinkLists;
#[derive(Debug, thiserror::Error)]
#[error("x")]
pub struct LinkListError;
impl LinkLists {
    pub fn load(_d: &Path) -> Result<LinkLists, LinkListError> {
        Ok(LinkLists)
    }
}
pub fn analyse(
    _l: &LinkLists,
    text: &str,
    urls: &[Entity],
    attachments: &[Attachment],
    out: &mut Vec<Finding>,
) {
    for u in urls {
        out.push(Finding::new(
            Signal::Link,
            u.start,
            u.end,
            &text[u.start..u.end],
        ));
    }
    for a in attachments {
        if a.name.ends_with(".apk") {
            out.push(Finding::new(Signal::AttachmentApk, 0, 0, a.name.clone()));
        }
    }
}
