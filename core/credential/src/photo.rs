//! The optional photo profile: a small face image carried in the QR itself.
//!
//! By default a presentation discloses only the 32-byte portrait digest and staff compare
//! it with a photo from the chip or an online lookup. Counters with neither can ask for the
//! photo profile: the issuer makes a tiny grayscale JPEG of the enrolment portrait at
//! issuance, signs its SHA-256 as the credential's portrait digest, and the holder attaches
//! the image to the presentation ([`crate::presentation::attach_photo`]). The verifier
//! checks the image against the disclosed digest and returns it in the verdict.
//!
//! Kept small by: grayscale only (no chroma planes), 64×80 pixels (enough to recognise a
//! face at a counter, not for biometric matching), area-average downscaling (which also
//! removes sensor noise JPEG would spend bits on), optimised Huffman tables, and the
//! highest JPEG quality that fits the byte budget.

use jpeg_encoder::{ColorType, Encoder};
use thiserror::Error;

/// Largest photo a presentation may carry: a 64×80 grayscale JPEG is about 0.8–1.2 KB;
/// 2 KB still fits QR version 40 at ECC M with the identity check.
pub const MAX_PHOTO: usize = 2_048;

/// Thumbnail width in pixels.
pub const THUMB_WIDTH: u16 = 64;
/// Thumbnail height in pixels (4:5, as ICAO portraits).
pub const THUMB_HEIGHT: u16 = 80;
/// Default byte budget: QR version ≈ 27–31 at ECC M with the identity check.
pub const DEFAULT_BUDGET: usize = 1_000;
/// Qualities tried, best first.
const QUALITIES: [u8; 10] = [75, 65, 55, 48, 42, 36, 30, 25, 20, 15];

/// Why no thumbnail was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PhotoError {
    /// `rgb` is not `width × height × 3` bytes, or the image is smaller than the thumbnail.
    #[error("bad source image")]
    BadSource,
    /// Even the lowest quality does not fit the budget.
    #[error("does not fit {0} bytes")]
    OverBudget(usize),
    /// The JPEG encoder failed.
    #[error("JPEG encoding failed")]
    Encoding,
}

/// A thumbnail and the quality it was encoded at.
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// Baseline grayscale JPEG.
    pub jpeg: Vec<u8>,
    /// JPEG quality used (1–100).
    pub quality: u8,
}

impl std::fmt::Debug for Thumbnail {
    /// A face is personal data: only its size.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Thumbnail({} bytes, q{})", self.jpeg.len(), self.quality)
    }
}

/// Luma of the centre 4:5 crop of `rgb`, area-averaged down to the thumbnail size.
fn downscale(rgb: &[u8], width: u16, height: u16) -> Result<Vec<u8>, PhotoError> {
    let (w, h) = (usize::from(width), usize::from(height));
    let (tw, th) = (usize::from(THUMB_WIDTH), usize::from(THUMB_HEIGHT));
    if rgb.len() != w * h * 3 || w < tw || h < th {
        return Err(PhotoError::BadSource);
    }
    // Centre crop to 4:5.
    let (cw, ch) = if w * 5 > h * 4 {
        (h * 4 / 5, h)
    } else {
        (w, w * 5 / 4)
    };
    let (x0, y0) = ((w - cw) / 2, (h - ch) / 2);
    let mut out = Vec::with_capacity(tw * th);
    for ty in 0..th {
        let (ya, yb) = (
            y0 + ty * ch / th,
            y0 + ((ty + 1) * ch / th).max(ty * ch / th + 1),
        );
        for tx in 0..tw {
            let (xa, xb) = (
                x0 + tx * cw / tw,
                x0 + ((tx + 1) * cw / tw).max(tx * cw / tw + 1),
            );
            let mut sum = 0u32;
            let mut n = 0u32;
            for y in ya..yb.min(h) {
                for x in xa..xb.min(w) {
                    let i = (y * w + x) * 3;
                    let [r, g, b]: [u8; 3] = rgb
                        .get(i..i + 3)
                        .and_then(|p| p.try_into().ok())
                        .ok_or(PhotoError::BadSource)?;
                    // ITU-R BT.601 luma, integer weights summing to 1000.
                    sum += (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
                    n += 1;
                }
            }
            out.push(u8::try_from(sum / n.max(1)).unwrap_or(u8::MAX));
        }
    }
    Ok(out)
}

fn encode(luma: &[u8], quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::with_capacity(1_200);
    let mut enc = Encoder::new(&mut out, quality);
    enc.set_optimized_huffman_tables(true);
    enc.encode(luma, THUMB_WIDTH, THUMB_HEIGHT, ColorType::Luma)
        .map_err(|_| PhotoError::Encoding)?;
    Ok(out)
}

/// The portrait digest claim value of a photo-profile credential: SHA-256 of the exact
/// thumbnail bytes the holder will attach.
pub fn photo_digest(jpeg: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, jpeg);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Issuer side: the photo-profile thumbnail of an enrolment portrait (`rgb`, 8-bit RGB,
/// row-major), at the best quality within `budget` bytes.
pub fn thumbnail(
    rgb: &[u8],
    width: u16,
    height: u16,
    budget: usize,
) -> Result<Thumbnail, PhotoError> {
    let luma = downscale(rgb, width, height)?;
    for quality in QUALITIES {
        let jpeg = encode(&luma, quality)?;
        if jpeg.len() <= budget {
            return Ok(Thumbnail { jpeg, quality });
        }
    }
    Err(PhotoError::OverBudget(budget))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn flat(w: u16, h: u16, v: u8) -> Vec<u8> {
        vec![v; usize::from(w) * usize::from(h) * 3]
    }

    #[test]
    fn a_flat_image_is_tiny_and_at_the_best_quality() {
        let t = thumbnail(&flat(240, 320, 128), 240, 320, DEFAULT_BUDGET).unwrap();
        assert_eq!(t.quality, QUALITIES[0]);
        assert!(t.jpeg.len() < 600, "{}", t.jpeg.len());
        assert!(t.jpeg.starts_with(&[0xFF, 0xD8]));
    }

    #[test]
    fn bad_sources_and_impossible_budgets_are_errors() {
        assert_eq!(
            thumbnail(&[0; 10], 240, 320, 1_000),
            Err(PhotoError::BadSource)
        );
        assert_eq!(
            thumbnail(&flat(32, 40, 9), 32, 40, 1_000),
            Err(PhotoError::BadSource)
        );
        assert_eq!(
            thumbnail(&flat(240, 320, 9), 240, 320, 50),
            Err(PhotoError::OverBudget(50))
        );
    }
}
