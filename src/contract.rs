//! The validation contract (to be built).
