//! The embedded default store: one JSON file, mode 0600.
//!
//! Readers see either the old or the new file, never a torn one: a write goes to
//! a temporary file in the same folder, which is fsynced, renamed over the
//! store file, and then the folder is fsynced so the rename survives a power
//! loss. Writers on one host serialize on an advisory lock of `<file>.lock`,
//! which the kernel releases when a process dies. A file that cannot be parsed
//! is reported and never overwritten.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{SecretRecord, SecretStore};
use crate::error::{Error, Result};

/// The version of the file layout.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize, Default)]
struct Document {
    format: u32,
    entities: BTreeMap<String, SecretRecord>,
}

/// A [`SecretStore`] in one JSON file.
#[derive(Clone, Debug)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// Creates a store at `path`. The file is created on the first write; its folder
    /// must exist or be creatable.
    pub fn new(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        if path.as_os_str().is_empty() {
            return Err(Error::Config(
                "the store path is empty; set AA_ROTATION_STORE".into(),
            ));
        }
        if path.is_dir() {
            return Err(Error::Config(format!(
                "the store path {} is a folder; give a file path such as {}/aa-rotation-secret.json",
                path.display(),
                path.display()
            )));
        }
        // Absolute, so that status output names the file unambiguously.
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(Self { path })
    }

    /// Returns the store file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the lease file beside the store file, used by [`crate::lease::FileLease`].
    pub fn lease_path(&self) -> PathBuf {
        sibling(&self.path, ".lease")
    }

    fn lock_path(&self) -> PathBuf {
        sibling(&self.path, ".lock")
    }

    fn read_document(&self) -> Result<Option<Document>> {
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == IoErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("open", &self.path, &e)),
        };
        check_private(&self.path, &file)?;
        let mut text = zeroize::Zeroizing::new(String::new());
        file.read_to_string(&mut text)
            .map_err(|e| io_error("read", &self.path, &e))?;
        let document: Document = serde_json::from_str(&text).map_err(|e| {
            Error::Store(format!(
                "the store file {} is not a valid aa-rotation store ({} at line {} column {}); it was left \
                 unchanged: restore it from a backup or move it aside and run `aa-rotation recover`",
                self.path.display(),
                match e.classify() {
                    serde_json::error::Category::Eof => "truncated",
                    serde_json::error::Category::Syntax => "syntax error",
                    _ => "unexpected content",
                },
                e.line(),
                e.column()
            ))
        })?;
        if document.format != FORMAT {
            return Err(Error::Store(format!(
                "the store file {} has format {}, but this version reads format {FORMAT}; upgrade aa-rotation",
                self.path.display(),
                document.format
            )));
        }
        Ok(Some(document))
    }

    fn write_document(&self, document: &Document) -> Result<()> {
        let folder = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let text = zeroize::Zeroizing::new(
            serde_json::to_string_pretty(document)
                .map_err(|e| Error::Store(format!("could not encode the store: {e}")))?,
        );
        let temporary = folder.join(format!(
            ".{}.tmp-{}-{}",
            self.path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            std::process::id(),
            rand::random::<u32>()
        ));
        let result = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&temporary)
                .map_err(|e| io_error("create", &temporary, &e))?;
            file.write_all(text.as_bytes())
                .map_err(|e| io_error("write", &temporary, &e))?;
            file.sync_all()
                .map_err(|e| io_error("fsync", &temporary, &e))?;
            fs::rename(&temporary, &self.path).map_err(|e| io_error("rename", &self.path, &e))?;
            File::open(folder)
                .and_then(|dir| dir.sync_all())
                .map_err(|e| io_error("fsync folder", folder, &e))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        result
    }

    fn put_blocking(&self, record: &SecretRecord, expected_version: Option<u64>) -> Result<bool> {
        ensure_folder(&self.path)?;
        let lock_path = self.lock_path();
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| io_error("open", &lock_path, &e))?;
        lock.lock().map_err(|e| io_error("lock", &lock_path, &e))?;

        let mut document = self.read_document()?.unwrap_or(Document {
            format: FORMAT,
            entities: BTreeMap::new(),
        });
        let stored = document.entities.get(&record.entity_id).map(|r| r.version);
        if stored != expected_version {
            return Ok(false);
        }
        document
            .entities
            .insert(record.entity_id.clone(), record.clone());
        self.write_document(&document)?;
        // The lock is released when `lock` is dropped.
        Ok(true)
    }
}

#[async_trait]
impl SecretStore for FileStore {
    async fn get(&self, entity_id: &str) -> Result<Option<SecretRecord>> {
        let store = self.clone();
        let entity_id = entity_id.to_owned();
        blocking(move || {
            Ok(store
                .read_document()?
                .and_then(|mut d| d.entities.remove(&entity_id)))
        })
        .await
    }

