//! The `jaga` command line's library: batch scanning, the HTML report, training and
//! evaluation of the classifier, and `jaga review`.

pub mod evaluate;
pub mod report;
pub mod review;
pub mod scan;
pub mod train;
