//! Cross-language test vectors between this SDK's off-chain module and the
//! TypeScript client (`clients/js`, `@panacea/client`).
//!
//! - `clients/js/test/vectors/rust.json` is written here (from the SDK's own
//!   functions, with fixed inputs where the API takes them and the SDK's
//!   randomness where it does not) and the TS tests reproduce or open every
//!   entry.
//! - `clients/js/test/vectors/ts.json` is written by the TS tests
//!   (`npm run vectors`) and opened and checked here, entry by entry.
//!
//! Both files are committed. This test checks the committed `rust.json`
//! against the SDK on every run and rewrites it only when it is missing or
//! when `PANACEA_WRITE_VECTORS=1` (its ciphertexts use fresh random nonces,
//! so a rewrite changes them).

use {
    panacea_sdk::offchain::{self, BlobStore, DataKey, EncryptionKeypair},
    serde_json::{json, Value},
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::path::PathBuf,
};

/// The record every vector's ciphertext and wrapped key is bound to
/// (format v2): its address, hex in the vectors' `record` fields.
const RECORD: [u8; 32] = [0x52; 32];
/// The record's version, the vectors' `record_version` fields.
const RECORD_VERSION: u16 = 1;

fn context() -> offchain::RecordContext {
    offchain::RecordContext::new(RECORD, RECORD_VERSION)
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../clients/js/test/vectors")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(
        text.len().is_multiple_of(2),
        "hex string of odd length: {}",
        text.len()
    );
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn field<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("vector field '{name}' missing or not a string in {v}"))
}

fn bytes32(v: &Value, name: &str) -> [u8; 32] {
    unhex(field(v, name))
        .try_into()
        .unwrap_or_else(|_| panic!("vector field '{name}' is not 32 bytes"))
}

/// A FHIR R4 resource with nothing real in it.
const OBSERVATION: &str = r#"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"valueQuantity":{"value":5.4,"unit":"%"}}"#;

/// The consent v3 text of a fixed grant, from the program's own encoder.
fn consent_v3_sample() -> String {
    use consent::{
        message::ConsentMessage,
        state::{actions, ConsentPurpose, ConsentTerms, Decision},
    };
    let message = ConsentMessage {
        deployment: "devnet".into(),
        program_id: consent::ID,
        patient: Keypair::new_from_array([0x11; 32]).pubkey(),
        grantee: Keypair::new_from_array([0x22; 32]).pubkey(),
        purpose: ConsentPurpose::Payment,
        terms: Some(ConsentTerms {
            decision: Decision::Permit,
            kinds: 0x03ff,
            actions: actions::ACCESS,
            period_start: 1_795_219_200,
            period_end: 1_826_755_200,
            policy_commitment: [0xab; 32],
        }),
        consent_epoch: 3,
        consent_version: 0,
        issued_at: 1_795_219_300,
        expires_at: 1_795_222_800,
    };
    let text = message.text();
    assert_eq!(envelope(&text), message.signed_bytes());
    text
}

/// The Solana off-chain message envelope of `text`, as the program builds
/// and verifies it: the bytes the wallet signs.
fn envelope(text: &str) -> Vec<u8> {
    consent::message::envelope(text.as_bytes())
        .expect("a printable ASCII message of at most 1,212 bytes")
}

