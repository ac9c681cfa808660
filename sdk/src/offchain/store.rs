//! Ciphertext blob store on `object_store`: a local directory by default,
//! S3-compatible storage (`s3://bucket/prefix`) and others through the same
//! interface.
//!
//! Blobs are content-addressed and their names are opaque: a blob is stored
//! under the 64 lowercase hex digits of its commitment, and the URI put on
//! chain is `panacea://<those digits>`. The URI says nothing about where the
//! blob lives, so a record can move between stores without a transaction.

use std::{path::Path as FsPath, sync::Arc};

use object_store::{
    local::LocalFileSystem, memory::InMemory, path::Path, prefix::PrefixStore, ObjectStore,
    ObjectStoreExt, ObjectStoreScheme, PutPayload,
};
use url::Url;

use super::{aead::commitment, keywrap::EnvelopeName, to_hex, OffchainError};

/// Scheme of the content URIs this store hands out.
pub const URI_SCHEME: &str = "panacea://";
/// Length of a content URI: the scheme and 64 hex digits.
pub const URI_LEN: usize = URI_SCHEME.len() + 64;

/// The content URI of a blob with this commitment: a record's ciphertext
/// is found from its on-chain `commitment` alone, in the store the issuer
/// and the patient use.
pub fn blob_uri(commitment: &[u8; 32]) -> String {
    format!("{URI_SCHEME}{}", to_hex(commitment))
}

/// The object name inside the store of a content URI; fails with
/// [`OffchainError::InvalidUri`] unless the URI is `panacea://` followed by
/// exactly 64 lowercase hex digits.
fn object_path(uri: &str) -> Result<Path, OffchainError> {
    match uri.strip_prefix(URI_SCHEME) {
        Some(name)
            if name.len() == 64
                && name
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            Ok(Path::from(name))
        }
        _ => Err(OffchainError::InvalidUri(uri.to_owned())),
    }
}

/// Where record ciphertexts are kept.
#[derive(Debug, Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
}

