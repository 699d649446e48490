//! BER-TLV as ICAO 9303 and ISO/IEC 7816-4 use it (multi-byte tags, definite lengths only).
//!
//! Card data is untrusted: the parser borrows from the input, never allocates on the strength
//! of a claimed length, never panics, and bounds recursion depth. Values are slices into the
//! input, so the only allocation is the node list of [`parse_tree`], which is bounded by the
//! number of headers the input can physically hold.

/// Nesting deeper than this is rejected; real LDS files nest fewer than 10 levels.
pub const MAX_DEPTH: usize = 32;
/// Tags longer than 3 bytes do not occur in ICAO data.
const MAX_TAG_BYTES: usize = 3;
/// Lengths up to 4 bytes (0x84) fit every file a chip can hold.
const MAX_LENGTH_BYTES: usize = 4;

/// Why a byte string is not acceptable BER-TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("input ends inside a TLV header or value")]
    Truncated,
    #[error("tag longer than {MAX_TAG_BYTES} bytes")]
    TagTooLong,
    #[error("length field longer than {MAX_LENGTH_BYTES} bytes")]
    LengthTooLong,
    #[error("indefinite length is not allowed in ICAO data")]
    IndefiniteLength,
    #[error("nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("expected tag {expected:#X}, found {found:#X}")]
    UnexpectedTag { expected: u32, found: u32 },
    #[error("bytes left over after the last TLV")]
    TrailingData,
    #[error("value too long to encode")]
    ValueTooLong,
}

/// A decoded header: the tag (its raw bytes as a big-endian number, e.g. `0x5F1F`), whether
/// it is constructed, and the sizes needed to find the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub tag: u32,
    pub constructed: bool,
    pub header_len: usize,
    pub value_len: usize,
}

impl Header {
    /// Header plus value: how many bytes the whole object occupies (saturating, since the
    /// value length is a claim from the card until the bytes are there).
    pub fn total_len(&self) -> usize {
        self.header_len.saturating_add(self.value_len)
    }
}

/// Decodes a header without requiring the value to be present. The file reader uses this on
/// the first bytes of a file to learn its total size.
pub fn parse_header(input: &[u8]) -> Result<Header, TlvError> {
    let first = *input.first().ok_or(TlvError::Truncated)?;
    let constructed = first & 0x20 != 0;
    let mut tag = u32::from(first);
    let mut pos = 1usize;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input.get(pos).ok_or(TlvError::Truncated)?;
            pos += 1;
            if pos > MAX_TAG_BYTES {
                return Err(TlvError::TagTooLong);
            }
            tag = (tag << 8) | u32::from(b);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let l0 = *input.get(pos).ok_or(TlvError::Truncated)?;
    pos += 1;
    let value_len = if l0 < 0x80 {
        usize::from(l0)
    } else if l0 == 0x80 {
        return Err(TlvError::IndefiniteLength);
    } else {
        let n = usize::from(l0 & 0x7F);
        if n > MAX_LENGTH_BYTES {
            return Err(TlvError::LengthTooLong);
        }
        let bytes = input.get(pos..pos + n).ok_or(TlvError::Truncated)?;
        pos += n;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    Ok(Header {
        tag,
        constructed,
        header_len: pos,
        value_len,
    })
}

/// One TLV borrowed from its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u32,
    pub constructed: bool,
    pub value: &'a [u8],
    /// The whole encoding (header and value), e.g. for MAC input or hashing.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Parses the first TLV of `input` and returns it with the rest of the input.
    pub fn parse(input: &'a [u8]) -> Result<(Self, &'a [u8]), TlvError> {
        let h = parse_header(input)?;
        let end = h
            .header_len
            .checked_add(h.value_len)
            .ok_or(TlvError::Truncated)?;
        let raw = input.get(..end).ok_or(TlvError::Truncated)?;
        let value = raw.get(h.header_len..).ok_or(TlvError::Truncated)?;
        let rest = input.get(end..).ok_or(TlvError::Truncated)?;
        Ok((
            Tlv {
                tag: h.tag,
                constructed: h.constructed,
                value,
                raw,
            },
            rest,
        ))
    }

    /// Parses exactly one TLV that must fill the whole input.
    pub fn parse_exact(input: &'a [u8]) -> Result<Self, TlvError> {
        let (tlv, rest) = Self::parse(input)?;
        if rest.is_empty() {
            Ok(tlv)
        } else {
            Err(TlvError::TrailingData)
        }
    }

    /// Parses one TLV with an expected tag (allowing trailing bytes, as files padded by the
    /// card have them).
    pub fn parse_tagged(input: &'a [u8], tag: u32) -> Result<Self, TlvError> {
        let (tlv, _) = Self::parse(input)?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(TlvError::UnexpectedTag {
                expected: tag,
                found: tlv.tag,
            })
        }
    }

    /// Iterates over the TLVs inside this one's value.
    pub fn children(&self) -> TlvIter<'a> {
        TlvIter::new(self.value)
    }

    /// The first direct child with `tag`, if the value parses as TLVs up to it.
    pub fn find(&self, tag: u32) -> Result<Option<Tlv<'a>>, TlvError> {
        for child in self.children() {
            let child = child?;
            if child.tag == tag {
                return Ok(Some(child));
            }
        }
        Ok(None)
    }
}

