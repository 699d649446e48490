//! Test-only (feature `virtual-chip`): the virtual CCCD of `fixtures/chip`, so Kotlin and Swift
//! tests can read a card through their own `NfcTransport`. Never in a shipped library.

use crate::chip::NfcError;
use std::sync::{Arc, Mutex};
use vneid_chip::{CardConfig, Citizen, VirtualCard};
use vneid_emrtd::session::TransportError;

/// A synthetic citizen whose virtual card exists.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VirtualCitizen {
    pub id_number: String,
    pub full_name: String,
    /// YYMMDD, as the card access key wants it.
    pub date_of_birth: String,
    pub date_of_expiry: String,
    /// The 6-digit card access number printed on the card (PACE with the CAN).
    pub can: String,
}

#[uniffi::export]
pub fn virtual_citizens() -> Vec<VirtualCitizen> {
    Citizen::all()
        .iter()
        .map(|c| VirtualCitizen {
            id_number: c.id_number.to_string(),
            full_name: c.full_name.to_string(),
            date_of_birth: c.date_of_birth.to_string(),
            date_of_expiry: c.date_of_expiry.to_string(),
            can: c.can(),
        })
        .collect()
}

/// The test CSCA (PEM) that signs the virtual cards' document signers.
#[uniffi::export]
pub fn virtual_chip_csca_pem() -> String {
    vneid_pki::Pki::get(vneid_pki::Algorithm::EcdsaP256).csca_pem()
}

/// The card side of one virtual chip.
#[derive(uniffi::Object)]
pub struct VirtualChip {
    card: Mutex<VirtualCard>,
}

impl VirtualChip {
    fn build(id_number: &str, cloned: bool) -> Result<Arc<Self>, NfcError> {
        let citizen = Citizen::by_id(id_number).ok_or(NfcError::Other {
            reason: "no virtual card for this ID number".into(),
        })?;
        let config = CardConfig {
            cloned,
            ..CardConfig::default()
        };
        let card = VirtualCard::new(citizen, config).map_err(|e| NfcError::Other {
            reason: e.to_string(),
        })?;
        Ok(Arc::new(Self {
            card: Mutex::new(card),
        }))
    }
}

impl std::fmt::Debug for VirtualChip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VirtualChip")
    }
}

#[uniffi::export]
impl VirtualChip {
    #[uniffi::constructor]
    pub fn new(id_number: String) -> Result<Arc<Self>, NfcError> {
        Self::build(&id_number, false)
    }

    /// A cloned chip: the citizen's files copied byte for byte, impostor private keys. Passive
    /// authentication passes; chip and active authentication must fail.
    #[uniffi::constructor]
    pub fn cloned(id_number: String) -> Result<Arc<Self>, NfcError> {
        Self::build(&id_number, true)
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

    /// The card leaves the field: it forgets its session, as a real chip loses power.
    pub fn remove_from_field(&self) {
        if let Ok(mut card) = self.card.lock() {
            card.reset();
        }
    }
}
