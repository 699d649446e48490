//! QR rendering of presentation and request text: a module matrix for the apps
//! (they draw it natively) and SVG for the CLI. Always ECC level M, the level the
//! size targets are set for.

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode, Version};
use thiserror::Error;

/// The text does not fit any QR version at level M.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("text too long for a QR code at ECC level M")]
pub struct QrTooLong;

/// A rendered QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    /// QR version (1–40).
    pub version: i16,
    /// Modules per side.
    pub width: usize,
    /// Row-major, true = dark.
    pub modules: Vec<bool>,
}

fn code(text: &str) -> Result<QrCode, QrTooLong> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|_| QrTooLong)
}

/// Encodes `text` (Base45 text uses alphanumeric mode).
pub fn render_matrix(text: &str) -> Result<QrMatrix, QrTooLong> {
    let c = code(text)?;
    let version = match c.version() {
        Version::Normal(v) => v,
        Version::Micro(v) => -v,
    };
    Ok(QrMatrix {
        version,
        width: c.width(),
        modules: c
            .to_colors()
            .into_iter()
            .map(|m| m == Color::Dark)
            .collect(),
    })
}

/// SVG document with a quiet zone, `min_px` pixels at least per side.
pub fn render_svg(text: &str, min_px: u32) -> Result<String, QrTooLong> {
    Ok(code(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(min_px, min_px)
        .build())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn renders_matrix_and_svg_and_refuses_overlong_text() {
        let m = render_matrix("VN1:0123456789ABCDEF").unwrap();
        assert_eq!(m.modules.len(), m.width * m.width);
        assert_eq!(m.width, 17 + 4 * m.version as usize);
        assert!(render_svg("VN1:ABC", 200).unwrap().starts_with("<?xml"));
        assert_eq!(render_matrix(&"A".repeat(5000)), Err(QrTooLong));
    }
}
