//! Vietnamese text folding and word splitting for the search index.
//!
//! Citizens type without diacritics as often as with them ("tiem chung" for "tiêm chủng"),
//! so both the indexed text and the query are folded the same way: lower case, tone marks and
//! vowel marks removed, `đ` → `d`. Precomposed (NFC) letters are mapped by table, and
//! combining marks (U+0300–U+036F, as in NFD input from some keyboards) are dropped, so
//! either normal form folds to the same ASCII word.

/// (base letter, every precomposed Vietnamese letter that folds to it, both cases).
const FOLD: &[(char, &str)] = &[
    ('a', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"),
    ('e', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ"),
    ('i', "ìíỉĩịÌÍỈĨỊ"),
    ('o', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"),
    ('u', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ"),
    ('y', "ỳýỷỹỵỲÝỶỸỴ"),
    ('d', "đĐ"),
];

fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    if ('\u{300}'..='\u{36f}').contains(&c) {
        return None;
    }
    for (base, variants) in FOLD {
        if variants.contains(c) {
            return Some(*base);
        }
    }
    c.to_lowercase().next()
}

/// Folds `s`: lower case, without Vietnamese diacritics.
pub fn fold(s: &str) -> String {
    s.chars().filter_map(fold_char).collect()
}

/// Longest word indexed; longer runs are cut (nobody searches for them whole).
const MAX_WORD: usize = 40;

/// The folded words of `s`, each once, in first-seen order. A word is a run of letters and
/// digits; a `.` or `/` between two alphanumerics stays inside it so ICD-10 codes (`J06.9`)
/// and certificate numbers stay whole, and for such a word its part before the first `.` is
/// a word too (`j06` finds `J06.9`).
pub fn words(s: &str) -> Vec<String> {
    let folded: Vec<char> = fold(s).chars().collect();
    let mut out: Vec<String> = Vec::new();
    let push = |w: String, out: &mut Vec<String>| {
        if !w.is_empty() && !out.contains(&w) {
            out.push(w);
        }
    };
    let mut current = String::new();
    for (i, c) in folded.iter().enumerate() {
        let joiner = matches!(c, '.' | '/')
            && !current.is_empty()
            && folded.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || joiner {
            if current.chars().count() < MAX_WORD {
                current.push(*c);
            }
        } else if !current.is_empty() {
            let w = std::mem::take(&mut current);
            if let Some((head, _)) = w.split_once('.') {
                push(head.to_owned(), &mut out);
            }
            push(w, &mut out);
        }
    }
    if !current.is_empty() {
        if let Some((head, _)) = current.split_once('.') {
            push(head.to_owned(), &mut out);
        }
        push(current, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_and_case_fold_away_in_both_normal_forms() {
        assert_eq!(fold("Tiêm chủng"), "tiem chung");
        assert_eq!(fold("ĐIỀU TRỊ NỘI TRÚ"), "dieu tri noi tru");
        // NFD: e + circumflex + acute.
        assert_eq!(fold("Tie\u{302}\u{301}m"), "tiem");
        assert_eq!(fold("Bệnh viện Bạch Mai"), "benh vien bach mai");
    }

    #[test]
    fn words_keep_codes_whole_and_add_their_category() {
        assert_eq!(
            words("Khám bệnh: J06.9, khám lại"),
            vec!["kham", "benh", "j06", "j06.9", "lai"]
        );
        assert_eq!(words("Số 12/GCN."), vec!["so", "12/gcn"]);
        assert!(words("  ,, ").is_empty());
    }
}
