//! The module layering of every crate in the workspace: no import circle between modules.
//!
//! Reads each crate's source tree, follows every `crate::`, `super::` and `self::` path (in
//! `use` items and in expressions), and checks, for every module, that the dependencies
//! between its child modules form no cycle: if `a` reaches into sibling `b` (from anywhere in
//! `a`'s subtree into anywhere in `b`'s), `b` must not reach back into `a`. A child using its
//! parent, or a parent its child, is the ordinary facade of a Rust module and is not a
//! circle. Test-only modules (`#[cfg(test)]`) are left out: they may reach anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type ModPath = Vec<String>;

struct Crate {
    name: String,
    /// Module path → its source file.
    modules: BTreeMap<ModPath, PathBuf>,
}

/// A reference from a file in module `from` to module `to`, at `file:line`.
struct Reference {
    from: ModPath,
    to: ModPath,
    at: String,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// Every library and binary crate root of the workspace members.
fn crates() -> Vec<Crate> {
    let root = workspace_root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members_block = manifest
        .split("members = [")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .expect("workspace members");
    let mut out = Vec::new();
    for member in members_block.split(',') {
        let member = member.trim().trim_matches('"');
        if member.is_empty() {
            continue;
        }
        for root_file in ["src/lib.rs", "src/main.rs"] {
            let path = root.join(member).join(root_file);
            if path.exists() {
                let mut modules = BTreeMap::new();
                collect_modules(&path, Vec::new(), &mut modules);
                out.push(Crate {
                    name: format!("{member} ({root_file})"),
                    modules,
                });
            }
        }
    }
    out
}

/// Walks `mod x;` declarations from `file` (module `path`), skipping `#[cfg(test)]` ones.
fn collect_modules(file: &Path, path: ModPath, out: &mut BTreeMap<ModPath, PathBuf>) {
    let text = strip(&std::fs::read_to_string(file).unwrap());
    out.insert(path.clone(), file.to_path_buf());
    let is_dir_owner = path.is_empty()
        || file
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs" || n == "main.rs");
    let dir = if is_dir_owner {
        file.parent().unwrap().to_path_buf()
    } else {
        file.with_extension("")
    };
    for (name, test_only) in declared_file_modules(&text) {
        if test_only {
            continue;
        }
        let flat = dir.join(format!("{name}.rs"));
        let nested = dir.join(&name).join("mod.rs");
        let child = if flat.exists() { flat } else { nested };
        if child.exists() {
            let mut p = path.clone();
            p.push(name);
            collect_modules(&child, p, out);
        }
    }
}

/// `mod name;` items of a stripped source, with whether a `#[cfg(test)]` precedes them.
fn declared_file_modules(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        let t = t
            .strip_prefix("pub(crate) ")
            .or_else(|| t.strip_prefix("pub(super) "))
            .or_else(|| t.strip_prefix("pub "))
            .unwrap_or(t);
        if let Some(rest) = t.strip_prefix("mod ")
            && let Some(name) = rest.strip_suffix(';')
        {
            let previous = text.lines().take(i).filter(|l| !l.trim().is_empty()).last();
            let test_only = previous.is_some_and(|l| l.contains("cfg(test)"));
            out.push((name.trim().to_string(), test_only));
        }
    }
    out
}

/// The source without comments, string and char literals, and inline `#[cfg(test)]` modules.
fn strip(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('#') || next == Some('"')) && !ident_char(prev(&b, i)) {
            // Raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                if b.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    remove_test_modules(&out)
}

