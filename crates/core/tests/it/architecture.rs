//! The shape of the code, checked. Core is four layers, each using only those below
//! it: `platform` → `clouds` → `desk` → `workflows` (lib.rs says what each holds). Any
//! path that reaches up a layer fails here, as does an import cycle between the concept
//! folders of one layer, a cycle between the simulator's modules, and a source file
//! past 600 lines. Files are read as Rust with `syn`: comments and `#[cfg(test)]` items
//! are left out wherever they sit, and `super::` paths are resolved.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Core's layers, lowest first.
const LAYERS: [&str; 4] = ["platform", "clouds", "desk", "workflows"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file (`desk/doors/lock.rs` → `[desk, doors, lock]`,
/// `desk/doors/mod.rs` → `[desk, doors]`, `lib.rs` → `[]`).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if !["mod", "lib", "main"].contains(&stem) {
        parts.push(stem.to_string());
    }
    parts
}

/// Every crate-internal path a file names, made absolute (`super::x` resolved), with
/// test-only items left out.
#[derive(Default)]
struct Paths {
    module: Vec<String>,
    found: BTreeSet<Vec<String>>,
}

impl Paths {
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        let mut at = self.module.clone();
        let mut rest = segments;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                at.clear();
                rest = &rest[1..];
            }
            Some("super") | Some("self") => {
                while let Some(s) = rest.first() {
                    match s.as_str() {
                        "super" => drop(at.pop()),
                        "self" => {}
                        _ => break,
                    }
                    rest = &rest[1..];
                }
            }
            _ => return None,
        }
        at.extend(rest.iter().cloned());
        Some(at)
    }

    fn add(&mut self, segments: Vec<String>) {
        if segments.first().is_some_and(|s| s == "rusqlite") {
            self.found.insert(vec!["rusqlite".into()]);
        }
        if let Some(p) = self.absolute(&segments) {
            self.found.insert(p);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.add(prefix.iter().cloned().chain([n.ident.to_string()]).collect()),
            syn::UseTree::Rename(r) => {
                self.add(prefix.iter().cloned().chain([r.ident.to_string()]).collect())
            }
            syn::UseTree::Glob(_) => self.add(prefix.clone()),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix, t)),
        }
    }
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Meta>().is_ok_and(|m| m.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            _ => &Vec::new(),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.add(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

/// The crate-internal paths of one source text, as if it were the file `rel`.
fn paths_in(rel: &Path, text: &str) -> BTreeSet<Vec<String>> {
    let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
    let mut v = Paths { module: module_of(rel), ..Paths::default() };
    v.visit_file(&file);
    v.found
}

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

/// What a file in `rel` does wrong by naming `paths`: any path into a higher layer.
fn upward(rel: &Path, paths: &BTreeSet<Vec<String>>) -> Vec<String> {
    let module = module_of(rel);
    let Some(own) = module.first().and_then(|l| rank(l)) else { return Vec::new() };
    paths
        .iter()
        .filter(|p| p.first().and_then(|l| rank(l)).is_some_and(|r| r > own))
        .map(|p| format!("{} uses crate::{} ({} is above {})", rel.display(), p.join("::"), p[0], module[0]))
        .collect()
}

/// What a cloud client does that is not its business: SQL (it asks the desk instead).
fn storage_in_clouds(rel: &Path, paths: &BTreeSet<Vec<String>>) -> Vec<String> {
    if module_of(rel).first().is_none_or(|l| l != "clouds") {
        return Vec::new();
    }
    paths
        .iter()
        .filter(|p| p[0] == "rusqlite" || p.starts_with(&["platform".to_string(), "db".to_string()]))
        .map(|p| format!("{} uses {} (a cloud client does no SQL)", rel.display(), p.join("::")))
        .collect()
}

/// Core's sources: each file's path under `src` and the paths it names.
fn core_sources() -> Vec<(PathBuf, BTreeSet<Vec<String>>)> {
    let src = workspace().join("crates/core/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap().to_path_buf();
            let paths = paths_in(&rel, &std::fs::read_to_string(&f).unwrap());
            (rel, paths)
        })
        .collect()
}

#[test]
fn no_layer_of_core_uses_a_layer_above_it() {
    let sources = core_sources();
    assert!(sources.len() > 50, "core's sources were read");
    let mut top = BTreeSet::new();
    let mut wrong = Vec::new();
    for (rel, paths) in &sources {
        top.extend(module_of(rel).first().cloned());
        wrong.extend(upward(rel, paths));
        wrong.extend(storage_in_clouds(rel, paths));
    }
    assert!(
        wrong.is_empty(),
        "move the code down, or pass what it needs in from above:\n{}",
        wrong.join("\n")
    );
    assert_eq!(
        top,
        LAYERS.iter().map(|l| l.to_string()).collect(),
        "core holds the four layers and nothing else"
    );
}

#[test]
fn the_layer_check_catches_an_upward_path_wherever_it_is_written() {
    let rel = Path::new("desk/guests/kiosk.rs");
    for text in [
        "use crate::workflows::sync;",
        "use crate::{platform::db, workflows::{reconcile, sync}};",
        "fn f() { crate::workflows::sync::run(); }",
        "fn f() -> crate::workflows::sync::Report { todo!() }",
        "use super::super::super::workflows::sync;",
        "mod inner { use crate::workflows::sync; }",
        "// a comment\n#[cfg(test)]\nmod tests {}\nuse crate::workflows::sync;",
    ] {
        assert!(!upward(rel, &paths_in(rel, text)).is_empty(), "not caught: {text}");
    }
    let client = Path::new("clouds/splats/client.rs");
    for text in ["use rusqlite::Connection;", "fn f(db: &crate::platform::db::Db) {}"] {
        assert!(!storage_in_clouds(client, &paths_in(client, text)).is_empty(), "not caught: {text}");
    }
    for text in [
        "use crate::platform::db;\n// crate::workflows::sync in a comment",
        "/// [`crate::workflows::sync`] in a doc comment\nfn f() {}",
        "#[cfg(test)]\nmod tests { use crate::workflows::sync; }",
        "use super::access;",
    ] {
        assert!(upward(rel, &paths_in(rel, text)).is_empty(), "wrongly caught: {text}");
    }
}

/// A cycle through `start`, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(g: &BTreeMap<String, BTreeSet<String>>, at: &str, goal: &str, path: &mut Vec<String>) -> bool {
        for next in g.get(at).into_iter().flatten() {
            if next == goal {
                return true;
            }
            if !path.contains(next) {
                path.push(next.clone());
                if walk(g, next, goal, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(graph, start, start, &mut path).then_some(path)
}

fn assert_acyclic(what: &str, graph: &BTreeMap<String, BTreeSet<String>>) {
    for module in graph.keys() {
        if let Some(c) = cycle(graph, module) {
            panic!("{what}: import cycle {} -> {module}", c.join(" -> "));
        }
    }
}

#[test]
fn no_import_cycle_between_the_concepts_of_a_layer() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, paths) in core_sources() {
        let module = module_of(&rel);
        let Some(concept) = module.get(..2).map(|m| m.join("::")) else { continue };
        let named = paths.iter().filter(|p| p.len() >= 2 && p[0] == module[0]).map(|p| p[..2].join("::"));
        graph.entry(concept.clone()).or_default().extend(named.filter(|n| *n != concept));
    }
    assert!(graph.len() > 20, "the concepts were read");
    assert_acyclic("crates/core", &graph);
}

#[test]
fn no_import_cycle_between_the_simulators_modules() {
    let src = workspace().join("crates/sim/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let Some(top) = module_of(rel).first().cloned() else { continue };
        let named = paths_in(rel, &std::fs::read_to_string(&f).unwrap());
        let named = named.into_iter().filter_map(|p| p.first().cloned()).filter(|m| *m != top);
        let named: Vec<String> = named.collect();
        graph.entry(top).or_default().extend(named);
    }
    assert!(graph.len() > 5, "the simulator's modules were read");
    assert_acyclic("crates/sim", &graph);
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri/src", "tests/e2e/src", "tests/e2e/tests"] {
        rust_files(&workspace().join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "target"))
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 600).then(|| format!("{} ({n})", f.strip_prefix(workspace()).unwrap_or(f).display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by concern: {long:?}");
}

#[test]
fn comments_point_only_inside_the_repository() {
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri/src", "tests/e2e"] {
        rust_files(&workspace().join(dir), &mut files);
    }
    let outside: Vec<String> = files
        .iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "target"))
        .filter(|f| std::fs::read_to_string(f).unwrap().contains(concat!("shared", "/reference")))
        .map(|f| f.display().to_string())
        .collect();
    assert!(outside.is_empty(), "point at docs/reference/ instead: {outside:?}");
}

/// Facility mode is its own crate: the desk's build holds no PostgreSQL driver, no TLS
/// to a database and no AEAD, and a desk that never joins a facility never links them.
#[test]
fn the_desk_builds_without_the_facility_dependencies() {
    let manifest: toml::Table =
        std::fs::read_to_string(workspace().join("crates/core/Cargo.toml")).unwrap().parse().unwrap();
    let deps = manifest["dependencies"].as_table().unwrap();
    let facility_only = ["tokio-postgres", "tokio-postgres-rustls", "rustls", "webpki-roots", "aes-gcm"];
    let found: Vec<&str> = facility_only.into_iter().filter(|d| deps.contains_key(*d)).collect();
    assert!(found.is_empty(), "these belong to crates/facility: {found:?}");
}
