//! orchestrator (to be built).
