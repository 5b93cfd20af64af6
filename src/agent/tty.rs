//! The simulated agent's terminal settings: with bracketed paste on, the terminal frames
//! each paste with `ESC [200~` … `ESC [201~`, and a cooked-mode tty echoes those escapes as
//! the visible text `^[[200~`, a stray mark before every prompt and notice. Real agents run
//! in raw mode and never show them; the simulated agent turns off only the caret echo of
//! control characters (`ECHOCTL`), so line editing and the echo of typed text stay.
use std::os::fd::AsRawFd;

/// Restores the terminal's settings when dropped.
pub struct QuietControlEcho {
    fd: i32,
    saved: libc::termios,
}

impl QuietControlEcho {
    /// Turns off `ECHOCTL` on `stdin` if it is a terminal; `None` when it is not (or the
    /// settings cannot be read), leaving everything as it was.
    pub fn on_stdin() -> Option<Self> {
        let fd = std::io::stdin().as_raw_fd();
        // SAFETY: an all-zero termios is a valid value to be overwritten by tcgetattr.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is this process's stdin; saved is a valid, writable termios.
        if unsafe { libc::tcgetattr(fd, &mut saved) } != 0 {
            return None;
        }
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHOCTL;
        // SAFETY: fd is stdin and quiet a termios read from it with one flag cleared.
        if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &quiet) } != 0 {
            return None;
        }
        Some(QuietControlEcho { fd, saved })
    }
}

impl Drop for QuietControlEcho {
    fn drop(&mut self) {
        // SAFETY: restores the settings read from the same fd in `on_stdin`.
        unsafe {
            libc::tcsetattr(self.fd, libc::TCSANOW, &self.saved);
        }
    }
}