/// Iterator over concatenated TLVs; yields one error and then stops.
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> TlvIter<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Self {
            rest: input,
            failed: false,
        }
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        match Tlv::parse(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// A node of a fully parsed tree: constructed TLVs have their children parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node<'a> {
    pub tlv: Tlv<'a>,
    pub children: Vec<Node<'a>>,
}

/// Parses concatenated TLVs recursively, descending into constructed ones, up to
/// `max_depth` levels (at most [`MAX_DEPTH`]).
pub fn parse_tree(input: &[u8], max_depth: usize) -> Result<Vec<Node<'_>>, TlvError> {
    parse_level(input, max_depth.min(MAX_DEPTH), 0)
}

fn parse_level(input: &[u8], max_depth: usize, depth: usize) -> Result<Vec<Node<'_>>, TlvError> {
    if depth >= max_depth {
        return Err(TlvError::TooDeep);
    }
    let mut nodes = Vec::new();
    for tlv in TlvIter::new(input) {
        let tlv = tlv?;
        let children = if tlv.constructed {
            parse_level(tlv.value, max_depth, depth + 1)?
        } else {
            Vec::new()
        };
        nodes.push(Node { tlv, children });
    }
    Ok(nodes)
}

/// Appends a tag (given as its raw big-endian bytes, e.g. `0x5F1F`) to `out`.
pub fn encode_tag(tag: u32, out: &mut Vec<u8>) {
    let bytes = tag.to_be_bytes();
    let skip = bytes.iter().take(3).take_while(|&&b| b == 0).count();
    out.extend(bytes.iter().skip(skip));
}

/// Appends a definite length in the shortest BER form.
pub fn encode_length(len: usize, out: &mut Vec<u8>) -> Result<(), TlvError> {
    let len = u32::try_from(len).map_err(|_| TlvError::ValueTooLong)?;
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let n = 4 - skip;
        out.push(0x80 | n as u8);
        out.extend(bytes.iter().skip(skip));
    }
    Ok(())
}

