//! The contract between the shell and the UI, checked: every command in
//! `command_list.rs` is granted to its window and no other, and
//! `ui/src/lib/bindings.ts` is what the Rust definitions generate today.
//!
//! The TypeScript is made from two sources that cannot drift: the types' own
//! declarations (`ts-rs`, which reads the serde attributes), and the commands'
//! signatures as written in this crate's source (parsed with `syn`). Run
//! `make bindings` to rewrite the file; the test here fails while it is stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use ts_rs::{Config, TypeVisitor, TS};

macro_rules! table {
    ($($window:ident $module:ident::$command:ident,)*) => {
        &[$((stringify!($window), stringify!($module), stringify!($command))),*]
    };
}

/// (window, module, command) for every command, in `command_list.rs` order.
const COMMANDS: &[(&str, &str, &str)] = app_commands!(table);

const WINDOWS: &[&str] = &["staff", "kiosk"];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every type a command takes or returns, and with them all they contain.
fn declarations() -> BTreeMap<String, String> {
    use uketsuke_core as core;
    let mut d = Declarations { cfg: Config::new().with_large_int("number"), out: BTreeMap::new() };
    macro_rules! roots { ($($t:ty),* $(,)?) => { $(d.visit::<$t>();)* }; }
    roots![
        crate::error::ShellError,
        crate::commands::AppInfo,
        crate::commands::SyncStatus,
        core::desk::doors::Door,
        core::desk::doors::PassReport,
        core::desk::alerts::Alert,
        core::desk::keys::KeyBox,
        core::desk::history::HistoryFilter,
        core::desk::history::HistoryPage,
        core::desk::history::DayReport,
        core::desk::history::Exported,
        core::desk::history::Format,
        core::desk::audit::chain::Verification,
        core::desk::keys::KeyChoice,
        core::desk::members::MembersView,
        core::desk::members::MemberRow,
        core::desk::members::MemberForm,
        core::desk::members::FaceState,
        crate::locks::LockInfo,
        crate::kiosk::KioskGuest,
        crate::kiosk::KioskInfo,
        core::workflows::settings::ExportedFile,
        core::Lang,
        core::platform::model::Store,
        core::platform::model::Area,
        core::platform::model::Guest,
        core::desk::doors::lock::Target,
        core::desk::doors::lock::CommandReport,
        core::desk::doors::lock::KnownStatus,
        core::desk::doors::lock::Confirmation,
        core::clouds::sesame::client::Command,
        core::desk::guests::GuestView,
        core::desk::guests::WalkIn,
        core::desk::guests::access::AccessSummary,
        core::workflows::reconcile::CheckedOut,
        core::desk::guests::access::QrView,
        core::desk::guests::kiosk::KioskLookup,
        core::desk::staff::manager::RoleStatus,
        core::workflows::settings::SettingsView,
        uketsuke_facility::enrol::FacilitySettings,
        core::workflows::overview::StoreOverview,
        uketsuke_facility::enrol::JoinCode,
        uketsuke_facility::enrol::JoinInput,
        core::workflows::settings::CloudInput,
        core::workflows::settings::StoreInput,
        core::workflows::settings::AreaInput,
        core::workflows::settings::ImportReport,
        core::workflows::settings::ImportPreview,
        core::clouds::reservation::oauth::SignedIn,
    ];
    d.out
}

struct Declarations {
    cfg: Config,
    out: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if ts_rs::Dependency::from_ty::<T>(&self.cfg).is_none() {
            // A primitive or a wrapper (Option, Vec): nothing to declare, but what it wraps.
            T::visit_generics(self);
            T::visit_dependencies(self);
            return;
        }
        let name = T::ident(&self.cfg);
        if self.out.contains_key(&name) {
            return;
        }
        let docs = T::docs().unwrap_or_default();
        self.out.insert(name, format!("{docs}export {}", T::decl(&self.cfg)));
        T::visit_dependencies(self);
    }
}

/// One command's TypeScript wrapper, from its Rust signature.
#[derive(Debug)]
struct Signature {
    params: Vec<(String, String)>,
    returns: String,
}

fn signature(module: &str, command: &str, known: &BTreeSet<String>) -> Result<Signature, String> {
    let path = crate_dir().join("src").join(format!("{module}.rs"));
    let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file = syn::parse_file(&source).map_err(|e| format!("{module}.rs: {e}"))?;
    let f = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Fn(f) if f.sig.ident == command => Some(f),
            _ => None,
        })
        .ok_or_else(|| format!("no `fn {command}` in {module}.rs"))?;
    if !f.attrs.iter().any(|a| a.path().segments.last().is_some_and(|s| s.ident == "command")) {
        return Err(format!("`{module}::{command}` is not a #[tauri::command]"));
    }
    let mut params = Vec::new();
    for input in &f.sig.inputs {
        let syn::FnArg::Typed(arg) = input else { continue };
        if injected(&arg.ty) {
            continue;
        }
        let syn::Pat::Ident(name) = &*arg.pat else { return Err(format!("{command}: a pattern parameter")) };
        params.push((camel(&name.ident.to_string()), ts_type(&arg.ty, known)?));
    }
    let returns = match &f.sig.output {
        syn::ReturnType::Default => "void".to_string(),
        syn::ReturnType::Type(_, ty) => ts_type(ty, known)?,
    };
    Ok(Signature { params, returns })
}

