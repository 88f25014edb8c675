//! Helpers shared by the integration tests.

pub mod fake;
pub mod http;
pub mod server;
pub mod webdriver;