    async fn put(&self, record: &SecretRecord, expected_version: Option<u64>) -> Result<bool> {
        let store = self.clone();
        let record = record.clone();
        blocking(move || store.put_blocking(&record, expected_version)).await
    }

    fn describe(&self) -> String {
        format!("file://{}", self.path.display())
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Store(format!("store task failed: {e}")))?
}

/// Rejects a store file that group or others may read or write.
fn check_private(path: &Path, file: &File) -> Result<()> {
    let metadata = file.metadata().map_err(|e| io_error("stat", path, &e))?;
    if !metadata.is_file() {
        return Err(Error::Store(format!(
            "the store path {} is not a regular file; give a file path such as /var/lib/aa-rotation/secret.json",
            path.display()
        )));
    }
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::Store(format!(
            "the store file {} has mode {mode:03o}, so other users may read the secret; run `chmod 600 {}` \
             and rotate the secret if others could have read it",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

fn ensure_folder(path: &Path) -> Result<()> {
    let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    if folder.exists() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
        .map_err(|e| io_error("create folder", folder, &e))
}

pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

fn io_error(action: &str, path: &Path, error: &std::io::Error) -> Error {
    let hint = match error.kind() {
        IoErrorKind::PermissionDenied => "; check the file's owner and permissions",
        IoErrorKind::NotFound => "; check that the folder exists",
        _ => "",
    };
    Error::Store(format!(
        "could not {action} {}: {error}{hint}",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ExpirySource;
    use crate::secret::ClientSecret;
    use crate::store::{StoredSecret, save};

    fn record(entity: &str, secret: &str) -> SecretRecord {
        let mut record = SecretRecord::new(entity);
        record.current = Some(StoredSecret::new(
            ClientSecret::new(secret),
            None,
            ExpirySource::Unknown,
            jiff::Timestamp::now(),
        ));
        record
    }

    #[tokio::test]
    async fn round_trip_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("secret.json")).unwrap();
        let mut written = record("FIU-1", "s3cr3t-value");
        save(&store, &mut written, None).await.unwrap();
        assert_eq!(written.version, 1);

        let loaded = store.get("FIU-1").await.unwrap().unwrap();
        assert_eq!(loaded.version, 1);
        assert_eq!(
            loaded.current.unwrap().value.expose_secret(),
            "s3cr3t-value"
        );
        let mode = fs::metadata(store.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(store.get("OTHER").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn stale_version_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("secret.json")).unwrap();
        let mut first = record("FIU-1", "a");
        save(&store, &mut first, None).await.unwrap();
        let mut stale = first.clone();
        save(&store, &mut first, None).await.unwrap();
        let error = save(&store, &mut stale, None).await.unwrap_err();
        assert!(
            matches!(error, Error::StoreConflict { expected: 1, .. }),
            "{error}"
        );
    }

    #[tokio::test]
    async fn lower_fence_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("secret.json")).unwrap();
        let mut current = record("FIU-1", "a");
        save(&store, &mut current, Some(5)).await.unwrap();
        let mut stale = store.get("FIU-1").await.unwrap().unwrap();
        let error = save(&store, &mut stale, Some(4)).await.unwrap_err();
        assert!(
            matches!(error, Error::LeaseLost { fence: 4, .. }),
            "{error}"
        );
    }

    #[tokio::test]
    async fn group_readable_file_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.json");
        let store = FileStore::new(&path).unwrap();
        save(&store, &mut record("FIU-1", "a"), None).await.unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let error = store.get("FIU-1").await.unwrap_err().to_string();
        assert!(error.contains("mode 644"), "{error}");
        assert!(error.contains("chmod 600"), "{error}");
    }

    #[tokio::test]
    async fn corrupt_file_is_reported_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.json");
        fs::write(&path, "{\"format\": 1, \"entities\": {").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let store = FileStore::new(&path).unwrap();
        let error = store.get("FIU-1").await.unwrap_err().to_string();
        assert!(error.contains("not a valid aa-rotation store"), "{error}");
        assert!(error.contains("truncated"), "{error}");
        let error = save(&store, &mut record("FIU-1", "b"), None)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("left unchanged"), "{error}");
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "{\"format\": 1, \"entities\": {"
        );
    }

    #[tokio::test]
    async fn several_entities_share_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("nested/secret.json")).unwrap();
        save(&store, &mut record("AA-1", "x"), None).await.unwrap();
        save(&store, &mut record("FIU-2", "y"), None).await.unwrap();
        assert_eq!(
            store
                .get("AA-1")
                .await
                .unwrap()
                .unwrap()
                .current
                .unwrap()
                .value
                .expose_secret(),
            "x"
        );
        assert_eq!(
            store
                .get("FIU-2")
                .await
                .unwrap()
                .unwrap()
                .current
                .unwrap()
                .value
                .expose_secret(),
            "y"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("nested"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn folder_path_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let error = FileStore::new(dir.path()).unwrap_err().to_string();
        assert!(error.contains("is a folder"), "{error}");
    }
}