/// Parameters Tauri fills in itself: they are not part of the call from the UI.
fn injected(ty: &syn::Type) -> bool {
    last_segment(ty)
        .is_some_and(|s| ["State", "AppHandle", "WebviewWindow", "Window"].contains(&s.0.as_str()))
}

fn last_segment(ty: &syn::Type) -> Option<(String, Vec<syn::Type>)> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let args = match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((seg.ident.to_string(), args))
}

/// The TypeScript for a Rust type as serde sends it. A named type must be declared.
fn ts_type(ty: &syn::Type, known: &BTreeSet<String>) -> Result<String, String> {
    match ty {
        syn::Type::Tuple(t) if t.elems.is_empty() => return Ok("void".into()),
        syn::Type::Reference(r) => return ts_type(&r.elem, known),
        _ => {}
    }
    let (name, args) = last_segment(ty).ok_or_else(|| format!("unsupported type {}", quote(ty)))?;
    let arg = |i: usize| -> Result<String, String> {
        args.get(i).map(|t| ts_type(t, known)).ok_or_else(|| format!("{name} without its type argument"))?
    };
    Ok(match name.as_str() {
        "ShellResult" | "Result" => arg(0)?,
        "Option" => format!("{} | null", arg(0)?),
        "Vec" if args.first().and_then(last_segment).is_some_and(|s| s.0 == "u8") => "number[]".into(),
        "Vec" => match arg(0)? {
            t if t.contains(' ') => format!("({t})[]"),
            t => format!("{t}[]"),
        },
        "String" | "str" => "string".into(),
        "bool" => "boolean".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" | "f32" | "f64" => {
            "number".into()
        }
        other if known.contains(other) => other.into(),
        other => return Err(format!("`{other}` is not declared: add it to `declarations()` in contract.rs")),
    })
}

fn quote(ty: &syn::Type) -> String {
    use quote::ToTokens;
    ty.to_token_stream().to_string()
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
fn generate() -> Result<String, String> {
    let decls = declarations();
    let known: BTreeSet<String> = decls.keys().cloned().collect();
    let mut out = String::from(
        "// Generated from the Rust definitions by `make bindings` (src-tauri/src/contract.rs).\n\
         // Do not edit: change the Rust and regenerate. `make test` fails while this file is stale.\n\
         import { call } from \"./api\";\n",
    );
    for decl in decls.values() {
        out.push('\n');
        out.push_str(decl.trim_end());
        out.push('\n');
    }
    for window in WINDOWS {
        let (object, prefix) = if *window == "kiosk" { ("kioskApi", "kiosk_") } else { ("api", "") };
        out.push_str(&format!(
            "\n/** The commands granted to the {window} window (capabilities/{window}.json). */\nexport const {object} = {{\n"
        ));
        for (_, module, command) in COMMANDS.iter().filter(|c| c.0 == *window) {
            let sig = signature(module, command, &known)?;
            let member = camel(command.strip_prefix(prefix).unwrap_or(command));
            let params: Vec<String> = sig.params.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            let args = match sig.params.is_empty() {
                true => String::new(),
                false => {
                    let names: Vec<&str> = sig.params.iter().map(|(n, _)| n.as_str()).collect();
                    format!(", {{ {} }}", names.join(", "))
                }
            };
            out.push_str(&format!(
                "  {member}: ({}) => call<{}>(\"{command}\"{args}),\n",
                params.join(", "),
                sig.returns
            ));
        }
        out.push_str("};\n");
    }
    Ok(out)
}

fn bindings_path() -> PathBuf {
    crate_dir().join("../ui/src/lib/bindings.ts")
}

#[test]
fn bindings_are_fresh() {
    let generated = generate().unwrap_or_else(|e| panic!("{e}"));
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
        let own: BTreeSet<String> = COMMANDS.iter().filter(|c| c.0 == *window).map(|c| allow(c.2)).collect();
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
            command.is_some_and(|c| COMMANDS.iter().any(|k| k.0 == "kiosk" && k.2 == c)),
            "the kiosk may not hold {p}"
        );
    }
}

#[test]
fn command_names_are_unique() {
    let names: BTreeSet<&str> = COMMANDS.iter().map(|c| c.2).collect();
    assert_eq!(names.len(), COMMANDS.len());
}