impl BlobStore {
    /// A store over any `object_store` backend (GCS, Azure, a throttled or
    /// instrumented wrapper, ...). Blobs are written at its root.
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { inner: store }
    }

    /// A store in the local directory `dir`, created if it does not exist.
    pub fn local(dir: impl AsRef<FsPath>) -> Result<Self, OffchainError> {
        std::fs::create_dir_all(dir.as_ref())?;
        Ok(Self::new(Arc::new(LocalFileSystem::new_with_prefix(dir)?)))
    }

    /// A store in memory, lost when the last clone is dropped: for tests.
    pub fn in_memory() -> Self {
        Self::new(Arc::new(InMemory::new()))
    }

    /// A store from a URL:
    ///
    /// - `file:///absolute/dir`: a local directory, created if missing;
    /// - `s3://bucket/prefix` (or an `https://` S3 or R2 URL): S3-compatible
    ///   storage, configured by `options` with `object_store`'s
    ///   `AmazonS3ConfigKey` names (`aws_access_key_id`,
    ///   `aws_secret_access_key`, `aws_region`, `aws_endpoint`,
    ///   `aws_allow_http`, ...); credentials missing from `options` are
    ///   looked up when a request is made, not here;
    /// - `memory://`: an in-memory store.
    ///
    /// Any other URL fails with [`OffchainError::InvalidUri`]. Nothing is
    /// contacted over the network here.
    pub fn from_url(
        url: &str,
        options: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, OffchainError> {
        let invalid = || OffchainError::InvalidUri(url.to_owned());
        let parsed = Url::parse(url).map_err(|_| invalid())?;
        let (scheme, _) = ObjectStoreScheme::parse(&parsed).map_err(|_| invalid())?;
        match scheme {
            ObjectStoreScheme::Local => {
                let dir = parsed.to_file_path().map_err(|_| invalid())?;
                Self::local(dir)
            }
            ObjectStoreScheme::AmazonS3 | ObjectStoreScheme::Memory => {
                let (store, prefix) = object_store::parse_url_opts(&parsed, options)?;
                Ok(if prefix.as_ref().is_empty() {
                    Self::new(Arc::from(store))
                } else {
                    Self::new(Arc::new(PrefixStore::new(store, prefix)))
                })
            }
            _ => Err(invalid()),
        }
    }

    /// Stores a ciphertext under its commitment and returns its content URI.
    /// Storing the same ciphertext twice is harmless.
    pub async fn put(&self, ciphertext: Vec<u8>) -> Result<String, OffchainError> {
        let uri = blob_uri(&commitment(&ciphertext));
        let path = object_path(&uri)?;
        self.inner.put(&path, PutPayload::from(ciphertext)).await?;
        Ok(uri)
    }

    /// Fetches the ciphertext at a content URI.
    ///
    /// Fails with [`OffchainError::BlobNotFound`] when there is none. The
    /// bytes are not checked here: [`open`](super::open) checks them against
    /// the on-chain commitment.
    pub async fn get(&self, uri: &str) -> Result<Vec<u8>, OffchainError> {
        let path = object_path(uri)?;
        let found = match self.inner.get(&path).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(OffchainError::BlobNotFound(uri.to_owned()))
            }
            Err(e) => return Err(e.into()),
        };
        Ok(found.bytes().await?.to_vec())
    }

    /// Deletes the ciphertext at a content URI. Deleting a blob that is not
    /// there succeeds, as S3 does, so that an interrupted erasure can be
    /// retried.
    pub async fn delete(&self, uri: &str) -> Result<(), OffchainError> {
        let path = object_path(uri)?;
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl BlobStore {
    /// `envelopes/<64 hex digits of the keyed name>`: the name says nothing
    /// about the record, its commitment or the recipient (see
    /// [`super::envelope_name`]).
    fn envelope_path(name: &EnvelopeName) -> Path {
        Path::from(format!("envelopes/{}", to_hex(&name.0)))
    }

    /// Keeps a wrapped data key (an envelope) under its keyed name. A
    /// wrapped key reveals nothing without the recipient's secret.
    pub async fn put_envelope(
        &self,
        name: &EnvelopeName,
        wrapped: &[u8],
    ) -> Result<(), OffchainError> {
        self.inner
            .put(
                &Self::envelope_path(name),
                PutPayload::from(wrapped.to_vec()),
            )
            .await?;
        Ok(())
    }

    /// The envelope stored under `name`.
    pub async fn get_envelope(&self, name: &EnvelopeName) -> Result<Vec<u8>, OffchainError> {
        match self.inner.get(&Self::envelope_path(name)).await {
            Ok(found) => Ok(found.bytes().await?.to_vec()),
            Err(object_store::Error::NotFound { .. }) => Err(OffchainError::BlobNotFound(
                "key envelope (none under this recipient's name for this record)".to_owned(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the envelope stored under `name`; deleting one that is not
    /// there succeeds, so an interrupted erasure or re-key can be retried.
    pub async fn delete_envelope(&self, name: &EnvelopeName) -> Result<(), OffchainError> {
        match self.inner.delete(&Self::envelope_path(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chacha20poly1305::aead::{rand_core::RngCore, OsRng};

    /// A fresh directory under the system temporary directory, removed when
    /// dropped.
    pub(crate) struct TempDir(pub(crate) std::path::PathBuf);

    impl TempDir {
        pub(crate) fn new() -> Self {
            let mut suffix = [0u8; 8];
            OsRng.fill_bytes(&mut suffix);
            Self(std::env::temp_dir().join(format!("panacea-offchain-{}", to_hex(&suffix))))
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn uris_are_opaque_and_fit_on_chain() {
        let uri = blob_uri(&[0xab; 32]);
        assert_eq!(uri, format!("panacea://{}", "ab".repeat(32)));
        assert_eq!(uri.len(), URI_LEN);
        assert!(object_path(&uri).is_ok());
    }

    #[test]
    fn malformed_uris_are_refused() {
        for uri in [
            "",
            "panacea://",
            "s3://bucket/abc",
            &format!("panacea://{}", "AB".repeat(32)),
            &format!("panacea://{}", "ab".repeat(31)),
            &format!("panacea://{}/x", "ab".repeat(32)),
            &format!("panacea://../{}", "ab".repeat(31)),
        ] {
            assert!(
                matches!(object_path(uri), Err(OffchainError::InvalidUri(u)) if u == uri),
                "{uri}"
            );
        }
    }

    #[tokio::test]
    async fn local_store_puts_gets_and_deletes() {
        let dir = TempDir::new();
        let store = BlobStore::local(dir.0.join("nested/blobs")).unwrap();
        let uri = store.put(b"ciphertext".to_vec()).await.unwrap();
        assert_eq!(uri, blob_uri(&commitment(b"ciphertext")));
        assert_eq!(store.get(&uri).await.unwrap(), b"ciphertext");
        // The blob is a file named by the commitment, nothing else.
        let file = dir.0.join("nested/blobs").join(&uri[URI_SCHEME.len()..]);
        assert_eq!(std::fs::read(file).unwrap(), b"ciphertext");

        store.delete(&uri).await.unwrap();
        assert!(matches!(store.get(&uri).await, Err(OffchainError::BlobNotFound(u)) if u == uri));
        // Deleting again is harmless.
        store.delete(&uri).await.unwrap();
    }

    #[tokio::test]
    async fn missing_blob_is_its_own_error() {
        let dir = TempDir::new();
        let store = BlobStore::local(&dir.0).unwrap();
        let uri = blob_uri(&[1; 32]);
        assert!(matches!(store.get(&uri).await, Err(OffchainError::BlobNotFound(u)) if u == uri));
        assert!(matches!(
            BlobStore::in_memory().get(&uri).await,
            Err(OffchainError::BlobNotFound(_))
        ));
    }

    #[tokio::test]
    async fn file_url_opens_a_local_store() {
        let dir = TempDir::new();
        let url = Url::from_directory_path(dir.0.join("from-url")).unwrap();
        let store = BlobStore::from_url(url.as_str(), []).unwrap();
        let uri = store.put(b"blob".to_vec()).await.unwrap();
        // Another store over the same directory sees the blob.
        let again = BlobStore::local(dir.0.join("from-url")).unwrap();
        assert_eq!(again.get(&uri).await.unwrap(), b"blob");
    }

    #[test]
    fn s3_url_builds_without_contacting_anything() {
        let options = [
            ("aws_region", "us-east-1"),
            ("aws_endpoint", "http://127.0.0.1:9"),
            ("aws_allow_http", "true"),
            ("aws_access_key_id", "test"),
            ("aws_secret_access_key", "test"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        BlobStore::from_url("s3://records-bucket/panacea/blobs", options).unwrap();
        BlobStore::from_url("memory://", []).unwrap();
    }

    #[test]
    fn unsupported_store_urls_are_refused() {
        for url in ["ftp://example.org/x", "not a url", "gs://bucket/x"] {
            assert!(
                matches!(BlobStore::from_url(url, []), Err(OffchainError::InvalidUri(u)) if u == url),
                "{url}"
            );
        }
    }
}
