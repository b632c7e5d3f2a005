//! A trace-level log capture of a whole rotation contains no secret,
//! password or token.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use aa_rotation::RotateOptions;
use aa_rotation_sim::{Endpoint, Fault};
use common::{PASSWORD, SECRET, fixture};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One thread, so that the subscriber set for this thread sees every task,
// the in-process simulator's included.
#[tokio::test(flavor = "current_thread")]
async fn trace_capture_has_no_secrets() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let f = fixture(10.0).await;
    let client = f.rotation_client();
    client.status().await.unwrap();
    let first_token = client.access_token().await.unwrap();
    f.sim
        .inject_fault(Endpoint::SecretReset, Fault::DropAfterApply, Some(1))
        .unwrap();
    client.rotate(RotateOptions::default()).await.unwrap();
    let second_token = client.access_token().await.unwrap();
    client.recover().await.unwrap();
    let wrong = {
        let mut config = f.rotation_config();
        config.engine.credentials.as_mut().unwrap().password =
            aa_rotation::Password::new("canary-Wrong-Password");
        aa_rotation::RotationClient::new(config)
            .unwrap()
            .rotate(RotateOptions {
                force: true,
                dry_run: false,
            })
            .await
    };
    assert!(wrong.is_err());
    let new_secret = f.service_secret();

    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("TRACE") || text.contains("DEBUG"),
        "capture is empty: {text}"
    );
    assert!(text.contains("rotation event"), "no rotation event logged");
    for (name, value) in [
        ("old secret", SECRET),
        ("new secret", new_secret.as_str()),
        ("password", PASSWORD),
        ("wrong password", "canary-Wrong-Password"),
        ("first entity token", first_token.token.expose_secret()),
        ("second entity token", second_token.token.expose_secret()),
    ] {
        assert!(!text.contains(value), "the log capture contains the {name}");
    }
    // Every token the simulator issues is a JWT whose header starts with eyJ.
    assert!(!text.contains("eyJ"), "the log capture contains a JWT");
    assert!(
        !text.to_ascii_lowercase().contains("bearer "),
        "the log capture contains a bearer header"
    );
}
