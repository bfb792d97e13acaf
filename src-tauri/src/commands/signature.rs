//! The compile-time half of the command list's promise: each function answers what
//! its line in `list.rs` says. `answers::<T>(f)` compiles only when `f`, whatever
//! arguments Tauri gives it, answers `T`: as an `async fn` returning `ShellResult<T>`,
//! a plain fn returning `ShellResult<T>`, or a plain fn returning `T`. The arguments
//! are the ones the list writes plus Tauri's own (`State`, `AppHandle`), so they are
//! not checked here: the window tests call every command with the list's names.

use crate::error::ShellResult;
use std::future::Future;

/// How a command answers; the marker keeps the three shapes from overlapping.
pub trait Answers<Args, Shape, T> {}

pub struct Async;
pub struct Fallible;
pub struct Plain;

macro_rules! arity {
    ($($a:ident)*) => {
        impl<F, Fut, T, $($a,)*> Answers<($($a,)*), Async, T> for F
        where
            F: Fn($($a),*) -> Fut,
            Fut: Future<Output = ShellResult<T>>,
        {
        }
        impl<F, T, $($a,)*> Answers<($($a,)*), Fallible, T> for F where F: Fn($($a),*) -> ShellResult<T> {}
        impl<F, T, $($a,)*> Answers<($($a,)*), Plain, T> for F where F: Fn($($a),*) -> T {}
    };
}

arity!();
arity!(A);
arity!(A B);
arity!(A B C);
arity!(A B C D);
arity!(A B C D E);
arity!(A B C D E G);

/// Compiles when `f` answers `T` (see the module's comment); never called.
pub fn answers<T, Args, Shape, F: Answers<Args, Shape, T>>(_f: F) {}

/// One call of [`answers`] per line of the list, each where that line's types are
/// named: its file's exports.
macro_rules! check {
    ($($window:ident $module:ident { $($command:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty),* $(,)? })*) => {
        #[allow(dead_code, unused_imports)]
        fn every_command_answers_what_the_list_says() {
            $($({
                use crate::commands::$module::*;
                crate::commands::signature::answers::<$ret, _, _, _>(crate::commands::$module::$command);
            })*)*
        }
    };
}

app_commands!(check);
