//! Shared fixtures: an in-process simulator with one designated user and one
//! entity, a temporary folder for the store, and a runner for the real
//! `aa-rotation` binary that starts from an empty environment and checks
//! every output for leaked credentials.

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use aa_rotation::{ClientConfig, ClientSecret, TokenServiceClient};
use aa_rotation_sim::{EntitySeed, SimConfig, Simulator, UserSeed};

pub const BINARY: &str = env!("CARGO_BIN_EXE_aa-rotation");
pub const USERNAME: &str = "rotation-bot@fiu-test.example";
pub const PASSWORD: &str = "canary-Password-7c1e";
pub const ENTITY: &str = "FIU-TEST-1";
pub const INITIAL_SECRET: &str = "canary-initial-secret-93fd";
pub const DAY: i64 = 86_400;

/// The maximum time one command may run before the test fails.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

/// A simulator on its own runtime, a store folder, and every secret value
/// seen so far, for the leak checks.
pub struct Fixture {
    pub sim: Simulator,
    pub dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    known_secrets: RefCell<Vec<String>>,
}

impl Fixture {
    /// Starts a fixture whose entity's secret expires in `days_left` days
    /// (negative: already expired).
    pub fn with_days_left(days_left: f64) -> Fixture {
        Fixture::start(SimConfig::default(), Some(days_left))
    }

    /// Starts a simulator with `config` and an entity whose secret expires in
    /// `days_left` days, or never.
    pub fn start(config: SimConfig, days_left: Option<f64>) -> Fixture {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let sim = runtime.block_on(Simulator::start(config)).unwrap();
        let now = sim.now().as_second();
        sim.add_entity(EntitySeed {
            entity_id: ENTITY.into(),
            secret: INITIAL_SECRET.into(),
            expires_at: days_left.map(|days| now + (days * DAY as f64) as i64),
        });
        sim.add_user(UserSeed {
            username: USERNAME.into(),
            password: PASSWORD.into(),
            entities: vec![ENTITY.into()],
            password_expires_at: None,
        });
        let dir = tempfile::Builder::new()
            .prefix("aa-rotation-cli-test-")
            .tempdir()
            .unwrap();
        Fixture {
            sim,
            dir,
            runtime,
            known_secrets: RefCell::new(vec![INITIAL_SECRET.to_owned()]),
        }
    }

    /// Starts another simulator on this fixture's runtime, empty, for tests
    /// that need a second Token Service.
    pub fn start_simulator(&self) -> Simulator {
        self.runtime
            .block_on(Simulator::start(SimConfig::default()))
            .unwrap()
    }

    pub fn store_path(&self) -> PathBuf {
        self.dir.path().join("secret.json")
    }

    /// Prepares the binary with an empty environment plus the variables for
    /// this fixture's simulator, entity, designated user and store.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BINARY);
        command
            .args(args)
            .env_clear()
            .envs(self.variables())
            .env("AA_ROTATION_PASSWORD", PASSWORD)
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        command
    }

    /// Returns the variables for this fixture's simulator, entity, designated
    /// user and store, without the password.
    pub fn variables(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AA_ROTATION_BASE_URL", self.sim.base_url()),
            ("AA_ROTATION_ENTITY_ID", ENTITY.to_owned()),
            ("AA_ROTATION_USERNAME", USERNAME.to_owned()),
            ("AA_ROTATION_STORE", self.store_path().display().to_string()),
        ]
    }

    /// Runs `aa-rotation ARGS` with the fixture's environment.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_command(self.command(args))
    }

    /// Runs a prepared command and checks its output for leaks.
    pub fn run_command(&self, command: Command) -> Run {
        let run = run_to_end(command);
        self.assert_no_leak(&run, false);
        run
    }

    /// Checks `run`'s output for every secret value seen so far, the
    /// password, and (unless `token_expected`) anything shaped like a JWT.
    pub fn assert_no_leak(&self, run: &Run, token_expected: bool) {
        if let Some(current) = self.sim.current_secret(ENTITY) {
            let mut known = self.known_secrets.borrow_mut();
            if !known.contains(&current) {
                known.push(current);
            }
        }
        for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(
                !text.contains(PASSWORD),
                "{name} contains the password:\n{text}"
            );
            for secret in self.known_secrets.borrow().iter() {
                assert!(
                    !text.contains(secret.as_str()),
                    "{name} contains a secret value:\n{text}"
                );
            }
            // Every JWT starts with a base64url-encoded JSON header: `eyJ`.
            if !(token_expected && name == "stdout") {
                assert!(!text.contains("eyJ"), "{name} contains a token:\n{text}");
            }
        }
    }

    /// Reads the `current` secret from the store file.
    pub fn stored_secret(&self) -> String {
        let record = self.stored_record();
        record["current"]["value"].as_str().unwrap().to_owned()
    }

    /// Reads the entity's record from the store file.
    pub fn stored_record(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.store_path()).unwrap();
        let document: serde_json::Value = serde_json::from_str(&text).unwrap();
        document["entities"][ENTITY].clone()
    }

    pub fn current_secret(&self) -> String {
        self.sim.current_secret(ENTITY).unwrap()
    }

    pub fn resets(&self) -> u64 {
        self.sim.counters().resets_of(ENTITY)
    }

    /// Requests an entity token with `secret` directly from the simulator.
    pub fn authenticates(&self, secret: &str) -> bool {
        let config = ClientConfig::for_base_url(&self.sim.base_url()).unwrap();
        let client = TokenServiceClient::new(config).unwrap();
        self.runtime
            .block_on(client.generate_entity_token(ENTITY, &ClientSecret::new(secret)))
            .is_ok()
    }
}

