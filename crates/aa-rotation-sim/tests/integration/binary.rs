//! The `aa-rotation-sim` binary as a child process, the way tests in other
//! languages run it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{client, json_reply};

const BINARY: &str = env!("CARGO_BIN_EXE_aa-rotation-sim");
const WAIT: Duration = Duration::from_secs(20);

/// A child simulator that is killed if the test ends early.
struct SimProcess {
    child: Child,
    first_line: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SimProcess {
    fn spawn(args: &[&str]) -> SimProcess {
        let mut child = Command::new(BINARY)
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();

        let stdout = child.stdout.take().unwrap();
        let (line_sender, first_line) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = line_sender.send(line);
        });

        // Drain stderr so that the child never blocks on a full pipe.
        let mut stderr_pipe = child.stderr.take().unwrap();
        let (stderr_sender, stderr) = mpsc::channel();
        thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            let _ = stderr_sender.send(text);
        });

        SimProcess {
            child,
            first_line,
            stderr,
        }
    }

    fn base_url(&self) -> String {
        let line = self.first_line.recv_timeout(WAIT).unwrap();
        line.trim_end().to_owned()
    }

    fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the simulator did not exit");
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn stderr(&self) -> String {
        self.stderr.recv_timeout(WAIT).unwrap_or_default()
    }
}

fn write_seed(folder: &tempfile::TempDir) -> String {
    let path = folder.path().join("seed.json");
    let seed = json!({
        "users": [{ "username": "ci@example.in", "password": "ci-password", "entities": ["AA-BIN-1"] }],
        "entities": [{ "entityId": "AA-BIN-1", "secret": "bin-secret", "expiresInDays": 90 }],
    });
    std::fs::write(&path, seed.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

#[tokio::test]
async fn binary_serves_until_stdin_closes() {
    let folder = tempfile::tempdir().unwrap();
    let seed = write_seed(&folder);
    let mut process = SimProcess::spawn(&[
        "--addr",
        "127.0.0.1:0",
        "--exit-on-stdin-eof",
        "--seed",
        &seed,
    ]);

    let base_url = process.base_url();
    let port = base_url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/iam"))
        .unwrap_or_else(|| panic!("unexpected first line {base_url:?}"));
    assert!(port.parse::<u16>().unwrap() > 0);

    let http = client(WAIT);
    let response = http
        .post(format!("{base_url}/v1/entity/token/generate"))
        .form(&[("id", "AA-BIN-1"), ("secret", "bin-secret")])
        .send()
        .await
        .unwrap();
    let reply = json_reply(response).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    drop(process.child.stdin.take());
    let status = process.wait_for_exit();
    assert!(status.success(), "{status}");

    let log = process.stderr();
    assert!(
        log.contains("AA-BIN-1"),
        "requests are logged with the entity id: {log}"
    );
    assert!(
        !log.contains("bin-secret"),
        "secrets never reach the log: {log}"
    );
    assert!(
        !log.contains("ci-password"),
        "passwords never reach the log: {log}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn binary_exits_on_sigterm() {
    let mut process = SimProcess::spawn(&["--addr", "127.0.0.1:0"]);
    let base_url = process.base_url();
    assert!(base_url.ends_with("/iam"), "{base_url}");

    let status = Command::new("kill")
        .args(["-TERM", &process.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = process.wait_for_exit();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn binary_rejects_non_loopback_address() {
    let mut process = SimProcess::spawn(&["--addr", "0.0.0.0:0"]);
    let status = process.wait_for_exit();
    assert!(!status.success(), "{status}");
    assert_eq!(process.base_url(), "", "nothing on stdout");
    let stderr = process.stderr();
    assert!(
        stderr.contains("0.0.0.0:0 is not a loopback address"),
        "{stderr}"
    );
}

#[tokio::test]
async fn binary_reports_missing_seed_file() {
    let folder = tempfile::tempdir().unwrap();
    let missing = folder.path().join("absent.json");
    let mut process = SimProcess::spawn(&["--seed", missing.to_str().unwrap()]);
    let status = process.wait_for_exit();
    assert!(!status.success(), "{status}");
    let stderr = process.stderr();
    assert!(stderr.contains("failed to read"), "{stderr}");
    assert!(stderr.contains("absent.json"), "{stderr}");
}
