//! The elliptic curves of eMRTD keys, named by their object identifiers. Below both the curve
//! arithmetic (`ec`) and the signature checks (`pa`), which each name curves this way.

/// The named curves' object identifiers (SEC 2, RFC 5639).
pub mod oids {
    use der::asn1::ObjectIdentifier as Oid;

    pub const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
    pub const BRAINPOOL_P256R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.7");
    pub const BRAINPOOL_P384R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.11");
    pub const BRAINPOOL_P512R1: Oid = Oid::new_unwrap("1.3.36.3.3.2.8.1.1.13");
}

/// Elliptic curves a signature or chip key may use.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Curve {
    P256,
    P384,
    P521,
    BrainpoolP256r1,
    BrainpoolP384r1,
    BrainpoolP512r1,
    /// A named curve this crate does not know (dotted OID).
    OtherNamed(String),
    /// Explicit domain parameters that match no supported curve (kept raw).
    Explicit(Vec<u8>),
}

impl Curve {
    pub fn from_oid(oid: &der::asn1::ObjectIdentifier) -> Self {
        match *oid {
            oids::P256 => Self::P256,
            oids::P384 => Self::P384,
            oids::P521 => Self::P521,
            oids::BRAINPOOL_P256R1 => Self::BrainpoolP256r1,
            oids::BRAINPOOL_P384R1 => Self::BrainpoolP384r1,
            oids::BRAINPOOL_P512R1 => Self::BrainpoolP512r1,
            _ => Self::OtherNamed(oid.to_string()),
        }
    }
}
