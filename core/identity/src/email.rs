//! Email addresses, checked pragmatically.
//!
//! Full RFC 5322 syntax (quoted local parts, comments, IP literals) admits addresses no mail
//! provider hands out and that confuse downstream systems; this accepts the dot-atom form
//! people actually use. Only the domain is lowercased: the local part is case-sensitive in
//! principle, and changing it could redirect mail.

use std::fmt;

use crate::digits::trim_ascii_ws;

/// Why an email address was refused. Messages never repeat the address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("the email address is empty")]
    Empty,
    #[error("the email address is longer than 254 characters")]
    TooLong,
    #[error("the email address has no '@'")]
    MissingAt,
    #[error("the email address has more than one '@'")]
    MultipleAt,
    #[error("the part before '@' is empty, too long or has characters that are not allowed")]
    InvalidLocalPart,
    #[error("the part after '@' is not a valid domain name")]
    InvalidDomain,
}

/// A syntactically plausible address, `local@domain`, with the domain in lower case.
///
/// `Debug` shows only the first character of the local part; there is no `Display`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;

impl Email {
    /// Checks: one `@`; a local part of 1–64 ASCII dot-atom characters (letters, digits and
    /// ``!#$%&'*+/=?^_`{|}~-``, dots only between them); a domain of at least two dot-separated
    /// labels of letters, digits and inner hyphens, with a top-level label that is not all
    /// digits; at most 254 characters in all. Surrounding ASCII whitespace is ignored.
    pub fn parse(s: &str) -> Result<Self, EmailError> {
        let s = trim_ascii_ws(s);
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::MissingAt)?;
        if domain.contains('@') {
            return Err(EmailError::MultipleAt);
        }
        if !is_valid_local_part(local) {
            return Err(EmailError::InvalidLocalPart);
        }
        if !is_valid_domain(domain) {
            return Err(EmailError::InvalidDomain);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, as typed.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    /// The part after `@`, lowercased.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b)
}

fn is_valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(is_atext))
}

fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= MAX_LABEL_LEN
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn is_valid_domain(domain: &str) -> bool {
    let mut labels = domain.split('.');
    let tld = domain.rsplit('.').next().unwrap_or_default();
    domain.contains('.') && labels.all(is_valid_label) && !tld.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.local_part().chars().next().unwrap_or('?');
        write!(f, "Email({first}***@{})", self.domain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn accepts_common_addresses_and_lowercases_domain_only() -> Result<(), Box<dyn Error>> {
        let e = Email::parse(" Nguyen.Van.A+vneid@Gmail.COM ")?;
        assert_eq!(e.as_str(), "Nguyen.Van.A+vneid@gmail.com");
        assert_eq!(e.local_part(), "Nguyen.Van.A+vneid");
        assert_eq!(e.domain(), "gmail.com");
        assert!(Email::parse("a@b.vn").is_ok());
        assert!(Email::parse("contact@dichvucong.gov.vn").is_ok());
        assert!(Email::parse("x@xn--bcher-kva.example").is_ok());
        Ok(())
    }

    #[test]
    fn requires_exactly_one_at() {
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
        assert_eq!(Email::parse("user.example.com"), Err(EmailError::MissingAt));
        assert_eq!(Email::parse("a@b@example.com"), Err(EmailError::MultipleAt));
    }

    #[test]
    fn rejects_bad_local_parts() {
        let long = format!("{}@example.com", "a".repeat(65));
        for input in [
            "@example.com",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a b@example.com",
            "\"a\"@example.com",
            "nguyễn@example.com",
            long.as_str(),
        ] {
            assert_eq!(
                Email::parse(input),
                Err(EmailError::InvalidLocalPart),
                "{input:?}"
            );
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(64))).is_ok());
    }

    #[test]
    fn rejects_bad_domains() {
        for input in [
            "a@",
            "a@localhost",
            "a@example..com",
            "a@.example.com",
            "a@example.com.",
            "a@-example.com",
            "a@example-.com",
            "a@exa_mple.com",
            "a@192.168.0.1",
            "a@[1.2.3.4]",
            "a@ví-dụ.vn",
        ] {
            assert_eq!(
                Email::parse(input),
                Err(EmailError::InvalidDomain),
                "{input:?}"
            );
        }
        let long_label = format!("a@{}.com", "b".repeat(64));
        assert_eq!(Email::parse(&long_label), Err(EmailError::InvalidDomain));
    }

    #[test]
    fn rejects_addresses_over_254_characters() {
        let domain = format!(
            "{}.{}.{}.com",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63)
        );
        let at_limit = format!("{}@{domain}", "x".repeat(MAX_LEN - 1 - domain.len()));
        assert_eq!(at_limit.len(), MAX_LEN);
        assert!(Email::parse(&at_limit).is_ok());
        assert_eq!(
            Email::parse(&format!("y{at_limit}")),
            Err(EmailError::TooLong)
        );
    }

    #[test]
    fn debug_masks_the_local_part() -> Result<(), Box<dyn Error>> {
        let shown = format!("{:?}", Email::parse("nguyenvana@example.com")?);
        assert_eq!(shown, "Email(n***@example.com)");
        Ok(())
    }
}