async fn write_rust_vectors() -> Value {
    // Deterministic parts: exact outputs the TS side must reproduce.
    let salt = [0x5a; offchain::SALT_LEN];
    let wallet_seed = [0x42; 32];
    let wallet = Keypair::new_from_array(wallet_seed);
    let keys = EncryptionKeypair::from_wallet_seed(&wallet_seed);
    let recipient = EncryptionKeypair::from_secret_bytes([0x33; 32]);
    let data_key = DataKey::from_bytes([0x07; 32]);
    let mut payload = salt.to_vec();
    payload.extend_from_slice(OBSERVATION.as_bytes());
    // Random parts (nonce, ephemeral key): the TS side opens them, and
    // re-encrypts with the nonce found in the ciphertext to get the same bytes.
    let ciphertext = offchain::encrypt(&data_key, &context(), &payload).unwrap();
    let wrapped = offchain::wrap_key(&data_key, &RECORD, &recipient.public_key_bytes()).unwrap();
    // A whole sealed record, as `issue_record` stores it, and the name of
    // the patient's envelope.
    let store = BlobStore::in_memory();
    let sealed = offchain::seal(OBSERVATION.as_bytes(), &context(), &store)
        .await
        .unwrap();
    let sealed_ciphertext = store.get(&sealed.uri).await.unwrap();
    let sealed_wrapped =
        offchain::wrap_key(&sealed.data_key, &RECORD, &keys.public_key_bytes()).unwrap();
    let envelope_name =
        offchain::envelope_name(&sealed.data_key, &RECORD, &keys.public_key_bytes()).unwrap();
    let text = consent_v3_sample();
    let signed = envelope(&text);
    json!({
        "about": "written by sdk/tests/vectors.rs (cargo test -p panacea-sdk --test vectors); checked by clients/js/test/vectors.test.ts",
        "commitment": { "input": hex(b"abc"), "output": hex(&offchain::commitment(b"abc")) },
        "content_commitment": {
            "salt": hex(&salt),
            "plaintext": OBSERVATION,
            "output": hex(&offchain::content_commitment(&salt, OBSERVATION.as_bytes())),
        },
        "keyed_commitment": {
            "wallet_seed": hex(&wallet_seed),
            "domain": "credential",
            "document": hex(b"licence 12345"),
            "commitment_key": hex(offchain::commitment_key(&wallet).as_ref()),
            "output": hex(&offchain::keyed_commitment(&wallet, "credential", b"licence 12345")),
        },
        "x25519_from_wallet": {
            "wallet_seed": hex(&wallet_seed),
            "secret": hex(keys.secret_bytes().as_ref()),
            "public": hex(&keys.public_key_bytes()),
        },
        "x25519_from_secret": {
            "secret": hex(recipient.secret_bytes().as_ref()),
            "public": hex(&recipient.public_key_bytes()),
        },
        "encrypt": {
            "record": hex(&RECORD),
            "record_version": RECORD_VERSION,
            "naming_key": hex(&offchain::naming_public_key(&data_key, &RECORD)),
            "data_key": hex(data_key.as_bytes()),
            "plaintext": hex(&payload),
            "ciphertext": hex(&ciphertext),
            "commitment": hex(&offchain::commitment(&ciphertext)),
        },
        "wrap": {
            "record": hex(&RECORD),
            "recipient_secret": hex(recipient.secret_bytes().as_ref()),
            "data_key": hex(data_key.as_bytes()),
            "wrapped": hex(&wrapped),
        },
        "sealed_record": {
            "plaintext": OBSERVATION,
            "uri": sealed.uri,
            "ciphertext": hex(&sealed_ciphertext),
            "commitment": hex(&sealed.commitment),
            "content_commitment": hex(&sealed.content_commitment),
            "record": hex(&RECORD),
            "record_version": RECORD_VERSION,
            "recipient_wallet_seed": hex(&wallet_seed),
            "wrapped_key": hex(&sealed_wrapped),
            "envelope_name": hex(&envelope_name.0),
        },
        "ed25519": {
            "wallet_seed": hex(&wallet_seed),
            "public": wallet.pubkey().to_string(),
            "message": hex(&signed),
            "signature": hex(wallet.sign_message(&signed).as_ref()),
        },
        "consent_v3": {
            "patient_seed": hex(&[0x11; 32]),
            "grantee_seed": hex(&[0x22; 32]),
            "text": text,
            "envelope": hex(&signed),
        },
    })
}

/// Checks a Rust vector file against the SDK (the parts that are
/// deterministic are recomputed; the random ones are opened).
fn check_rust_vectors(v: &Value) {
    let wallet_seed = bytes32(&v["keyed_commitment"], "wallet_seed");
    let wallet = Keypair::new_from_array(wallet_seed);
    assert_eq!(
        field(&v["keyed_commitment"], "output"),
        hex(&offchain::keyed_commitment(
            &wallet,
            field(&v["keyed_commitment"], "domain"),
            &unhex(field(&v["keyed_commitment"], "document"))
        ))
    );
    let e = &v["encrypt"];
    let key = DataKey::from_bytes(bytes32(e, "data_key"));
    assert_eq!(
        offchain::decrypt(&key, &context(), &unhex(field(e, "ciphertext"))).unwrap(),
        unhex(field(e, "plaintext"))
    );
    let w = &v["wrap"];
    let recipient = EncryptionKeypair::from_secret_bytes(bytes32(w, "recipient_secret"));
    assert_eq!(
        offchain::unwrap_key(&unhex(field(w, "wrapped")), &RECORD, &recipient)
            .unwrap()
            .as_bytes(),
        &bytes32(w, "data_key")
    );
    let e = &v["encrypt"];
    assert_eq!(
        field(e, "naming_key"),
        hex(&offchain::naming_public_key(&key, &RECORD))
    );
    let s = &v["sealed_record"];
    let patient = EncryptionKeypair::from_wallet_seed(&bytes32(s, "recipient_wallet_seed"));
    let sealed_key =
        offchain::unwrap_key(&unhex(field(s, "wrapped_key")), &RECORD, &patient).unwrap();
    let naming = offchain::naming_key_of(&unhex(field(s, "ciphertext"))).unwrap();
    assert_eq!(
        field(s, "envelope_name"),
        hex(
            &offchain::envelope_name_for_recipient(&patient, &RECORD, &naming)
                .unwrap()
                .0
        )
    );
    assert_eq!(
        field(s, "envelope_name"),
        hex(
            &offchain::envelope_name(&sealed_key, &RECORD, &patient.public_key_bytes())
                .unwrap()
                .0
        )
    );
    assert_eq!(
        field(&v["consent_v3"], "envelope"),
        hex(&envelope(&consent_v3_sample()))
    );
}

/// The vectors the SDK writes (format v2) check out against the SDK, fresh
/// from memory whatever is committed.
#[tokio::test]
async fn v2_vectors_check_out_in_memory() {
    let v = write_rust_vectors().await;
    check_rust_vectors(&v);
}

