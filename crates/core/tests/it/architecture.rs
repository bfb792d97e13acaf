//! The shape of the code, checked: no import cycle between the top-level modules of
//! core and of the simulator, and no source file past 600 lines. A cycle or a long
//! file is easy to add and slow to remove; this fails the build the day it appears.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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

/// The top-level module a file belongs to (`splats/client.rs` → `splats`).
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.trim_end_matches(".rs").to_string();
    (!["lib", "main"].contains(&first.as_str())).then_some(first)
}

/// The code of a file without comments and without its unit tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The top-level modules a piece of code names as `crate::x` or `crate::{x, y}`.
fn uses(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            for item in group.split('}').next().unwrap_or("").split(',') {
                out.insert(ident(item.trim()));
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m.chars().next().is_some_and(|c| c.is_lowercase()) && m != "self");
    out
}

fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(module) = top_module(src, &file) else { continue };
        let named = uses(&code(&std::fs::read_to_string(&file).unwrap()));
        graph.entry(module.clone()).or_default().extend(named.into_iter().filter(|m| *m != module));
    }
    graph
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

#[test]
fn no_import_cycles_between_top_level_modules() {
    for krate in ["crates/core/src", "crates/sim/src"] {
        let graph = module_graph(&workspace().join(krate));
        assert!(graph.len() > 5, "{krate}: the graph was read");
        for module in graph.keys() {
            if let Some(c) = cycle(&graph, module) {
                panic!("{krate}: import cycle {} -> {module}", c.join(" -> "));
            }
        }
    }
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut files = Vec::new();
    for dir in ["crates/core/src", "crates/sim/src", "crates/cli/src", "src-tauri/src", "tests/e2e/src"] {
        rust_files(&workspace().join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
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