fn prev(b: &[char], i: usize) -> char {
    if i == 0 { ' ' } else { b[i - 1] }
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Blanks `#[cfg(test)] mod name { ... }` blocks, keeping line breaks for line numbers.
fn remove_test_modules(src: &str) -> String {
    let mut out = src.to_string();
    let mut from = 0;
    while let Some(pos) = out[from..].find("#[cfg(test)]") {
        let start = from + pos;
        let after = &out[start + "#[cfg(test)]".len()..];
        let mut trimmed = after.trim_start();
        // Further attributes (`#[allow(...)]`) may sit between `#[cfg(test)]` and the item.
        while trimmed.starts_with("#[") {
            let Some(close) = trimmed.find(']') else {
                break;
            };
            trimmed = trimmed[close + 1..].trim_start();
        }
        let item = trimmed
            .strip_prefix("pub(crate) ")
            .or_else(|| trimmed.strip_prefix("pub "))
            .unwrap_or(trimmed);
        let open = item.find('{');
        let semi = item.find(';');
        let is_inline_mod =
            item.starts_with("mod ") && open.is_some_and(|o| semi.is_none_or(|s| o < s));
        if !is_inline_mod {
            from = start + 1;
            continue;
        }
        let brace = start + (out[start..].find('{').unwrap());
        let mut depth = 0;
        let mut end = brace;
        for (k, ch) in out[brace..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = brace + k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        let blank: String = out[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blank);
        from = start + 1;
    }
    out
}

/// Every `crate::`/`super::`/`self::` path in `text`, expanded (`a::{b, c::d}` gives two).
fn paths(text: &str) -> Vec<(usize, Vec<String>)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\n' {
            line += 1;
        }
        let starts_word = i == 0 || !(ident_char(chars[i - 1]) || chars[i - 1] == ':');
        if starts_word {
            for kw in ["crate", "super", "self"] {
                if word_at(&chars, i, kw) {
                    let mut found = Vec::new();
                    parse_tree(&chars, i, Vec::new(), &mut found);
                    for p in found {
                        if p.len() > 1 || kw != "self" {
                            out.push((line, p));
                        }
                    }
                    break;
                }
            }
        }
        i += 1;
    }
    out
}

fn word_at(chars: &[char], i: usize, w: &str) -> bool {
    let n = w.len();
    i + n <= chars.len()
        && chars[i..i + n].iter().copied().eq(w.chars())
        && chars.get(i + n).is_none_or(|c| !ident_char(*c))
}

fn skip_ws(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    i
}

/// Parses `seg::seg::{tree, tree}` from `i`, pushing every complete path onto `out`.
fn parse_tree(
    chars: &[char],
    mut i: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        i = skip_ws(chars, i);
        if chars.get(i) == Some(&'{') {
            i += 1;
            loop {
                i = skip_ws(chars, i);
                match chars.get(i) {
                    Some('}') => return i + 1,
                    Some(',') => i += 1,
                    None => return i,
                    _ => i = parse_tree(chars, i, prefix.clone(), out),
                }
            }
        }
        let start = i;
        while i < chars.len() && ident_char(chars[i]) {
            i += 1;
        }
        if start == i {
            // `*`, or the end of the path.
            if chars.get(i) == Some(&'*') {
                i += 1;
            }
            out.push(prefix);
            return i;
        }
        prefix.push(chars[start..i].iter().collect());
        let j = skip_ws(chars, i);
        if chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':') {
            i = j + 2;
        } else {
            out.push(prefix);
            return i;
        }
    }
}

/// The module a path from module `from` names: its longest prefix that is a module.
fn resolve(krate: &Crate, from: &ModPath, file: &Path, path: &[String]) -> Option<ModPath> {
    let mut base: ModPath = Vec::new();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => rest = &path[1..],
        Some("self") | Some("super") => {
            base = from.clone();
            while let Some(seg) = rest.first() {
                match seg.as_str() {
                    "self" => rest = &rest[1..],
                    "super" => {
                        base.pop()?;
                        rest = &rest[1..];
                    }
                    _ => break,
                }
            }
        }
        _ => return None,
    }
    let _ = file;
    let mut best = base.clone();
    let mut cur = base;
    for seg in rest {
        cur.push(seg.clone());
        if krate.modules.contains_key(&cur) {
            best = cur.clone();
        } else {
            break;
        }
    }
    Some(best)
}

