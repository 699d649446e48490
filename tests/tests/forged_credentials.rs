//! The wallet refuses credential copies that no trusted issuer signed: the reference backend
//! runs behind a layer that re-signs every issued copy with a key outside the trust list
//! (same claims, same device key, same status entry: only the signature is wrong), and
//! `fetch_credentials` must fail with a typed error and store nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use std::sync::Arc;
use vneid_api::{IssueCredentialsResponse, paths};
use vneid_backend::{Backend, BackendConfig};
use vneid_tests::{activate, open_wallet};
use vneid_wallet::credential::claims::Registry;
use vneid_wallet::credential::cose::{PublicKey, SigningKey};
use vneid_wallet::credential::issuer::{IssueRequest, IssuedCredential, SystemSalts, issue};
use vneid_wallet::credential::receipt::ReceiptError;
use vneid_wallet::credential::trust::IssuerError;
use vneid_wallet::{CredentialRejection, ErrorCode, Wallet, WalletError};

/// How the layer forges.
#[derive(Clone, Copy)]
enum Forgery {
    /// A fresh key with its own kid: not in the trust list at all.
    UnknownKey,
    /// A fresh key claiming the real issuer's kid.
    TrustedKid,
}

fn forge_copy(
    copy: &mut vneid_api::IssuedCredentialCopy,
    forger: &SigningKey,
    registry: &Registry,
) {
    let holder = PublicKey::from_sec1(&B64.decode(&copy.device_public_key).unwrap()).unwrap();
    let env = B64.decode(&copy.credential).unwrap();
    let real = IssuedCredential::from_envelope(registry, &env, &holder).unwrap();
    let req = IssueRequest {
        credential_type: real.payload.credential_type,
        claims: &real.claims,
        holder_key: holder.compressed(),
        nbf: real.payload.nbf,
        exp: real.payload.exp,
    };
    let forged = issue(
        registry,
        forger,
        &req,
        real.payload.status,
        &mut SystemSalts::new(),
    )
    .unwrap();
    copy.credential = B64.encode(forged.to_envelope().unwrap().as_slice());
}

async fn forge_issued(forger: Arc<SigningKey>, req: Request, next: Next) -> Response {
    let is_issue = req.uri().path() == paths::CREDENTIALS_ISSUE;
    let resp = next.run(req).await;
    if !is_issue || !resp.status().is_success() {
        return resp;
    }
    let body = to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    let mut issued: IssueCredentialsResponse = serde_json::from_slice(&body).unwrap();
    let registry = Registry::builtin();
    for copy in &mut issued.credentials {
        forge_copy(copy, &forger, &registry);
    }
    (
        [("content-type", "application/json")],
        Body::from(serde_json::to_vec(&issued).unwrap()),
    )
        .into_response()
}

/// The kid of the reference backend's issuer: its key is a test key whose scalar is
/// SHA-256 of a fixed label (`fixtures/backend/src/issuer.rs`).
fn real_issuer_kid() -> [u8; 8] {
    let scalar: [u8; 32] =
        ring::digest::digest(&ring::digest::SHA256, b"vneid-backend/test-issuer/v1")
            .as_ref()
            .try_into()
            .unwrap();
    SigningKey::from_secret_scalar(&scalar).unwrap().kid()
}

/// The reference backend behind the forging layer, on loopback.
async fn forging_backend(forgery: Forgery) -> (Backend, String) {
    let backend = Backend::open(BackendConfig {
        seed_citizens: 5,
        ..Default::default()
    })
    .await
    .unwrap();
    let forger = match forgery {
        Forgery::UnknownKey => SigningKey::generate().unwrap(),
        Forgery::TrustedKid => SigningKey::generate().unwrap().with_kid(real_issuer_kid()),
    };
    let forger = Arc::new(forger);
    let app = backend
        .router()
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            forge_issued(forger.clone(), req, next)
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (backend, url)
}

async fn activated_wallet(root: &std::path::Path, backend: &Backend, url: &str) -> Wallet {
    let wallet = open_wallet(root, url, |_| {});
    let c = backend.sample_citizens(1).pop().unwrap();
    activate(&wallet, backend, &c).await;
    wallet
}

async fn forged_fetch_is_refused(forgery: Forgery, why: IssuerError) {
    let (backend, url) = forging_backend(forgery).await;
    let root = tempfile::tempdir().unwrap();
    let wallet = activated_wallet(root.path(), &backend, &url).await;

    let err = wallet.fetch_credentials().await.unwrap_err();
    match &err {
        WalletError::CredentialRejected(CredentialRejection::Receipt(ReceiptError::Issuer(e))) => {
            assert_eq!(*e, why)
        }
        other => panic!("expected an untrusted-issuer rejection, got {other:?}"),
    }
    assert_eq!(err.code(), ErrorCode::CredentialIssuerUntrusted);
    assert!(
        wallet.credentials().unwrap().is_empty(),
        "nothing of a forged batch is stored"
    );
    assert!(matches!(
        wallet.present(
            &vneid_wallet::credential::claims::PRESET_IDENTITY_CHECK,
            None
        ),
        Err(WalletError::NoCredential)
    ));
}

#[tokio::test]
async fn copies_signed_by_a_key_outside_the_trust_list_are_refused_and_nothing_is_stored() {
    forged_fetch_is_refused(Forgery::UnknownKey, IssuerError::Unknown).await;
}

#[tokio::test]
async fn copies_signed_by_another_key_under_the_issuers_kid_are_refused() {
    forged_fetch_is_refused(Forgery::TrustedKid, IssuerError::BadSignature).await;
}

#[tokio::test]
async fn a_trust_list_signed_by_another_anchor_refuses_the_fetch() {
    let backend = vneid_backend::spawn(BackendConfig {
        seed_citizens: 5,
        ..Default::default()
    })
    .await
    .unwrap();
    let root = tempfile::tempdir().unwrap();
    let wallet = open_wallet(root.path(), &backend.base_url(), |config| {
        // Pin some other anchor: the genuine list no longer verifies.
        config.trust_anchors = vec![
            SigningKey::generate()
                .unwrap()
                .public_key()
                .compressed()
                .to_vec(),
        ];
    });
    let c = backend.sample_citizens(1).pop().unwrap();
    activate(&wallet, &backend, &c).await;
    let err = wallet.fetch_credentials().await.unwrap_err();
    assert!(
        matches!(
            err,
            WalletError::CredentialRejected(CredentialRejection::TrustList(_))
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), ErrorCode::CredentialIssuerUntrusted);
    assert!(wallet.credentials().unwrap().is_empty());
}

#[test]
fn the_wallets_default_anchor_is_the_reference_backends() {
    assert_eq!(
        vneid_backend::issuer::trust_anchor_public_key().unwrap(),
        vneid_wallet::REFERENCE_TRUST_ANCHOR.to_vec()
    );
}
