//! `demo`: the whole job on the embedded default store, with no setup and no
//! network beyond loopback. Starts the simulator in-process, seeds a designated
//! user and an entity whose secret expires in 10 days, bootstraps a file store
//! in a fresh temporary folder, rotates, verifies the new secret with an
//! entity token, and prints a summary.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Instant;

use aa_rotation::engine::{RotationAction, UserCredentials};
use aa_rotation::{
    ClientConfig, EngineConfig, Password, RotateOptions, RotationClient, RotationConfig,
    StoreChoice,
};
use aa_rotation_sim::{EntitySeedDocument, SeedDocument, SimConfig, Simulator, UserSeed};

use crate::cli::DemoArgs;
use crate::failure::{Failure, OK};
use crate::output::{self, Table};

const USERNAME: &str = "rotation-bot@demo-fiu.example";
/// Known only to this process and its in-process simulator, which listens on
/// a random loopback port and stops when the demo ends.
const PASSWORD: &str = "demo-password-not-secret";
const ENTITY_ID: &str = "DEMO-FIU-1";
const DAYS_LEFT: f64 = 10.0;
const STORE_FILE: &str = "aa-rotation-secret.json";

/// Runs the demo and prints what happened.
pub async fn run(args: DemoArgs) -> Result<u8, Failure> {
    let started = Instant::now();
    let sim = start_simulator().await?;
    let folder = temporary_folder()?;
    let store_path = folder.path().join(STORE_FILE);

    print_intro(&sim, &store_path)?;
    let client = RotationClient::new(config(&sim, &store_path)?)?;

    // `status` bootstraps the empty store: it reads the current secret and its
    // expiry from the Token Service as the designated user.
    let before = client.status().await?;
    output::print(&format!(
        "\n1. Status, as `aa-rotation status` shows it (the store was empty, so the secret was read \
         from the Token Service):\n\n{}",
        indent(&output::status_text(&before))
    ))?;

    let rotation_started = Instant::now();
    let outcome = client.rotate(RotateOptions::default()).await?;
    if outcome.action != RotationAction::Rotated {
        return Err(Failure::Other(format!(
            "the demo expected a rotation, but the core answered {}: {}",
            outcome.action.as_str(),
            outcome.reason
        )));
    }
    output::print(&format!(
        "\n2. Rotation, as `aa-rotation rotate` does it (less than 30 days were left, so it was due):\n\n{}",
        indent(&output::rotation_text(
            &outcome,
            output::RotateRequest::default()
        ))
    ))?;

    // A fresh token: the rotation dropped any token of the old secret.
    let token = client.access_token().await?;
    let rotation_ms = rotation_started.elapsed().as_millis();
    let service_fingerprint = sim
        .counters()
        .entities
        .get(ENTITY_ID)
        .map(|entity| entity.fingerprint.clone());
    let matches_service = service_fingerprint.as_deref() == Some(token.secret_fingerprint.as_str());
    if !matches_service || outcome.fingerprint.as_ref() != Some(&token.secret_fingerprint) {
        return Err(Failure::Other(
            "the demo's stored secret does not match the simulator's current secret; this is a bug, please report it"
                .into(),
        ));
    }
    output::print(&format!(
        "\n3. Verification: the Token Service issued an entity token for the new secret {}, valid until {}. \
         The simulator's current secret has the same fingerprint.\n",
        token.secret_fingerprint,
        output::utc(token.expires_at)
    ))?;

    let resets = sim.counters().resets_of(ENTITY_ID);
    let mode = std::fs::metadata(&store_path)
        .map(|metadata| format!("{:04o}", metadata.permissions().mode() & 0o7777))
        .unwrap_or_else(|error| format!("unreadable: {error}"));
    let mut summary = Table::indented(2);
    summary
        .row(
            "days left",
            format!(
                "{} -> {}",
                optional_days(before.days_left),
                optional_days(outcome.days_left)
            ),
        )
        .row(
            "secret",
            format!(
                "{} -> {}",
                fingerprint(before.fingerprint.as_ref()),
                fingerprint(outcome.fingerprint.as_ref())
            ),
        )
        .row("resets", format!("{resets} (counted by the simulator)"))
        .row(
            "elapsed",
            format!(
                "{} ms in all, {rotation_ms} ms to rotate and verify",
                started.elapsed().as_millis()
            ),
        )
        .row(
            "store file",
            format!("{} (mode {mode})", store_path.display()),
        );
    output::print(&format!("\nSummary\n{}", summary.finish()))?;

    sim.shutdown().await;
    let folder_note = if args.keep {
        let path = folder.keep();
        format!(
            "The folder {} was kept (it contains a simulator's secret, nothing real).",
            path.display()
        )
    } else {
        "The temporary folder was removed; run `aa-rotation demo --keep` to look at the store file and the audit log."
            .to_owned()
    };
    output::print(&format!("{}\n{folder_note}\n", next_steps()))?;
    Ok(OK)
}