fn references(krate: &Crate) -> Vec<Reference> {
    let root = workspace_root();
    let mut out = Vec::new();
    for (module, file) in &krate.modules {
        let text = strip(&std::fs::read_to_string(file).unwrap());
        for (line, path) in paths(&text) {
            if let Some(to) = resolve(krate, module, file, &path) {
                let rel = file
                    .strip_prefix(&root)
                    .unwrap_or(file)
                    .display()
                    .to_string();
                out.push(Reference {
                    from: module.clone(),
                    to,
                    at: format!("{rel}:{line}"),
                });
            }
        }
    }
    out
}

/// Circles between sibling modules: for each parent, the strongly connected groups of its
/// children (size > 1), with one reference for each edge inside the group.
fn circles(krate: &Crate) -> Vec<String> {
    // parent → (child a → child b → an example reference)
    let mut edges: BTreeMap<ModPath, BTreeMap<String, BTreeMap<String, String>>> = BTreeMap::new();
    for r in references(krate) {
        let common = r.from.iter().zip(&r.to).take_while(|(a, b)| a == b).count();
        if r.from.len() > common && r.to.len() > common {
            let parent = r.from[..common].to_vec();
            edges
                .entry(parent)
                .or_default()
                .entry(r.from[common].clone())
                .or_default()
                .entry(r.to[common].clone())
                .or_insert(r.at);
        }
    }
    let mut out = Vec::new();
    for (parent, graph) in &edges {
        for group in strongly_connected(graph) {
            let mut lines = Vec::new();
            for a in &group {
                for (b, at) in graph.get(a).into_iter().flatten() {
                    if group.contains(b) {
                        lines.push(format!("    {a} -> {b}  ({at})"));
                    }
                }
            }
            let at = if parent.is_empty() {
                "the crate root".to_string()
            } else {
                format!("module {}", parent.join("::"))
            };
            out.push(format!(
                "{}: circle among the children of {at}: {}\n{}",
                krate.name,
                group.iter().cloned().collect::<Vec<_>>().join(", "),
                lines.join("\n")
            ));
        }
    }
    out
}

/// Tarjan's algorithm, groups of more than one node.
fn strongly_connected(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<BTreeSet<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeMap<String, String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(targets) = s.graph.get(v) {
            for w in targets.keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                group.insert(w.to_string());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                s.out.push(group);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v.as_str());
        }
    }
    s.out
}

#[test]
fn no_crate_has_an_import_circle_between_its_modules() {
    let crates = crates();
    assert!(crates.len() >= 10, "found only {} crates", crates.len());
    let found: Vec<String> = crates.iter().flat_map(circles).collect();
    assert!(
        found.is_empty(),
        "{} import circle(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_checker_finds_a_planted_circle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    std::fs::write(
        src.join("a.rs"),
        "use crate::b::X;\n// crate::c::Z in a comment\n",
    )
    .unwrap();
    std::fs::write(
        src.join("b.rs"),
        "pub struct X;\nfn f() { super::a::g(); let s = \"crate::c::Y\"; }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("c.rs"),
        "use crate::{a, b::X};\n#[cfg(test)]\n#[allow(clippy::unwrap_used)]\nmod tests { use crate::c; }\n",
    )
    .unwrap();
    let mut modules = BTreeMap::new();
    collect_modules(&src.join("lib.rs"), Vec::new(), &mut modules);
    let krate = Crate {
        name: "planted".into(),
        modules,
    };
    let found = circles(&krate);
    assert_eq!(found.len(), 1, "{found:?}");
    // Comments, strings, c's one-way use and c's test module make no circle.
    assert!(found[0].contains("the crate root: a, b\n"), "{}", found[0]);
}

#[test]
fn the_checker_follows_nested_groups_and_super_paths() {
    let chars: Vec<char> = "use crate::{a::{b, c::D}, e};".chars().collect();
    let mut out = Vec::new();
    parse_tree(&chars, 4, Vec::new(), &mut out);
    let got: Vec<String> = out.iter().map(|p| p.join("::")).collect();
    assert_eq!(got, ["crate::a::b", "crate::a::c::D", "crate::e"]);
}
