//! Processes the tests start: each in a process group of its own, stopped with everything it
//! started (nginx's workers, say) when its guard is dropped, also when the test fails and
//! unwinds. SIGTERM first (nginx's master then stops its workers), SIGKILL to the whole group
//! after a short wait, so nothing outlives the test.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A child process in its own process group; the group is stopped on drop.
#[derive(Debug)]
pub struct ProcessGroup(Child);

impl ProcessGroup {
    /// Spawns `cmd` as the leader of a new process group.
    pub fn spawn(cmd: &mut Command) -> std::io::Result<ProcessGroup> {
        cmd.process_group(0).spawn().map(ProcessGroup)
    }

    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// The child, to take its piped stdin or stdout (a test that types into it).
    pub fn child(&mut self) -> &mut Child {
        &mut self.0
    }

    /// Waits for the leader to end; its exit status.
    pub fn wait(&mut self) -> std::io::Result<std::process::ExitStatus> {
        self.0.wait()
    }

    /// Whether the leader is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(None))
    }

    /// SIGKILL to the whole group at once (a crash test's `kill -9`).
    pub fn kill_now(&mut self) {
        signal_group(self.0.id(), "KILL");
        let _ = self.0.wait();
    }

    /// SIGSTOP to the whole group: the process keeps its sockets (connections are accepted
    /// by the kernel) but answers nothing, like a server that hangs.
    pub fn freeze(&self) {
        signal_group(self.0.id(), "STOP");
    }

    /// SIGCONT after [`Self::freeze`].
    pub fn thaw(&self) {
        signal_group(self.0.id(), "CONT");
    }

    /// SIGTERM, up to two seconds for the group to stop, then SIGKILL to what is left.
    pub fn stop(&mut self) {
        let pgid = self.0.id();
        if self.is_running() {
            signal_group(pgid, "CONT");
            signal_group(pgid, "TERM");
            let deadline = Instant::now() + Duration::from_secs(2);
            while self.is_running() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // Also when the leader is gone: a worker it left behind keeps the group alive.
        signal_group(pgid, "KILL");
        let _ = self.0.wait();
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `cmd` to its end in a process group of its own and collects its output; then kills
/// whatever it left in the group (a browser a crashed scenario did not close).
pub fn output_of(cmd: &mut Command) -> std::process::Output {
    let child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let pgid = child.id();
    let output = child.wait_with_output().unwrap();
    signal_group(pgid, "KILL");
    output
}

/// `kill -SIG -- -PGID` (the kill command: no unsafe code for a libc call).
fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}
