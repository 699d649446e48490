//! DG2: the face. A biometric information template group (7F61) of biometric information
//! templates (7F60), each with a biometric data block: ISO/IEC 19794-5 (tag 5F2E, a binary
//! facial record) or ISO/IEC 39794-5 (tag 7F2E, ASN.1). The image (JPEG or JPEG 2000) is
//! returned with its format, decided by its magic number rather than the header's claim.

use crate::tlv::{self, Tlv, TlvError};

/// DG2 files larger than this are rejected (a CCCD face is 15–30 KB).
pub const MAX_DG2_LEN: usize = 1024 * 1024;
/// Biometric templates (faces) accepted in one DG2.
pub const MAX_FACES: usize = 8;
/// Feature points accepted per face.
const MAX_FEATURE_POINTS: usize = 256;

/// Why DG2 could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dg2Error {
    #[error("DG2 larger than {MAX_DG2_LEN} bytes")]
    TooLarge,
    #[error("TLV structure: {0}")]
    Tlv(#[from] TlvError),
    #[error("required element {0:#X} is missing")]
    Missing(u32),
    #[error("facial record: {0}")]
    BadRecord(&'static str),
    #[error("more than {MAX_FACES} faces")]
    TooManyFaces,
    #[error("no image found in the biometric data block")]
    NoImage,
}

/// The image encoding, from the image's own magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    /// JPEG 2000, as a JP2 file or a bare codestream.
    Jpeg2000,
    Unknown,
}

impl ImageFormat {
    /// The format a byte string starts with.
    pub fn sniff(bytes: &[u8]) -> Self {
        const JP2: [u8; 12] = [
            0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
        ];
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Self::Jpeg
        } else if bytes.starts_with(&JP2) || bytes.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
            Self::Jpeg2000
        } else {
            Self::Unknown
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Jpeg2000 => "image/jp2",
            Self::Unknown => "application/octet-stream",
        }
    }
}

/// Which standard the biometric data block follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BiometricEncoding {
    Iso19794_5,
    Iso39794_5,
}

/// ISO/IEC 19794-5 facial information and image information fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FacialRecordHeader {
    /// "010" for the 2005 edition.
    pub version: [u8; 3],
    pub feature_points: u16,
    /// 0 unspecified, 1 male, 2 female, 3 unknown.
    pub gender: u8,
    pub eye_color: u8,
    pub hair_color: u8,
    pub feature_mask: u32,
    pub expression: u16,
    /// Yaw, pitch, roll.
    pub pose_angle: [u8; 3],
    /// 0 basic, 1 full frontal, 2 token frontal.
    pub face_image_type: u8,
    /// What the header claims: 0 JPEG, 1 JPEG 2000.
    pub image_data_type: u8,
    pub width: u16,
    pub height: u16,
    pub color_space: u8,
    pub source_type: u8,
    pub device_type: u16,
    pub quality: u16,
}

/// One face image.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImage {
    pub encoding: BiometricEncoding,
    /// The ISO 19794-5 header (absent for ISO 39794-5 blocks).
    pub header: Option<FacialRecordHeader>,
    pub format: ImageFormat,
    pub image: Vec<u8>,
}

impl std::fmt::Debug for FaceImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceImage")
            .field("encoding", &self.encoding)
            .field("format", &self.format)
            .field("image_len", &self.image.len())
            .finish_non_exhaustive()
    }
}

/// DG2 parsed.
#[derive(Clone, PartialEq, Eq)]
pub struct Dg2 {
    pub faces: Vec<FaceImage>,
    pub raw: Vec<u8>,
}

impl std::fmt::Debug for Dg2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dg2")
            .field("faces", &self.faces)
            .field("raw_len", &self.raw.len())
            .finish()
    }
}

impl Dg2 {
    pub fn parse(bytes: &[u8]) -> Result<Self, Dg2Error> {
        if bytes.len() > MAX_DG2_LEN {
            return Err(Dg2Error::TooLarge);
        }
        let dg2 = Tlv::parse_tagged(bytes, 0x75)?;
        let group = dg2.find(0x7F61)?.ok_or(Dg2Error::Missing(0x7F61))?;
        let mut faces = Vec::new();
        for bit in group.children() {
            let bit = bit?;
            if bit.tag != 0x7F60 {
                continue; // 02: the instance count, which the templates themselves give
            }
            for block in bit.children() {
                let block = block?;
                let parsed = match block.tag {
                    0x5F2E => parse_19794_5(block.value)?,
                    0x7F2E => vec![parse_39794_5(block.value)?],
                    _ => continue, // A1: the biometric header template
                };
                for face in parsed {
                    if faces.len() >= MAX_FACES {
                        return Err(Dg2Error::TooManyFaces);
                    }
                    faces.push(face);
                }
            }
        }
        if faces.is_empty() {
            return Err(Dg2Error::Missing(0x5F2E));
        }
        Ok(Self {
            faces,
            raw: dg2.raw.to_vec(),
        })
    }