#[tokio::test]
async fn rust_vectors_for_the_ts_client() {
    let path = vectors_dir().join("rust.json");
    let rewrite = std::env::var("PANACEA_WRITE_VECTORS").is_ok_and(|v| v == "1");
    if rewrite || !path.exists() {
        let v = write_rust_vectors().await;
        check_rust_vectors(&v);
        std::fs::create_dir_all(vectors_dir()).unwrap();
        std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
    }
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    check_rust_vectors(&v);
}

/// What the TS client wrote (`npm run vectors` in clients/js) opens and
/// checks out with the Rust SDK.
#[tokio::test]
async fn ts_vectors_open_with_the_rust_sdk() {
    let path = vectors_dir().join("ts.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (write it with `npm run vectors` in clients/js)",
            path.display()
        )
    });
    let v: Value = serde_json::from_str(&text).unwrap();

    // Commitments.
    let c = &v["commitment"];
    assert_eq!(
        field(c, "output"),
        hex(&offchain::commitment(&unhex(field(c, "input"))))
    );
    let c = &v["content_commitment"];
    let salt: [u8; offchain::SALT_LEN] = bytes32(c, "salt");
    assert_eq!(
        field(c, "output"),
        hex(&offchain::content_commitment(
            &salt,
            field(c, "plaintext").as_bytes()
        ))
    );
    let k = &v["keyed_commitment"];
    let wallet = Keypair::new_from_array(bytes32(k, "wallet_seed"));
    assert_eq!(
        field(k, "commitment_key"),
        hex(offchain::commitment_key(&wallet).as_ref())
    );
    assert_eq!(
        field(k, "output"),
        hex(&offchain::keyed_commitment(
            &wallet,
            field(k, "domain"),
            &unhex(field(k, "document"))
        ))
    );

    // Encryption keys derived from a wallet.
    let x = &v["x25519_from_wallet"];
    let keys = EncryptionKeypair::from_wallet_seed(&bytes32(x, "wallet_seed"));
    assert_eq!(field(x, "public"), hex(&keys.public_key_bytes()));
    assert_eq!(field(x, "secret"), hex(keys.secret_bytes().as_ref()));

    // A payload the TS client encrypted.
    let e = &v["encrypt"];
    let key = DataKey::from_bytes(bytes32(e, "data_key"));
    let ciphertext = unhex(field(e, "ciphertext"));
    assert_eq!(
        field(e, "commitment"),
        hex(&offchain::commitment(&ciphertext))
    );
    assert_eq!(
        offchain::decrypt(&key, &context(), &ciphertext).unwrap(),
        unhex(field(e, "plaintext"))
    );
    let mut altered = ciphertext.clone();
    *altered.last_mut().unwrap() ^= 1;
    assert!(offchain::decrypt(&key, &context(), &altered).is_err());

    // A key the TS client wrapped.
    let w = &v["wrap"];
    let recipient = EncryptionKeypair::from_secret_bytes(bytes32(w, "recipient_secret"));
    assert_eq!(
        offchain::unwrap_key(&unhex(field(w, "wrapped")), &RECORD, &recipient)
            .unwrap()
            .as_bytes(),
        &bytes32(w, "data_key")
    );
    let stranger = EncryptionKeypair::from_secret_bytes([0x99; 32]);
    assert!(offchain::unwrap_key(&unhex(field(w, "wrapped")), &RECORD, &stranger).is_err());

    // A whole record the TS client sealed: stored as the SDK stores it, it
    // opens with the SDK's `open` (commitment, then AEAD, then content).
    let s = &v["sealed_record"];
    let store = BlobStore::in_memory();
    let uri = store.put(unhex(field(s, "ciphertext"))).await.unwrap();
    assert_eq!(uri, field(s, "uri"));
    let patient_keys = EncryptionKeypair::from_wallet_seed(&bytes32(s, "recipient_wallet_seed"));
    let data_key =
        offchain::unwrap_key(&unhex(field(s, "wrapped_key")), &RECORD, &patient_keys).unwrap();
    assert_eq!(
        field(s, "envelope_name"),
        hex(
            &offchain::envelope_name(&data_key, &RECORD, &patient_keys.public_key_bytes())
                .unwrap()
                .0
        )
    );
    let opened = offchain::open(
        &store,
        &context(),
        &uri,
        &bytes32(s, "commitment"),
        &bytes32(s, "content_commitment"),
        &data_key,
    )
    .await
    .unwrap();
    assert_eq!(opened, field(s, "plaintext").as_bytes());

    // A consent message the TS client encoded and signed: the same envelope
    // and (Ed25519 being deterministic) the same signature as the Rust side.
    let m = &v["consent_v3"];
    assert_eq!(field(m, "text"), consent_v3_sample());
    let signed = envelope(field(m, "text"));
    assert_eq!(field(m, "envelope"), hex(&signed));
    let patient = Keypair::new_from_array(bytes32(m, "patient_seed"));
    assert_eq!(field(m, "patient"), patient.pubkey().to_string());
    assert_eq!(
        field(m, "signature"),
        hex(patient.sign_message(&signed).as_ref())
    );
}
