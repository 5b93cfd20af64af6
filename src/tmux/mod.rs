//! tmux (to be built).
