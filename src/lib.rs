//! jaga (skeleton)
pub mod event;
pub mod signal;
