//! Level-2 upgrade over FFI: `WalletCore.upgrade_to_level2` reads the citizen's chip
//! ID card through the app's `NfcTransport` and lets the core do the rest (backend challenge,
//! evidence, selfie reference, the electronic-ID credential). Converts types only.

use crate::chip::NfcTransport;
use crate::chip::{CardAccessKey, ChipIdentity, ChipReadListener, ChipReadProgress, NfcError};
use crate::error::VneidError;
use crate::wallet::WalletCore;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use vneid_emrtd::session::{ReadProgress, Transport, TransportError};
use vneid_wallet::Level2Progress;

/// What the upgrade achieved.
#[derive(Clone, uniffi::Record)]
pub struct Level2Result {
    /// The account level now (2).
    pub level: u8,
    /// Unix seconds of the backend's verification.
    pub verified_at: u64,
    /// Copies of the electronic ID now in the wallet (present it with
    /// `PresentationPreset.ELECTRONIC_ID_CHECK`).
    pub electronic_id_copies: u32,
    /// The backend verified the chip's signature over its challenge (active authentication;
    /// false for a card without DG15).
    pub active_authentication: bool,
    /// The chip as the phone read it, for the confirmation screen.
    pub chip: ChipIdentity,
}

impl std::fmt::Debug for Level2Result {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Level2Result")
            .field("level", &self.level)
            .field("electronic_id_copies", &self.electronic_id_copies)
            .finish_non_exhaustive()
    }
}

/// The app's transport as the core's.
struct AppTransport(Arc<dyn NfcTransport>);

impl Transport for AppTransport {
    fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0.transceive(apdu.to_vec()).map_err(|e| match e {
            NfcError::TagLost => TransportError::TagLost,
            NfcError::Timeout => TransportError::Timeout,
            NfcError::Other { reason } => TransportError::Other(reason),
        })
    }

    fn max_transceive_len(&self) -> usize {
        usize::try_from(self.0.max_transceive_length()).unwrap_or(usize::MAX)
    }
}

/// Stops the chip read (before its next APDU) when the call is cancelled: `cancel_all` or a
/// cancelled Kotlin coroutine drops the task, and with it this guard.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl WalletCore {
    /// Raises the unlocked account to level 2: reads the chip with `key` over `transport`
    /// (called from a background thread; progress to `listener`), sends the chip evidence and
    /// the SHA-256 of `selfie` (the portrait the app just took) to the backend, which
    /// re-verifies the card and checks it is the account holder's, then fetches the
    /// electronic-ID credential. Errors: `CHIP_HOLDER_MISMATCH` (another citizen's card),
    /// `CHIP_EVIDENCE_REJECTED` (altered, untrusted or cloned card), the chip read's own codes,
    /// `SELFIE_INVALID`; the level is unchanged after any of them.
    pub async fn upgrade_to_level2(
        &self,
        key: CardAccessKey,
        transport: Arc<dyn NfcTransport>,
        selfie: Vec<u8>,
        listener: Option<Arc<dyn ChipReadListener>>,
    ) -> Result<Level2Result, VneidError> {
        let key = key.to_access_key()?;
        let progress: Option<Level2Progress> = listener.map(|l| {
            Box::new(move |p: &ReadProgress| {
                l.on_progress(ChipReadProgress::from(p));
            }) as Level2Progress
        });
        let outcome = self
            .run(move |w| async move {
                let cancel = Arc::new(AtomicBool::new(false));
                let _guard = CancelOnDrop(Arc::clone(&cancel));
                w.upgrade_to_level2(AppTransport(transport), key, &selfie, progress, cancel)
                    .await
            })
            .await?;
        Ok(Level2Result {
            level: outcome.level,
            verified_at: outcome.verified_at,
            electronic_id_copies: u32::try_from(outcome.electronic_id_copies).unwrap_or(u32::MAX),
            active_authentication: outcome.active_authentication,
            chip: outcome.chip.into(),
        })
    }
}

/// Test-only (feature `virtual-chip`): virtual cards with the faults the level-2 tests need.
#[cfg(feature = "virtual-chip")]
pub mod test_cards {
    use super::*;
    use std::sync::Mutex;
    use vneid_chip::{CardConfig, Citizen, Signer, Tamper, VirtualCard};

    /// How a test card is spoiled.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
    pub enum TestCardFault {
        /// A genuine card.
        None,
        /// A byte of this data group flipped after EF.SOD was signed.
        TamperedDataGroup { data_group: u8 },
        /// EF.SOD signed by a document signer whose certificate has expired.
        ExpiredSigner,
        /// EF.SOD signed under a CSCA no trust store holds.
        ForeignSigner,
        /// The files copied byte for byte onto a chip with other private keys.
        Cloned,
    }

    /// A virtual chip card with a [`TestCardFault`], read like `VirtualChip`.
    #[derive(uniffi::Object)]
    pub struct TestCard {
        card: Mutex<VirtualCard>,
    }

    impl std::fmt::Debug for TestCard {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("TestCard")
        }
    }

    #[uniffi::export]
    impl TestCard {
        #[uniffi::constructor]
        pub fn new(id_number: String, fault: TestCardFault) -> Result<Arc<Self>, NfcError> {
            let citizen = Citizen::by_id(&id_number).ok_or(NfcError::Other {
                reason: "no virtual card for this ID number".into(),
            })?;
            let mut config = CardConfig::default();
            match fault {
                TestCardFault::None => {}
                TestCardFault::TamperedDataGroup { data_group } => {
                    config.tamper = Some(Tamper {
                        data_group,
                        offset: 40,
                    });
                }
                TestCardFault::ExpiredSigner => config.signer = Signer::Expired,
                TestCardFault::ForeignSigner => config.signer = Signer::Foreign,
                TestCardFault::Cloned => config.cloned = true,
            }
            let card = VirtualCard::new(citizen, config).map_err(|e| NfcError::Other {
                reason: e.to_string(),
            })?;
            Ok(Arc::new(Self {
                card: Mutex::new(card),
            }))
        }

        /// What the card answers to `apdu`.
        pub fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, NfcError> {
            let mut card = self.card.lock().map_err(|_| NfcError::Other {
                reason: "card poisoned".into(),
            })?;
            card.transceive(&apdu).map_err(|e| match e {
                TransportError::TagLost => NfcError::TagLost,
                TransportError::Timeout => NfcError::Timeout,
                TransportError::Other(reason) => NfcError::Other { reason },
            })
        }
    }
}

/// The account level a verified credential type stands for: 2 for the electronic ID (the
/// chip ID card was verified), 1 for the core ID (population database only), null for types
/// that are not an identity. Counter apps show it next to `VerificationResult.credential_type`.
#[uniffi::export]
pub fn credential_identity_level(credential_type: u16) -> Option<u8> {
    vneid_wallet::credential::claims::identity_level(credential_type)
}

/// The registry name of a credential type (`"electronic_id"`, `"core_id"`, …), null if unknown.
#[uniffi::export]
pub fn credential_type_name(credential_type: u16) -> Option<String> {
    vneid_wallet::credential::claims::TYPES
        .iter()
        .find(|t| t.id == credential_type)
        .map(|t| t.name.to_string())
}
