//! Benchmarks of the core: a cached entity token, and one full rotation
//! against the in-process simulator. Results are recorded in
//! docs/benchmarks.md; run with `cargo bench -p aa-rotation --bench core`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use aa_rotation::engine::{EngineConfig, UserCredentials};
use aa_rotation::{
    ClientConfig, Password, RotateOptions, RotationClient, RotationConfig, StoreChoice,
};
use aa_rotation_sim::{EntitySeed, SimConfig, Simulator, UserSeed};
use criterion::{Criterion, criterion_group, criterion_main};

const ENTITY: &str = "FIU-BENCH-1";

fn setup(runtime: &tokio::runtime::Runtime, store: StoreChoice) -> (Simulator, RotationClient) {
    runtime.block_on(async {
        let sim = Simulator::start(SimConfig::default()).await.unwrap();
        let expires_at = sim.now().as_second() + 100 * 86_400;
        sim.add_entity(EntitySeed {
            entity_id: ENTITY.into(),
            secret: "bench-secret".into(),
            expires_at: Some(expires_at),
        });
        sim.add_user(UserSeed {
            username: "bench@fiu.example".into(),
            password: "bench-password".into(),
            entities: vec![ENTITY.into()],
            password_expires_at: None,
        });
        let mut engine = EngineConfig::new(ENTITY);
        engine.credentials = Some(UserCredentials {
            username: "bench@fiu.example".into(),
            password: Password::new("bench-password"),
        });
        let config = RotationConfig::new(
            engine,
            ClientConfig::for_base_url(&sim.base_url()).unwrap(),
            store,
        );
        let client = RotationClient::new(config).unwrap();
        client.access_token().await.unwrap();
        (sim, client)
    })
}

fn cached_access_token(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (_sim, client) = setup(&runtime, StoreChoice::Memory);

    c.bench_function("access_token_cached_async", |b| {
        // One block_on around the whole loop: the figure is the cost of the
        // awaited call itself, not of entering the runtime.
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let started = Instant::now();
                for _ in 0..iterations {
                    black_box(client.access_token().await.unwrap());
                }
                started.elapsed()
            })
        });
    });
    c.bench_function("access_token_cached_sync", |b| {
        b.iter(|| black_box(client.cached_access_token().unwrap()));
    });
}

fn full_rotation(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_sim, client) = setup(&runtime, StoreChoice::File(dir.path().join("secret.json")));
    let mut group = c.benchmark_group("rotation");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("full_rotation_file_store", |b| {
        b.iter(|| {
            runtime
                .block_on(client.rotate(RotateOptions {
                    force: true,
                    dry_run: false,
                }))
                .unwrap()
        });
    });
    group.finish();
}

criterion_group!(benches, cached_access_token, full_rotation);
criterion_main!(benches);