/// The result of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing both outputs when it differs.
    pub fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Runs `command` to its end, killing it after [`COMMAND_TIMEOUT`].
pub fn run_to_end(mut command: Command) -> Run {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(COMMAND_TIMEOUT) {
        Ok(output) => Run::from(output.unwrap()),
        Err(_) => {
            signal(pid, "KILL");
            panic!("aa-rotation did not finish within {COMMAND_TIMEOUT:?}");
        }
    }
}

/// Sends a signal (`TERM`, `KILL`) to a process through kill(1), because the
/// workspace forbids the unsafe code that libc::kill needs.
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name} {pid} failed");
}

/// A child process whose standard error is read line by line on a thread.
pub struct Background {
    pub child: Child,
    stderr_lines: mpsc::Receiver<String>,
    stdout_lines: mpsc::Receiver<String>,
    pub stderr: Vec<String>,
    pub stdout: Vec<String>,
}

impl Background {
    pub fn spawn(mut command: Command) -> Background {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr_lines = lines_of(child.stderr.take().unwrap());
        let stdout_lines = lines_of(child.stdout.take().unwrap());
        Background {
            child,
            stderr_lines,
            stdout_lines,
            stderr: Vec::new(),
            stdout: Vec::new(),
        }
    }

    /// Waits for a stderr line containing `needle`.
    pub fn wait_for_stderr(&mut self, needle: &str) {
        loop {
            match self.stderr_lines.recv_timeout(COMMAND_TIMEOUT) {
                Ok(line) => {
                    let found = line.contains(needle);
                    self.stderr.push(line);
                    if found {
                        return;
                    }
                }
                Err(error) => panic!(
                    "no stderr line with {needle:?} ({error:?}); stderr so far:\n{}",
                    self.stderr.join("\n")
                ),
            }
        }
    }

    /// Waits for the next stdout line.
    pub fn next_stdout_line(&mut self) -> String {
        let line = self
            .stdout_lines
            .recv_timeout(COMMAND_TIMEOUT)
            .unwrap_or_else(|error| {
                panic!(
                    "no stdout line ({error:?}); stderr:\n{}",
                    self.stderr.join("\n")
                )
            });
        self.stdout.push(line.clone());
        line
    }

    /// Waits for the process to exit and collects the rest of its output.
    pub fn finish(mut self) -> Run {
        let deadline = std::time::Instant::now() + COMMAND_TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the process did not exit in time");
            }
            thread::sleep(Duration::from_millis(20));
        };
        // The reader threads end at end-of-file, which follows the exit.
        while let Ok(line) = self.stdout_lines.recv_timeout(Duration::from_secs(5)) {
            self.stdout.push(line);
        }
        while let Ok(line) = self.stderr_lines.recv_timeout(Duration::from_secs(5)) {
            self.stderr.push(line);
        }
        Run {
            code: status.code(),
            stdout: self.stdout.join("\n"),
            stderr: self.stderr.join("\n"),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines_of(stream: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Returns a loopback port with nothing listening: bound, then released.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A plain HTTP/1.1 GET over loopback; returns the status code and the body.
pub fn http_get(address: SocketAddr, path: &str) -> (u16, String) {
    assert!(address.ip().is_loopback(), "tests only talk to loopback");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Writes `text` to a new file of mode 0600 in `dir`.
pub fn private_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join(name);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .unwrap();
    file.write_all(text.as_bytes()).unwrap();
    path
}
