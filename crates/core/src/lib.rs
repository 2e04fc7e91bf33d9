//! # cartpk-core
//!
//! The data model shared by every cartpk crate, and the ingestion of assay exports into it.
//!
//! A CAR-T cellular-kinetics data set is a set of [`Profile`]s: the measurements of one
//! subject, in one [`Matrix`] (peripheral blood, bone marrow, CSF), by one [`Assay`]
//! (qPCR transgene copies/ug gDNA, flow cytometry %CAR+ or CAR+ cells/uL), over time since
//! infusion. Every [`Sample`] keeps what the laboratory reported: a quantified value, a
//! value below the limit of quantification ([`SampleValue::Blq`], which keeps its LLOQ), or
//! a missing value. Nothing here decides what a BLQ value *means* for an analysis; that is
//! an explicit rule of the analysis crates (see `cartpk-nca`'s `BlqRules`).
//!
//! Times are always stored in days since infusion ([`TimeUnit`] converts on the way in).
//!
//! [`ingest`] reads long-format CSV (native column names, CDISC ADPC names, or a user
//! mapping) with errors that name the file, line, column, the offending text and what was
//! expected. A bad row rejects its profile, not the whole batch.
//!
//! This crate does no I/O beyond reading the reader or path it is given, and never prints.

pub mod assay;
pub mod ingest;
pub mod matrix;
pub mod profile;
pub mod sample;
pub mod spreadsheet;
pub mod subjects;
pub mod time_unit;
pub mod unit;

pub use assay::Assay;
pub use matrix::Matrix;
pub use profile::{Dose, Profile, ProfileKey};
pub use sample::{Sample, SampleValue};
pub use subjects::{SubjectsError, SubjectsTable};
pub use time_unit::TimeUnit;
pub use unit::ConcUnit;
