//! Sprig v3.3.0's function library (`sprig.TxtFuncMap()`), with Go's behaviour and
//! error messages.
//!
//! ```
//! use gotemplate::{Template, Value};
//! let mut t = Template::new("test");
//! t.funcs(gotemplate::sprig::txt_func_map());
//! t.parse(r#"{{ list "b" "a" | sortAlpha | join "," | upper }}"#).unwrap();
//! assert_eq!(t.execute(&Value::Nil).unwrap(), "A,B");
//! ```
//!
//! Functions that read the clock, randomness or the host (`now`, `date`, `rand*`,
//! `uuidv4`, `genCA`, `getHostByName`, `env`, …) behave as in Go; their output just
//! cannot be compared byte for byte.
//!
//! Regular expressions run on the `regex` crate, which shares RE2's syntax and
//! leftmost-first matching with Go's `regexp`; Go-only forms (ASCII `\d \s \w \b`,
//! `\Q…\E`, octal escapes, literal `{`, `[` and `--` inside classes, digit-led and
//! repeated group names) are translated first, replacements expand `$name` by Go's
//! rules, and syntax errors carry Go's messages. Unicode classes (`\p{Greek}`) follow
//! the crate's Unicode version, which may differ from Go's for recent code points.
//!
//! `keys` and `values` list entries in sorted key order, one of the orders Go's random
//! map iteration can give. Go strings may hold invalid UTF-8; where a byte-slicing
//! function (`substr`, `trunc`, `abbrev`, `wrap`, `b64dec`) splits a character, each
//! stray byte becomes U+FFFD, as Go's UTF-8 decoding reads it.
//!
//! [`json`] (Go's `encoding/json` for values) and the Go-typed objects ([`TimeValue`],
//! [`SemVer`], [`Certificate`]) are public for the Helm functions built on top.

mod certs;
mod conv;
mod crypto;
mod date;
mod defaults;
mod dicts;
mod encoding;
mod gotime;
pub mod json;
mod lists;
mod mergo;
mod numeric;
mod os;
mod reflection;
mod regex;
mod semver;
mod strings;
mod text;
mod url;

pub use certs::Certificate;
pub use date::TimeValue;
pub use gotime::{Location, Time};
pub use semver::SemVer;

use std::sync::OnceLock;

use crate::func::FuncMap;

/// The functions Helm deletes from sprig's map: they read the process environment.
pub const ENV_FUNCTIONS: [&str; 2] = ["env", "expandenv"];

/// Sprig's `nonhermeticFunctions`: results depend on the clock, randomness, the
/// environment or the network.
pub const NONHERMETIC_FUNCTIONS: [&str; 17] = [
    "date",
    "date_in_zone",
    "date_modify",
    "now",
    "htmlDate",
    "htmlDateInZone",
    "dateInZone",
    "dateModify",
    "randAlphaNum",
    "randAlpha",
    "randAscii",
    "randNumeric",
    "randBytes",
    "uuidv4",
    "env",
    "expandenv",
    "getHostByName",
];

/// `sprig.TxtFuncMap()`: every function of sprig v3.3.0.
///
/// The map is built once; each call returns a cheap copy (functions are shared), which
/// callers may extend or trim.
pub fn txt_func_map() -> FuncMap {
    static MAP: OnceLock<FuncMap> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = FuncMap::new();
        strings::register(&mut m);
        numeric::register(&mut m);
        defaults::register(&mut m);
        reflection::register(&mut m);
        os::register(&mut m);
        lists::register(&mut m);
        dicts::register(&mut m);
        crypto::register(&mut m);
        semver::register(&mut m);
        regex::register(&mut m);
        url::register(&mut m);
        date::register(&mut m);
        m
    })
    .clone()
}

/// Sprig's map as Helm starts from it: [`txt_func_map`] without `env` and `expandenv`
/// (Helm's `funcMap()` deletes them before adding its own functions).
pub fn txt_func_map_without_env() -> FuncMap {
    let mut m = txt_func_map();
    for name in ENV_FUNCTIONS {
        m.remove(name);
    }
    m
}

/// `sprig.HermeticTxtFuncMap()`: without the [`NONHERMETIC_FUNCTIONS`] (sprig keeps
/// `ago`, `toDate`, `shuffle` and the key generators in it, and so does this).
pub fn hermetic_txt_func_map() -> FuncMap {
    let mut m = txt_func_map();
    for name in NONHERMETIC_FUNCTIONS {
        m.remove(name);
    }
    m
}
