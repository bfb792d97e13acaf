//! The contract between the shell and the UI, checked: every command in
//! `commands/list.rs` is granted to its window and no other, and
//! `ui/src/lib/bindings.ts` is what the Rust definitions generate today.
//!
//! The TypeScript comes from one source: the command list, whose lines carry each
//! command's arguments and answer as Rust types, and those types' own declarations
//! (`ts-rs`, which reads the serde attributes). No source is parsed and no type is
//! listed twice. Run `make bindings` to rewrite the file; the test here fails while it
//! is stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use ts_rs::{Config, TypeVisitor, TS};

/// One command as the list writes it. Its types are kept as functions of the ts-rs
/// config: their TypeScript name, and the declarations they need.
pub struct Entry {
    pub window: &'static str,
    pub name: &'static str,
    pub params: Vec<(&'static str, Wire)>,
    pub returns: Wire,
}

/// A Rust type the UI sends or receives.
pub struct Wire {
    name: fn(&Config) -> String,
    declare: fn(&mut Declarations<'_>),
}

impl Wire {
    pub fn of<T: TS + 'static>() -> Wire {
        Wire { name: ts_name::<T>, declare: |d| d.visit::<T>() }
    }
}

/// `()` is what a command answers when it answers nothing: `void` to the UI.
fn ts_name<T: TS + 'static>(cfg: &Config) -> String {
    match std::any::TypeId::of::<T>() == std::any::TypeId::of::<()>() {
        true => "void".into(),
        false => T::name(cfg),
    }
}

macro_rules! entries {
    ($($window:ident $module:ident { $($command:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty),* $(,)? })*) => {
        vec![$($({
            #[allow(unused_imports)]
            use crate::commands::$module::*;
            crate::contract::Entry {
                window: stringify!($window),
                name: stringify!($command),
                params: vec![$((stringify!($arg), crate::contract::Wire::of::<$ty>())),*],
                returns: crate::contract::Wire::of::<$ret>(),
            }
        }),*),*]
    };
}

/// Every command, in the list's order.
fn commands() -> Vec<Entry> {
    app_commands!(entries)
}

const WINDOWS: &[&str] = &["staff", "kiosk"];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every type a command takes or answers, with all they contain, and the error every
/// command may answer instead.
fn declarations(cfg: &Config) -> BTreeMap<String, String> {
    let mut d = Declarations { cfg, out: BTreeMap::new() };
    d.visit::<crate::error::ShellError>();
    for entry in commands() {
        for (_, wire) in &entry.params {
            (wire.declare)(&mut d);
        }
        (entry.returns.declare)(&mut d);
    }
    d.out
}

pub struct Declarations<'a> {
    cfg: &'a Config,
    out: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if ts_rs::Dependency::from_ty::<T>(self.cfg).is_none() {
            // A primitive or a wrapper (Option, Vec): nothing to declare, but what it wraps.
            T::visit_generics(self);
            T::visit_dependencies(self);
            return;
        }
        let name = T::ident(self.cfg);
        if self.out.contains_key(&name) {
            return;
        }
        let docs = T::docs().unwrap_or_default();
        self.out.insert(name, format!("{docs}export {}", T::decl(self.cfg)));
        T::visit_dependencies(self);
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// The whole of `ui/src/lib/bindings.ts`.
fn generate() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust definitions by `make bindings` (src-tauri/src/contract.rs).\n\
         // Do not edit: change the Rust and regenerate. `make test` fails while this file is stale.\n\
         import { call } from \"./api\";\n",
    );
    for decl in declarations(&cfg).values() {
        out.push('\n');
        out.push_str(decl.trim_end());
        out.push('\n');
    }
    let commands = commands();
    for window in WINDOWS {
        let (object, prefix) = if *window == "kiosk" { ("kioskApi", "kiosk_") } else { ("api", "") };
        out.push_str(&format!(
            "\n/** The commands granted to the {window} window (capabilities/{window}.json). */\nexport const {object} = {{\n"
        ));
        for entry in commands.iter().filter(|c| c.window == *window) {
            out.push_str(&wrapper(entry, prefix, &cfg));
        }
        out.push_str("};\n");
    }
    out
}

/// `  member: (a: A, b: B) => call<R>("command", { a, b }),`: Tauri takes the
/// arguments by their camelCase names.
fn wrapper(entry: &Entry, prefix: &str, cfg: &Config) -> String {
    let member = camel(entry.name.strip_prefix(prefix).unwrap_or(entry.name));
    let names: Vec<String> = entry.params.iter().map(|(n, _)| camel(n)).collect();
    let params: Vec<String> =
        entry.params.iter().zip(&names).map(|((_, w), n)| format!("{n}: {}", (w.name)(cfg))).collect();
    let args = match names.is_empty() {
        true => String::new(),
        false => format!(", {{ {} }}", names.join(", ")),
    };
    let returns = (entry.returns.name)(cfg);
    format!("  {member}: ({}) => call<{returns}>(\"{}\"{args}),\n", params.join(", "), entry.name)
}

fn bindings_path() -> PathBuf {
    crate_dir().join("../ui/src/lib/bindings.ts")
}

#[test]
fn bindings_are_fresh() {
    let generated = generate();
    let path = bindings_path();
    if std::env::var_os("UKETSUKE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "ui/src/lib/bindings.ts is stale: run `make bindings` and commit it");
}

fn permissions(window: &str) -> BTreeSet<String> {
    let path: &Path = &crate_dir().join(format!("capabilities/{window}.json"));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(json["windows"], serde_json::json!([window]), "{window}.json is for the {window} window only");
    json["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect()
}

fn allow(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}

#[test]
fn each_window_is_granted_exactly_its_commands() {
    for window in WINDOWS {
        let granted: BTreeSet<String> =
            permissions(window).into_iter().filter(|p| !p.starts_with("core:")).collect();
        let own: BTreeSet<String> =
            commands().iter().filter(|c| c.window == *window).map(|c| allow(c.name)).collect();
        let missing: Vec<_> = own.difference(&granted).collect();
        let extra: Vec<_> = granted.difference(&own).collect();
        assert!(missing.is_empty(), "{window}.json lacks {missing:?}");
        assert!(extra.is_empty(), "{window}.json grants what is not its own: {extra:?}");
    }
}

/// The kiosk hears `kiosk-pushed` (staff pushing a guest to it) instead of polling:
/// listening to events is the one core permission it holds, nothing of windows or
/// webviews.
const KIOSK_CORE: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

#[test]
fn the_kiosk_holds_only_kiosk_commands_and_listening_to_events() {
    let kiosk = permissions("kiosk");
    for p in kiosk.iter().filter(|p| !KIOSK_CORE.contains(&p.as_str())) {
        let command = p.strip_prefix("allow-").map(|c| c.replace('-', "_"));
        assert!(
            command.is_some_and(|c| commands().iter().any(|k| k.window == "kiosk" && k.name == c)),
            "the kiosk may not hold {p}"
        );
    }
}

#[test]
fn command_names_are_unique() {
    let commands = commands();
    let names: BTreeSet<&str> = commands.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), commands.len());
}
