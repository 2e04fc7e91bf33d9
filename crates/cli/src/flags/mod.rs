//! Command-line flags: argv -> [`lowargs::LowArgs`] (what was typed) -> [`hiargs`]
//! (a resolved, validated configuration) -> a command's run.

pub mod hiargs;
pub mod lowargs;
