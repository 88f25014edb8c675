//! The `jaga` command line's library: batch scanning, the HTML report, training and
//! evaluation of the classifier, `jaga review`, and the console's export scans and retrains.

pub mod console_tasks;
pub mod evaluate;
pub mod report;
pub mod review;
pub mod scan;
pub mod train;
