//! Result files: atomic writing, the tables of `cartpk_printer` written into a command's
//! output directory, publishing a command's outputs as one set.

pub mod atomic;
pub mod publish;
pub mod tables;
