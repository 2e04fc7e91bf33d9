//! Cohort statistics (being written).
