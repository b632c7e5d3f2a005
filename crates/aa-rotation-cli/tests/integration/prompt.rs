//! The password prompt on a terminal, through a pseudo-terminal that
//! script(1) opens.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::{BINARY, Fixture, PASSWORD, Run};

const PROMPT: &str = "Password of designated user";

#[test]
fn prompt_reads_password_without_echo() {
    let fixture = Fixture::with_days_left(100.0);
    let mut command = Command::new("/usr/bin/script");
    command
        .args(["-qec", &format!("{BINARY} status"), "/dev/null"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(fixture.variables())
        .current_dir(fixture.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (sender, chunks) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buffer = [0_u8; 4096];
        while let Ok(length) = stdout.read(&mut buffer) {
            if length == 0 || sender.send(buffer[..length].to_vec()).is_err() {
                break;
            }
        }
    });

    // Type the password only once the prompt is shown, when echo is off.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !String::from_utf8_lossy(&seen).contains(PROMPT) {
        assert!(
            Instant::now() < deadline,
            "no prompt: {}",
            String::from_utf8_lossy(&seen)
        );
        if let Ok(chunk) = chunks.recv_timeout(Duration::from_millis(100)) {
            seen.extend(chunk);
        }
    }
    // rpassword writes the prompt before it turns echo off; a person cannot
    // type in that gap, but a test can, so give the terminal time to settle.
    std::thread::sleep(Duration::from_millis(500));
    writeln!(stdin, "{PASSWORD}").unwrap();
    let status = child.wait().unwrap();
    while let Ok(chunk) = chunks.recv_timeout(Duration::from_secs(2)) {
        seen.extend(chunk);
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let run = Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&seen).into_owned(),
        stderr,
    };

    run.assert_code(0);
    assert!(
        run.stdout.contains("days left      100.0"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains(PASSWORD),
        "the password was echoed: {}",
        run.stdout
    );
    fixture.assert_no_leak(&run, false);
}
