//! `demo`: no setup, one rotation, a summary.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::support::{BINARY, run_to_end};

#[test]
fn demo_prints_summary() {
    let mut command = Command::new(BINARY);
    command.arg("demo").env_clear();

    let run = run_to_end(command);

    run.assert_code(0);
    assert!(run.stdout.contains("Summary"), "{}", run.stdout);
    assert!(run.stdout.contains("10.0 -> 180.0"), "{}", run.stdout);
    assert!(run.stdout.contains("resets         1 "), "{}", run.stdout);
    assert!(run.stdout.contains("(mode 0600)"), "{}", run.stdout);
    assert!(run.stdout.contains(" ms in all"), "{}", run.stdout);
    assert!(!run.stdout.contains("demo-password"), "{}", run.stdout);
    assert!(!run.stdout.contains("eyJ"), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn demo_removes_its_folder() {
    let mut command = Command::new(BINARY);
    command.arg("demo").env_clear();

    let run = run_to_end(command);

    run.assert_code(0);
    let line = run
        .stdout
        .lines()
        .find(|line| line.contains("store file"))
        .unwrap();
    let path = line.split_whitespace().nth(2).unwrap();
    assert!(
        !std::path::Path::new(path).exists(),
        "{path} was left behind"
    );
}

#[test]
fn demo_keep_leaves_private_store() {
    let tmp = tempfile::tempdir().unwrap();
    let mut command = Command::new(BINARY);
    command
        .args(["demo", "--keep"])
        .env_clear()
        .env("TMPDIR", tmp.path());

    let run = run_to_end(command);

    run.assert_code(0);
    let line = run
        .stdout
        .lines()
        .find(|line| line.contains("store file"))
        .unwrap();
    let store = std::path::PathBuf::from(line.split_whitespace().nth(2).unwrap());
    assert!(store.starts_with(tmp.path()), "{}", store.display());
    let folder = store.parent().unwrap();
    let folder_mode = std::fs::metadata(folder).unwrap().permissions().mode() & 0o777;
    assert_eq!(folder_mode, 0o700, "folder mode {folder_mode:o}");
    let store_mode = std::fs::metadata(&store).unwrap().permissions().mode() & 0o777;
    assert_eq!(store_mode, 0o600, "store mode {store_mode:o}");
    let audit = folder.join("aa-rotation-secret.json.audit.jsonl");
    let audit_mode = std::fs::metadata(&audit).unwrap().permissions().mode() & 0o777;
    assert_eq!(audit_mode, 0o600, "audit log mode {audit_mode:o}");

    // The new secret is in the store file and nowhere in the output.
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&store).unwrap()).unwrap();
    let secret = document["entities"]["DEMO-FIU-1"]["current"]["value"]
        .as_str()
        .unwrap();
    assert!(!secret.is_empty());
    assert!(!run.stdout.contains(secret), "{}", run.stdout);
    assert!(!std::fs::read_to_string(&audit).unwrap().contains(secret));
}