async fn start_simulator() -> Result<Simulator, Failure> {
    let sim = Simulator::start(SimConfig::default())
        .await
        .map_err(|error| Failure::Other(format!("could not start the simulator: {error}")))?;
    let seed = SeedDocument {
        users: vec![UserSeed {
            username: USERNAME.into(),
            password: PASSWORD.into(),
            entities: vec![ENTITY_ID.into()],
            password_expires_at: None,
        }],
        // No secret given: the simulator generates a random one.
        entities: vec![EntitySeedDocument {
            entity_id: ENTITY_ID.into(),
            secret: None,
            expires_at: None,
            expires_in_days: Some(DAYS_LEFT),
        }],
    };
    sim.seed_document(seed)
        .map_err(|error| Failure::Other(format!("could not seed the simulator: {error}")))?;
    Ok(sim)
}

/// Creates a new folder that only this user can enter (mode 0700).
fn temporary_folder() -> Result<tempfile::TempDir, Failure> {
    let folder = tempfile::Builder::new()
        .prefix("aa-rotation-demo-")
        .tempdir()
        .map_err(|error| Failure::Other(format!("could not create a temporary folder: {error}")))?;
    std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o700)).map_err(
        |error| {
            Failure::Other(format!(
                "could not set mode 0700 on {}: {error}",
                folder.path().display()
            ))
        },
    )?;
    Ok(folder)
}

/// Builds the configuration in code, so that no variable of the caller's
/// environment changes what the demo does.
fn config(sim: &Simulator, store_path: &Path) -> Result<RotationConfig, Failure> {
    let mut engine = EngineConfig::new(ENTITY_ID);
    engine.credentials = Some(UserCredentials {
        username: USERNAME.into(),
        password: Password::new(PASSWORD),
    });
    let client = ClientConfig::for_base_url(&sim.base_url())?;
    let mut config =
        RotationConfig::new(engine, client, StoreChoice::File(store_path.to_path_buf()));
    config.audit_log = Some(store_path.with_file_name(format!("{STORE_FILE}.audit.jsonl")));
    Ok(config)
}

fn print_intro(sim: &Simulator, store_path: &Path) -> Result<(), Failure> {
    output::print(&format!(
        "aa-rotation demo: one secret rotation, start to finish, against a Token Service simulator at {} \
         (nothing leaves this machine).\n\
         The simulator knows designated user {USERNAME}, who manages entity {ENTITY_ID}, whose secret expires \
         in {DAYS_LEFT:.0} days.\n\
         The secret store is a file in a new temporary folder (mode 0700): {}\n",
        sim.base_url(),
        store_path.display()
    ))
}

fn next_steps() -> String {
    "\nNext: the same against the real Token Service (UAT shown; use production when ready):\n\
     \x20 export AA_ROTATION_ENV=uat\n\
     \x20 export AA_ROTATION_ENTITY_ID=<your entity id>\n\
     \x20 export AA_ROTATION_USERNAME=<your designated user>\n\
     \x20 export AA_ROTATION_PASSWORD_FILE=<file with the password, mode 0600>   # or be asked on a terminal\n\
     \x20 aa-rotation status    # expiry and days left of the stored secret\n\
     \x20 aa-rotation rotate    # rotates when less than 30 days are left\n\
     \x20 aa-rotation check     # for monitoring: exit 0 fine, 1 due, 2 critical, 3 unknown\n\
     \x20 aa-rotation run       # rotates on schedule and serves /metrics and /healthz\n"
        .to_owned()
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("  {line}\n")).collect()
}

fn optional_days(days: Option<f64>) -> String {
    days.map(output::days).unwrap_or_else(|| "unknown".into())
}

fn fingerprint(fingerprint: Option<&aa_rotation::Fingerprint>) -> String {
    fingerprint
        .map(|f| f.to_string())
        .unwrap_or_else(|| "none".into())
}
