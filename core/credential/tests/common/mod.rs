//! Shared fixture: an issuer, a trust list, status lists, a holder device key and
//! one credential of each type, all at a fixed clock.
#![allow(
    dead_code,
    clippy::too_many_arguments,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use vneid_credential::claims::{ClaimKey, ClaimValue, Date, Registry, Sex, keys, types};
use vneid_credential::cose::SigningKey;
use vneid_credential::issuer::{IssueRequest, IssuedCredential, StatusRef, SystemSalts, issue};
use vneid_credential::presentation::{PresentRequest, present, to_qr_text};
use vneid_credential::trust::{FreshnessPolicy, StatusList, StatusLists, TrustEntry, TrustList};
use vneid_credential::verify::{ReplayCache, Verdict, Verifier, VerifyPolicy};

/// 2026-09-21T..Z, the tests' "now".
pub const NOW: u64 = 1_790_000_000;
pub const DAY: u64 = 86_400;
pub const STATUS_LIST: u32 = 202_609;

pub fn core_id_claims() -> BTreeMap<ClaimKey, ClaimValue> {
    let mut c = BTreeMap::new();
    c.insert(
        keys::FULL_NAME,
        ClaimValue::Text("NGUYỄN THỊ MINH KHAI".into()),
    );
    c.insert(keys::ID_NUMBER, ClaimValue::Digits("001190012345".into()));
    c.insert(
        keys::BIRTH_DATE,
        ClaimValue::Date(Date::from_ymd(1990, 5, 17).unwrap()),
    );
    c.insert(keys::SEX, ClaimValue::Sex(Sex::Female));
    c.insert(
        keys::PORTRAIT_DIGEST,
        ClaimValue::Digest(*b"0123456789abcdef0123456789abcdef"),
    );
    c.insert(keys::NATIONALITY, ClaimValue::Text("VNM".into()));
    c.insert(
        keys::PLACE_OF_ORIGIN,
        ClaimValue::Text("Xã Đông Hội, Huyện Đông Anh, Hà Nội".into()),
    );
    c.insert(
        keys::PLACE_OF_RESIDENCE,
        ClaimValue::Text("Số 12 Phố Hàng Bạc, Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội".into()),
    );
    c.insert(
        keys::CARD_VALIDITY,
        ClaimValue::DateRange(
            Date::from_ymd(2021, 4, 10).unwrap(),
            Some(Date::from_ymd(2030, 5, 17).unwrap()),
        ),
    );
    c
}

pub fn age_claims() -> BTreeMap<ClaimKey, ClaimValue> {
    BTreeMap::from([(keys::AGE_OVER_18, ClaimValue::Bool(true))])
}

pub fn bhyt_claims() -> BTreeMap<ClaimKey, ClaimValue> {
    let mut c = BTreeMap::new();
    c.insert(
        keys::BHYT_NUMBER,
        ClaimValue::Text("DN4010123456789".into()),
    );
    c.insert(
        keys::FULL_NAME,
        ClaimValue::Text("NGUYỄN THỊ MINH KHAI".into()),
    );
    c.insert(
        keys::BIRTH_DATE,
        ClaimValue::Date(Date::from_ymd(1990, 5, 17).unwrap()),
    );
    c.insert(keys::SEX, ClaimValue::Sex(Sex::Female));
    c.insert(keys::ID_NUMBER, ClaimValue::Digits("001190012345".into()));
    c.insert(
        keys::BHYT_VALIDITY,
        ClaimValue::DateRange(
            Date::from_ymd(2026, 1, 1).unwrap(),
            Some(Date::from_ymd(2026, 12, 31).unwrap()),
        ),
    );
    c.insert(
        keys::BHYT_FACILITY,
        ClaimValue::Text("Bệnh viện Đa khoa Đức Giang".into()),
    );
    c.insert(
        keys::PLACE_OF_RESIDENCE,
        ClaimValue::Text("Số 12 Phố Hàng Bạc, Hoàn Kiếm, Hà Nội".into()),
    );
    c
}

pub struct Fixture {
    pub registry: Registry,
    pub issuer: SigningKey,
    pub anchor: SigningKey,
    pub trust: TrustList,
    pub status: StatusLists,
    pub status_list: StatusList,
    pub device: SigningKey,
    pub core_id: IssuedCredential,
    pub age: IssuedCredential,
    pub bhyt: IssuedCredential,
    /// Level-2 electronic ID: the core ID's claims under its own type.
    pub eid: IssuedCredential,
}