/// Encodes one TLV.
pub fn encode(tag: u32, value: &[u8]) -> Result<Vec<u8>, TlvError> {
    let mut out = Vec::with_capacity(value.len() + 8);
    encode_tag(tag, &mut out);
    encode_length(value.len(), &mut out)?;
    out.extend_from_slice(value);
    Ok(out)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn parses_ef_com_from_the_doc_9303_example() {
        let ef_com = h("60145F0104303130365F36063034303030305C026175");
        let com = Tlv::parse_exact(&ef_com).unwrap();
        assert_eq!(com.tag, 0x60);
        assert!(com.constructed);
        let version = com.find(0x5F01).unwrap().unwrap();
        assert_eq!(version.value, b"0106");
        assert_eq!(com.find(0x5C).unwrap().unwrap().value, &[0x61, 0x75]);
    }

    #[test]
    fn reads_long_form_lengths() {
        let mut data = h("758203E8");
        data.resize(4 + 1000, 0xAA);
        let h0 = parse_header(&data).unwrap();
        assert_eq!((h0.tag, h0.header_len, h0.value_len), (0x75, 4, 1000));
        assert_eq!(Tlv::parse_exact(&data).unwrap().value.len(), 1000);
        assert_eq!(parse_header(&h("7F618101")).unwrap().tag, 0x7F61);
        assert_eq!(parse_header(&h("5F1F8101")).unwrap().value_len, 1);
    }

    #[test]
    fn header_is_readable_before_the_value_arrives() {
        let hdr = parse_header(&h("77820A12")).unwrap();
        assert_eq!(hdr.total_len(), 4 + 0x0A12);
        assert_eq!(Tlv::parse(&h("77820A12")), Err(TlvError::Truncated));
    }

    #[test]
    fn rejects_malformed_headers_with_typed_errors() {
        assert_eq!(parse_header(&[]), Err(TlvError::Truncated));
        assert_eq!(parse_header(&h("5F")), Err(TlvError::Truncated));
        assert_eq!(parse_header(&h("1F818181")), Err(TlvError::TagTooLong));
        assert_eq!(parse_header(&h("3080")), Err(TlvError::IndefiniteLength));
        assert_eq!(
            parse_header(&h("0485FFFFFFFFFF")),
            Err(TlvError::LengthTooLong)
        );
        assert_eq!(parse_header(&h("0482FF")), Err(TlvError::Truncated));
        assert_eq!(Tlv::parse_exact(&h("0400FF")), Err(TlvError::TrailingData));
        assert_eq!(
            Tlv::parse_tagged(&h("0400"), 0x61),
            Err(TlvError::UnexpectedTag {
                expected: 0x61,
                found: 0x04
            })
        );
    }

    #[test]
    fn huge_claimed_length_fails_without_allocating() {
        assert_eq!(Tlv::parse(&h("0484FFFFFFFF00")), Err(TlvError::Truncated));
    }

    #[test]
    fn tree_parsing_stops_at_the_depth_limit() {
        let mut data = vec![0x04, 0x00];
        for _ in 0..40 {
            data = encode(0x30, &data).unwrap();
        }
        assert_eq!(parse_tree(&data, MAX_DEPTH), Err(TlvError::TooDeep));
        let shallow = encode(0x30, &encode(0x02, &[1]).unwrap()).unwrap();
        let tree = parse_tree(&shallow, 4).unwrap();
        assert_eq!(tree[0].children[0].tlv.value, &[1]);
    }

    #[test]
    fn encoder_uses_shortest_length_and_round_trips() {
        assert_eq!(encode(0x87, &[1; 3]).unwrap(), h("8703010101"));
        assert_eq!(encode(0x5F1F, &[0; 0x80]).unwrap()[..4], h("5F1F8180")[..]);
        assert_eq!(
            encode(0x75, &vec![0; 0x100]).unwrap()[..4],
            h("75820100")[..]
        );
        assert_eq!(encode(0x7F61, &[]).unwrap(), h("7F6100"));
        for len in [0usize, 1, 127, 128, 255, 256, 65535, 65536] {
            let v = vec![7u8; len];
            let enc = encode(0x5F2E, &v).unwrap();
            let t = Tlv::parse_exact(&enc).unwrap();
            assert_eq!((t.tag, t.value.len()), (0x5F2E, len));
        }
    }
}