    /// The first face.
    pub fn face(&self) -> Option<&FaceImage> {
        self.faces.first()
    }
}

/// A cursor over a byte slice that never reads past the end.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Dg2Error> {
        if n > self.rest.len() {
            return Err(Dg2Error::BadRecord("truncated"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, Dg2Error> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }

    fn be(&mut self, n: usize) -> Result<u32, Dg2Error> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
    }

    fn u16(&mut self) -> Result<u16, Dg2Error> {
        Ok(self.be(2)? as u16)
    }
}

/// ISO/IEC 19794-5:2005 facial record: general header, then per face a facial information
/// block, feature points, image information and the image.
fn parse_19794_5(bdb: &[u8]) -> Result<Vec<FaceImage>, Dg2Error> {
    let mut r = Reader { rest: bdb };
    if r.take(4)? != b"FAC\0" {
        return Err(Dg2Error::BadRecord("format identifier is not FAC"));
    }
    let version = r.take(4)?;
    let mut v = [0u8; 3];
    for (dst, src) in v.iter_mut().zip(version) {
        *dst = *src;
    }
    let _record_len = r.be(4)?;
    let count = usize::from(r.u16()?);
    if count == 0 {
        return Err(Dg2Error::BadRecord("no face in the record"));
    }
    if count > MAX_FACES {
        return Err(Dg2Error::TooManyFaces);
    }
    let mut faces = Vec::with_capacity(count);
    for _ in 0..count {
        let block_len = r.be(4)? as usize;
        // The block length counts its own 4 bytes.
        let body_len = block_len
            .checked_sub(4)
            .ok_or(Dg2Error::BadRecord("facial block length"))?;
        let mut b = Reader {
            rest: r.take(body_len)?,
        };
        let mut h = FacialRecordHeader {
            version: v,
            ..Default::default()
        };
        h.feature_points = b.u16()?;
        h.gender = b.u8()?;
        h.eye_color = b.u8()?;
        h.hair_color = b.u8()?;
        h.feature_mask = b.be(3)?;
        h.expression = b.u16()?;
        let pose = b.take(3)?;
        for (dst, src) in h.pose_angle.iter_mut().zip(pose) {
            *dst = *src;
        }
        b.take(3)?; // pose angle uncertainty
        if usize::from(h.feature_points) > MAX_FEATURE_POINTS {
            return Err(Dg2Error::BadRecord("too many feature points"));
        }
        b.take(usize::from(h.feature_points) * 8)?;
        h.face_image_type = b.u8()?;
        h.image_data_type = b.u8()?;
        h.width = b.u16()?;
        h.height = b.u16()?;
        h.color_space = b.u8()?;
        h.source_type = b.u8()?;
        h.device_type = b.u16()?;
        h.quality = b.u16()?;
        let image = b.rest;
        if image.is_empty() {
            return Err(Dg2Error::NoImage);
        }
        faces.push(FaceImage {
            encoding: BiometricEncoding::Iso19794_5,
            header: Some(h),
            format: ImageFormat::sniff(image),
            image: image.to_vec(),
        });
    }
    Ok(faces)
}

/// ISO/IEC 39794-5 block: the image is the largest primitive value in the tree that starts
/// with a JPEG or JPEG 2000 magic number.
fn parse_39794_5(bdb: &[u8]) -> Result<FaceImage, Dg2Error> {
    let tree = tlv::parse_tree(bdb, 16)?;
    let mut best: Option<&[u8]> = None;
    let mut stack: Vec<&tlv::Node<'_>> = tree.iter().collect();
    while let Some(node) = stack.pop() {
        if node.tlv.constructed {
            stack.extend(node.children.iter());
        } else if ImageFormat::sniff(node.tlv.value) != ImageFormat::Unknown
            && best.is_none_or(|b| b.len() < node.tlv.value.len())
        {
            best = Some(node.tlv.value);
        }
    }
    let image = best.ok_or(Dg2Error::NoImage)?;
    Ok(FaceImage {
        encoding: BiometricEncoding::Iso39794_5,
        header: None,
        format: ImageFormat::sniff(image),
        image: image.to_vec(),
    })
}

