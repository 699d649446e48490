//! A fixed world for the fuzz targets: deterministic keys (so inputs saved in a
//! corpus keep their meaning across runs), a trust list, status lists and one
//! valid presentation of each preset.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use vneid_credential::claims::{
    ClaimValue, Date, PRESET_IDENTITY_CHECK, PRESETS, Registry, Sex, keys, types,
};
use vneid_credential::cose::SigningKey;
use vneid_credential::issuer::{IssueRequest, StatusRef, SystemSalts, issue};
use vneid_credential::photo::photo_digest;
use vneid_credential::presentation::{PresentRequest, attach_photo, present};
use vneid_credential::request::ROLE_VERIFIER;
use vneid_credential::trust::{FreshnessPolicy, StatusList, StatusLists, TrustEntry, TrustList};
use vneid_credential::verify::VerifyPolicy;

pub const NOW: u64 = 1_790_000_000;

pub struct World {
    pub registry: Registry,
    pub trust: TrustList,
    pub status: StatusLists,
    pub policy: VerifyPolicy,
    pub anchor: SigningKey,
    /// One valid presentation of each preset, the last one with a photo (photo profile).
    pub samples: Vec<Vec<u8>>,
}

/// A photo-profile presentation with its photo removed (outer array back to 8 elements):
/// still a valid presentation of the same disclosure. The photo is bound by the issuer's
/// digest, not by the device signature, so dropping it is the one change that may verify.
pub fn without_photo(bin: &[u8]) -> Option<Vec<u8>> {
    let rest = bin.strip_prefix(&[0x89])?;
    let parsed = vneid_credential::presentation::parse(bin).ok()?;
    let photo_len = parsed.photo?.len();
    // bstr header of the photo: 1, 2 or 3 bytes for lengths up to 2,048.
    let header = match photo_len {
        0..=23 => 1,
        24..=255 => 2,
        _ => 3,
    };
    let keep = rest.len().checked_sub(photo_len + header)?;
    let mut out = vec![0x88];
    out.extend_from_slice(rest.get(..keep)?);
    Some(out)
}

fn key(b: u8) -> SigningKey {
    SigningKey::from_secret_scalar(&[b; 32]).expect("fixed scalar")
}

pub fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let registry = Registry::builtin();
        let (issuer, anchor, device, counter) = (key(1), key(2), key(3), key(4));
        let entry = |k: &SigningKey, types: Vec<u16>| TrustEntry {
            kid: k.kid(),
            key: k.public_key().clone(),
            issuer_name: "fuzz".into(),
            types,
            not_before: 0,
            not_after: u64::MAX,
        };
        let signed = TrustList::sign(
            &[
                entry(
                    &issuer,
                    vec![types::CORE_ID, types::AGE_OVER_18, types::BHYT],
                ),
                entry(&counter, vec![ROLE_VERIFIER]),
            ],
            1,
            NOW,
            &anchor,
        )
        .expect("sign");
        let trust = TrustList::verify(
            &signed,
            &[anchor.public_key().clone()],
            FreshnessPolicy::default(),
        )
        .expect("tl");
        let mut status = StatusLists::new(86_400);
        let list = StatusList::new(1, 1024, NOW, 86_400);
        status.insert(StatusList::verify(&list.sign(&issuer).expect("sign"), &trust).expect("sl"));
        let mut claims = BTreeMap::new();
        claims.insert(keys::FULL_NAME, ClaimValue::Text("NGUYỄN VĂN A".into()));
        claims.insert(keys::ID_NUMBER, ClaimValue::Digits("079200012345".into()));
        claims.insert(keys::BIRTH_DATE, ClaimValue::Date(Date(11_000)));
        claims.insert(keys::SEX, ClaimValue::Sex(Sex::Male));
        claims.insert(keys::PORTRAIT_DIGEST, ClaimValue::Digest([9; 32]));
        claims.insert(keys::NATIONALITY, ClaimValue::Text("VNM".into()));
        claims.insert(
            keys::CARD_VALIDITY,
            ClaimValue::DateRange(Date(19_000), None),
        );
        claims.insert(keys::AGE_OVER_18, ClaimValue::Bool(true));
        let mut samples = Vec::new();
        for p in PRESETS {
            let ty = registry.get(p.credential_type).expect("type");
            let mine: BTreeMap<_, _> = claims
                .iter()
                .filter(|(k, _)| ty.shape.leaves().contains(k))
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            let req = IssueRequest {
                credential_type: p.credential_type,
                claims: &mine,
                holder_key: device.public_key().compressed(),
                nbf: NOW - 10,
                exp: NOW + 86_400,
            };
            let cred = issue(
                &registry,
                &issuer,
                &req,
                StatusRef { list: 1, index: 3 },
                &mut SystemSalts::new(),
            )
            .expect("issue");
            let r = PresentRequest {
                disclose: p.claims,
                timestamp: NOW,
                nonce: None,
                audience: None,
            };
            samples.push(present(&registry, &cred, &r, &device).expect("present"));
        }
        // Photo profile: an identity check carrying a (JPEG-like) photo whose SHA-256 is the
        // signed portrait digest, so mutations reach the photo field and its binding.
        let photo: Vec<u8> = [0xFF, 0xD8, 0xFF, 0xDB]
            .into_iter()
            .chain((0u32..900).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8))
            .chain([0xFF, 0xD9])
            .collect();
        let mut photo_claims: BTreeMap<_, _> = claims
            .iter()
            .filter(|(k, _)| {
                registry
                    .get(types::CORE_ID)
                    .is_some_and(|t| t.shape.leaves().contains(k))
            })
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        photo_claims.insert(
            keys::PORTRAIT_DIGEST,
            ClaimValue::Digest(photo_digest(&photo)),
        );
        let req = IssueRequest {
            credential_type: types::CORE_ID,
            claims: &photo_claims,
            holder_key: device.public_key().compressed(),
            nbf: NOW - 10,
            exp: NOW + 86_400,
        };
        let cred = issue(
            &registry,
            &issuer,
            &req,
            StatusRef { list: 1, index: 4 },
            &mut SystemSalts::new(),
        )
        .expect("issue");
        let r = PresentRequest {
            disclose: PRESET_IDENTITY_CHECK.claims,
            timestamp: NOW,
            nonce: None,
            audience: None,
        };
        let with_photo = attach_photo(
            &present(&registry, &cred, &r, &device).expect("present"),
            &photo,
        )
        .expect("attach");
        samples.push(with_photo);
        World {
            registry,
            trust,
            status,
            policy: VerifyPolicy::default(),
            anchor,
            samples,
        }
    })
}
