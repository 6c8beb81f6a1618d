//! JWKS documents cached between runs (one JSON file in the data dir), so a run does not refetch a key set it
//! saw minutes ago, and so key rotation shows: the key ids of this fetch against the previous one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{KeyRotation, Millis};

/// A cached key set younger than this is used without fetching (unless a token names a kid it lacks).
pub const TTL_MS: Millis = 5 * 60 * 1000;
/// Entries kept at most (oldest dropped): the file stays small whatever a user points Authlens at.
const MAX_ENTRIES: usize = 64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub fetched_at: Millis,
    pub kids: Vec<String>,
    /// The JWKS text as fetched: public keys only.
    pub body: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone)]
pub struct JwksCache {
    path: PathBuf,
}

impl JwksCache {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JwksCache { path: path.into() }
    }

    /// The data dir's cache.
    pub fn default_location() -> Self {
        JwksCache::new(crate::paths::data_dir().join("jwks-cache.json"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> CacheFile {
        // A missing or damaged cache is an empty one: it only saves a fetch.
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn get(&self, url: &str) -> Option<Entry> {
        self.read().entries.remove(url)
    }

    /// Store a fetch; returns the entry it replaced.
    pub fn put(&self, url: &str, entry: Entry) -> std::io::Result<Option<Entry>> {
        let mut file = self.read();
        let previous = file.entries.insert(url.to_string(), entry);
        while file.entries.len() > MAX_ENTRIES {
            let Some(oldest) = file
                .entries
                .iter()
                .min_by_key(|(_, e)| e.fetched_at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            file.entries.remove(&oldest);
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Write then rename: a reader never sees half a file.
        let tmp = self
            .path
            .with_extension(format!("tmp-{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec_pretty(&file).unwrap_or_default())?;
        std::fs::rename(&tmp, &self.path)?;
        Ok(previous)
    }
}

/// Key ids added and removed since `previous`; None when the set is unchanged.
pub fn rotation(previous: &Entry, kids: &[String]) -> Option<KeyRotation> {
    let added: Vec<String> = kids
        .iter()
        .filter(|k| !previous.kids.contains(k))
        .cloned()
        .collect();
    let removed: Vec<String> = previous
        .kids
        .iter()
        .filter(|k| !kids.contains(k))
        .cloned()
        .collect();
    (!added.is_empty() || !removed.is_empty()).then_some(KeyRotation {
        previous_fetch: previous.fetched_at,
        added,
        removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_and_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let cache = JwksCache::new(dir.path().join("sub/jwks.json"));
        assert!(cache.get("u").is_none());
        let e1 = Entry {
            fetched_at: 1,
            kids: vec!["k1".into()],
            body: "{}".into(),
        };
        assert_eq!(cache.put("u", e1.clone()).unwrap(), None);
        assert_eq!(cache.get("u"), Some(e1.clone()));
        let kids = vec!["k1".to_string(), "k2".to_string()];
        let r = rotation(&e1, &kids).unwrap();
        assert_eq!(
            (r.added, r.removed, r.previous_fetch),
            (vec!["k2".to_string()], vec![], 1)
        );
        assert!(rotation(&e1, &["k1".to_string()]).is_none());
        std::fs::write(cache.path(), "not json").unwrap();
        assert!(cache.get("u").is_none());
    }
}