pub fn trust_list(anchor: &SigningKey, entries: &[TrustEntry], issued_at: u64) -> TrustList {
    let signed = TrustList::sign(entries, 1, issued_at, anchor).unwrap();
    TrustList::verify(
        &signed,
        &[anchor.public_key().clone()],
        FreshnessPolicy::default(),
    )
    .unwrap()
}

pub fn issuer_entry(k: &SigningKey) -> TrustEntry {
    TrustEntry {
        kid: k.kid(),
        key: k.public_key().clone(),
        issuer_name: "Cục Cảnh sát QLHC về TTXH — Bộ Công an".into(),
        types: vec![
            types::CORE_ID,
            types::AGE_OVER_18,
            types::BHYT,
            types::CERTIFICATE,
            types::ELECTRONIC_ID,
        ],
        not_before: NOW - 365 * DAY,
        not_after: NOW + 365 * DAY,
    }
}

pub fn issue_with(
    f_registry: &Registry,
    issuer: &SigningKey,
    device: &SigningKey,
    ty: u16,
    claims: &BTreeMap<ClaimKey, ClaimValue>,
    nbf: u64,
    exp: u64,
    index: u32,
) -> IssuedCredential {
    let req = IssueRequest {
        credential_type: ty,
        claims,
        holder_key: device.public_key().uncompressed(),
        nbf,
        exp,
    };
    issue(
        f_registry,
        issuer,
        &req,
        StatusRef {
            list: STATUS_LIST,
            index,
        },
        &mut SystemSalts::new(),
    )
    .unwrap()
}

impl Fixture {
    pub fn new() -> Fixture {
        let registry = Registry::builtin();
        let issuer = SigningKey::generate().unwrap();
        let anchor = SigningKey::generate().unwrap();
        let device = SigningKey::generate().unwrap();
        let trust = trust_list(&anchor, &[issuer_entry(&issuer)], NOW - DAY);
        let mut status_list = StatusList::new(STATUS_LIST, 1 << 16, NOW - 3600, DAY);
        status_list.set_revoked(666, true);
        let mut status = StatusLists::new(2 * DAY);
        status.insert(StatusList::verify(&status_list.sign(&issuer).unwrap(), &trust).unwrap());
        let (nbf, exp) = (NOW - DAY, NOW + 30 * DAY);
        let core_id = issue_with(
            &registry,
            &issuer,
            &device,
            types::CORE_ID,
            &core_id_claims(),
            nbf,
            exp,
            1,
        );
        let age = issue_with(
            &registry,
            &issuer,
            &device,
            types::AGE_OVER_18,
            &age_claims(),
            nbf,
            exp,
            2,
        );
        let bhyt = issue_with(
            &registry,
            &issuer,
            &device,
            types::BHYT,
            &bhyt_claims(),
            nbf,
            exp,
            3,
        );
        let eid = issue_with(
            &registry,
            &issuer,
            &device,
            types::ELECTRONIC_ID,
            &core_id_claims(),
            nbf,
            exp,
            4,
        );
        Fixture {
            registry,
            issuer,
            anchor,
            trust,
            status,
            status_list,
            device,
            core_id,
            age,
            bhyt,
            eid,
        }
    }

    pub fn present(&self, cred: &IssuedCredential, disclose: &[ClaimKey], ts: u64) -> Vec<u8> {
        self.present_two_way(cred, disclose, ts, None, None)
    }

    pub fn present_two_way(
        &self,
        cred: &IssuedCredential,
        disclose: &[ClaimKey],
        ts: u64,
        nonce: Option<&[u8]>,
        audience: Option<&str>,
    ) -> Vec<u8> {
        let req = PresentRequest {
            disclose,
            timestamp: ts,
            nonce,
            audience,
        };
        present(&self.registry, cred, &req, &self.device).unwrap()
    }

    pub fn verify_bin(&self, bin: &[u8], now: u64, policy: &VerifyPolicy) -> Verdict {
        let v = Verifier {
            registry: &self.registry,
            trust: &self.trust,
            status: &self.status,
            policy,
        };
        v.verify_binary(bin, now, &mut ReplayCache::default())
    }

    pub fn verify_text(&self, text: &str, now: u64, policy: &VerifyPolicy) -> Verdict {
        let v = Verifier {
            registry: &self.registry,
            trust: &self.trust,
            status: &self.status,
            policy,
        };
        v.verify_text(text, now, &mut ReplayCache::default())
    }

    pub fn qr(&self, bin: &[u8]) -> String {
        to_qr_text(bin)
    }
}
