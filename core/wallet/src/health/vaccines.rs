//! The vaccines the book's issuers name, as a code table for FHIR `Immunization.vaccineCode`:
//! a local code (system [`SYSTEM_VACCINE_LOCAL`]) for each vaccine of the national expanded
//! programme (Tiêm chủng mở rộng), the COVID-19 campaign and the common paid services, and
//! its CDC CVX code (system [`SYSTEM_CVX`]) where CVX has one for that product or formulation
//! ("unspecified formulation" codes where the product is not listed in CVX).

/// CDC's CVX vaccine code system, as FHIR names it.
pub const SYSTEM_CVX: &str = "http://hl7.org/fhir/sid/cvx";
/// The project's local code system for the vaccines below (a placeholder URI: Việt Nam
/// publishes no FHIR code system for vaccines yet).
pub const SYSTEM_VACCINE_LOCAL: &str = "https://vneid.example.vn/fhir/CodeSystem/vac-xin";

/// One row: the name as the issuer writes it, the local code, the CVX code and its display.
pub struct Vaccine {
    pub name: &'static str,
    pub local_code: &'static str,
    pub cvx: &'static str,
    pub cvx_display: &'static str,
}

const fn v(
    name: &'static str,
    local_code: &'static str,
    cvx: &'static str,
    cvx_display: &'static str,
) -> Vaccine {
    Vaccine {
        name,
        local_code,
        cvx,
        cvx_display,
    }
}

pub const VACCINES: &[Vaccine] = &[
    v("BCG", "TCMR-BCG", "19", "BCG"),
    v(
        "Viêm gan B sơ sinh",
        "TCMR-VGB-SS",
        "08",
        "Hep B, adolescent or pediatric",
    ),
    v(
        "DPT-VGB-Hib (5 trong 1)",
        "TCMR-DPT-VGB-HIB",
        "102",
        "DTP-Hib-Hep B",
    ),
    v("OPV (bại liệt uống)", "TCMR-OPV", "182", "OPV, Unspecified"),
    v("IPV (bại liệt tiêm)", "TCMR-IPV", "10", "IPV"),
    v("Sởi", "TCMR-SOI", "05", "measles"),
    v("MR (Sởi - Rubella)", "TCMR-MR", "04", "M/R"),
    v(
        "Viêm não Nhật Bản",
        "TCMR-VNNB",
        "39",
        "Japanese encephalitis SC",
    ),
    v(
        "Comirnaty (Pfizer-BioNTech)",
        "COVID-PFIZER",
        "208",
        "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose",
    ),
    v(
        "Vaxzevria (AstraZeneca)",
        "COVID-ASTRAZENECA",
        "210",
        "COVID-19 vaccine, vector-nr, rS-ChAdOx1, PF, 0.5 mL",
    ),
    v(
        "Spikevax (Moderna)",
        "COVID-MODERNA",
        "207",
        "COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5mL dose or 50 mcg/0.25mL dose",
    ),
    v(
        "Vero Cell (Sinopharm)",
        "COVID-SINOPHARM",
        "510",
        "COVID-19 IV Non-US Vaccine (BIBP, Sinopharm)",
    ),
    v(
        "Vaxigrip Tetra",
        "DV-CUM-4",
        "150",
        "Influenza, injectable, quadrivalent, preservative free",
    ),
    v("Gardasil 9", "DV-HPV9", "165", "HPV9"),
    v("Verorab", "DV-DAI", "90", "rabies, unspecified formulation"),
    v(
        "VAT (uốn ván hấp phụ)",
        "DV-VAT",
        "35",
        "tetanus toxoid, adsorbed",
    ),
];

/// The table row for a vaccine name as the issuer writes it.
pub fn by_name(name: &str) -> Option<&'static Vaccine> {
    VACCINES.iter().find(|v| v.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_codes_are_unique() {
        let mut codes: Vec<&str> = VACCINES.iter().map(|v| v.local_code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), VACCINES.len());
    }
}