/// Builds a DG2 with one ISO 19794-5 face around `image` (for the virtual card and tests).
pub fn encode_dg2(image: &[u8], width: u16, height: u16) -> Result<Vec<u8>, TlvError> {
    let image_data_type = u8::from(ImageFormat::sniff(image) == ImageFormat::Jpeg2000);
    let block_len = u32::try_from(4 + 16 + 12 + image.len()).map_err(|_| TlvError::ValueTooLong)?;
    let record_len = block_len + 14;
    let mut bdb = Vec::with_capacity(record_len as usize);
    bdb.extend_from_slice(b"FAC\x00010\x00");
    bdb.extend_from_slice(&record_len.to_be_bytes());
    bdb.extend_from_slice(&1u16.to_be_bytes());
    bdb.extend_from_slice(&block_len.to_be_bytes());
    bdb.extend_from_slice(&[0, 0]); // feature points
    bdb.extend_from_slice(&[0, 0, 0]); // gender, eye, hair
    bdb.extend_from_slice(&[0, 0, 0]); // feature mask
    bdb.extend_from_slice(&[0, 0]); // expression
    bdb.extend_from_slice(&[0; 6]); // pose angle and uncertainty
    bdb.extend_from_slice(&[1, image_data_type]); // full frontal
    bdb.extend_from_slice(&width.to_be_bytes());
    bdb.extend_from_slice(&height.to_be_bytes());
    bdb.extend_from_slice(&[1, 2, 0, 0, 0, 0]); // sRGB 24-bit, digital still, device, quality
    bdb.extend_from_slice(image);
    let mut header = tlv::encode(0x80, &[0x01, 0x01])?; // ICAO header version 1.1
    header.extend(tlv::encode(0x87, &[0x01, 0x01])?); // format owner: ISO/IEC JTC1 SC37
    header.extend(tlv::encode(0x88, &[0x00, 0x08])?); // format type: 19794-5
    let mut bit = tlv::encode(0xA1, &header)?;
    bit.extend(tlv::encode(0x5F2E, &bdb)?);
    let mut group = tlv::encode(0x02, &[0x01])?;
    group.extend(tlv::encode(0x7F60, &bit)?);
    tlv::encode(0x75, &tlv::encode(0x7F61, &group)?)
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

    const JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0xFF, 0xD9,
    ];
    const JP2: &[u8] = &[
        0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A, 0x00,
    ];

    #[test]
    fn round_trips_a_jpeg_face_with_its_header() {
        let dg2 = encode_dg2(JPEG, 480, 640).unwrap();
        let parsed = Dg2::parse(&dg2).unwrap();
        let face = parsed.face().unwrap();
        assert_eq!(face.format, ImageFormat::Jpeg);
        assert_eq!(face.image, JPEG);
        let h = face.header.unwrap();
        assert_eq!((h.width, h.height, h.image_data_type), (480, 640, 0));
        assert_eq!(&h.version, b"010");
        assert_eq!(parsed.raw, dg2);
    }

    #[test]
    fn detects_jpeg2000_by_magic_number() {
        let face = Dg2::parse(&encode_dg2(JP2, 1, 1).unwrap()).unwrap().faces[0].clone();
        assert_eq!(face.format, ImageFormat::Jpeg2000);
        assert_eq!(face.header.unwrap().image_data_type, 1);
        assert_eq!(
            ImageFormat::sniff(&[0xFF, 0x4F, 0xFF, 0x51]),
            ImageFormat::Jpeg2000
        );
        assert_eq!(ImageFormat::sniff(b"GIF89a"), ImageFormat::Unknown);
    }

    #[test]
    fn reads_an_iso_39794_block_by_its_image() {
        let inner = tlv::encode(0xA0, &tlv::encode(0x80, JPEG).unwrap()).unwrap();
        let bit = tlv::encode(0x7F2E, &inner).unwrap();
        let dg2 = tlv::encode(
            0x75,
            &tlv::encode(0x7F61, &tlv::encode(0x7F60, &bit).unwrap()).unwrap(),
        )
        .unwrap();
        let face = Dg2::parse(&dg2).unwrap().faces[0].clone();
        assert_eq!(face.encoding, BiometricEncoding::Iso39794_5);
        assert_eq!(face.image, JPEG);
    }

    #[test]
    fn rejects_broken_records_with_typed_errors() {
        let good = encode_dg2(JPEG, 1, 1).unwrap();
        for len in 0..good.len() {
            assert!(Dg2::parse(&good[..len]).is_err(), "truncated at {len}");
        }
        let mut bad_magic = good.clone();
        let at = bad_magic.windows(4).position(|w| w == b"FAC\0").unwrap();
        bad_magic[at] = b'X';
        assert_eq!(
            Dg2::parse(&bad_magic),
            Err(Dg2Error::BadRecord("format identifier is not FAC"))
        );
        let no_group = tlv::encode(0x75, &[]).unwrap();
        assert_eq!(Dg2::parse(&no_group), Err(Dg2Error::Missing(0x7F61)));
    }
}
