//! Flux's post-build variable substitution (`Kustomization.spec.postBuild`), reproduced from
//! the two pieces kustomize-controller runs: the template engine of
//! [fluxcd/pkg `envsubst`](https://github.com/fluxcd/pkg/tree/main/envsubst) (Flux's fork of
//! drone/envsubst, used since Flux 2.4) and the per-object driver of fluxcd/pkg
//! `kustomize/kustomize_varsub.go`.
//!
//! # Template syntax ([`substitute`])
//!
//! Only the braced form is an expression; `$var` is left alone, which is how Flux users keep
//! shell variables in embedded scripts.
//!
//! | Expression | Result |
//! |---|---|
//! | `${var}` | the value (empty when unset, unless strict) |
//! | `${var:=word}` `${var=word}` `${var:-word}` | `word` when the value is empty or unset |
//! | `${var:+word}` `${var:?word}` | the same as `${var:-word}` (not bash's meaning) |
//! | `${#var}` | length of the value in bytes |
//! | `${var^}` `${var^^}` `${var,}` `${var,,}` | upper-case the first/all, lower-case the first/all characters |
//! | `${var:pos}` `${var:pos:len}` | bytes from `pos` (negative: from the end), at most `len` (negative: stop that far from the end) |
//! | `${var/pat/rep}` `${var//pat/rep}` | replace the first/every occurrence of the literal `pat` (no `rep`: delete) |
//! | `${var/#pat/rep}` `${var/%pat/rep}` | replace `pat` at the start/end (an empty `pat` prepends/appends) |
//! | `${var#glob}` `${var##glob}` `${var%glob}` `${var%%glob}` | strip the shortest/longest prefix/suffix matching a shell pattern (`*` and `?` also match `/`) |
//! | `$${var}` | the literal `${var}`; in plain text any `$$` reads as `$` |
//!
//! `word` may hold nested expressions (`${a:=${b}-x}`) and runs up to the first `}`. In
//! replacement patterns `\/` and `\\` escape a slash and a backslash. The forms without a
//! colon other than `=` (`${var-word}`, `${var+word}`, `${var?word}`) are *not* supported by
//! Flux's parser and fail with "missing closing brace"; so does any `${` left unclosed.
//!
//! In strict mode (kustomize-controller's `StrictPostBuildSubstitutions` feature gate) an
//! expression that reads an unset variable fails with "variable not set (strict mode)",
//! naming it, unless its operator supplies a fallback (`=`, `:=`, `:-`, `:+`, `:?`). A
//! variable set to the empty string is set.
//!
//! Flux's parser reads a NUL character as the end of the input; so does this one.
//!
//! # Objects ([`substitute_object`])
//!
//! kustomize-controller substitutes each object of the build on its YAML text, then reads
//! the text back. See [`substitute_object`] for the exact sequence and its conditions.
//!
//! # Limits (SECURITY 22)
//!
//! Output may not exceed [`output_limit`] (ten times the input, and at least
//! [`MIN_OUTPUT_LIMIT`]); expressions may nest [`MAX_DEPTH`] levels; pattern matching
//! may take [`MAX_MATCH_STEPS`] steps. Flux has none of these limits.
//!
//! ```
//! let vars = |name: &str| match name {
//!     "cluster_env" => Some("prod".to_string()),
//!     _ => None,
//! };
//! let out = envsubst::substitute("env: ${cluster_env:=dev}, region: ${region:=eu-central-1}", &vars, true).unwrap();
//! assert_eq!(out, "env: prod, region: eu-central-1");
//! let err = envsubst::substitute("${region}", &vars, true).unwrap_err();
//! assert_eq!(err.to_string(), "variable not set (strict mode): \"region\"");
//! ```

mod eval;
mod glob;
mod object;
mod parse;

pub use glob::MAX_MATCH_STEPS;
pub use object::{
    DISABLED_VALUE, Options, SUBSTITUTE_KEY, VAR_NAME_PATTERN, is_disabled, is_valid_var_name,
    substitute_object, variable_value,
};
pub use parse::MAX_DEPTH;

/// Everything that can go wrong. The messages of the template errors are fluxcd/pkg
/// `envsubst`'s; the object-level variants add the prefixes kustomize-controller reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("bad substitution")]
    BadSubstitution,
    #[error("missing closing brace")]
    MissingClosingBrace,
    #[error("unable to parse variable name")]
    ParseVariableName,
    #[error("unable to parse substitution within function")]
    ParseFuncSubstitution,
    #[error("unable to parse default function")]
    ParseDefaultFunction,
    /// Strict mode: the named variable is used without a fallback and is not set.
    #[error("variable not set (strict mode): {0:?}")]
    VariableNotSet(String),
    #[error("substitution nests deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("substitution output exceeds the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("pattern matching exceeds the limit of {MAX_MATCH_STEPS} steps")]
    PatternTooExpensive,
    /// A variable name that fails [`VAR_NAME_PATTERN`].
    #[error("'{0}' var name is invalid, must match '{VAR_NAME_PATTERN}'")]
    InvalidVarName(String),
    /// The template failed to evaluate (wraps one of the errors above).
    #[error("variable substitution failed: {0}")]
    Substitution(Box<Error>),
    /// The substituted text is no longer a YAML object.
    #[error("YAMLToJSON: {0}")]
    Yaml(String),
    /// An object could not be substituted (kustomize-controller's outer wrapping).
    #[error("envsubst error: {0}")]
    Object(Box<Error>),
}

impl Error {
    /// The innermost error, past the object-level wrapping.
    pub fn root(&self) -> &Error {
        match self {
            Error::Substitution(e) | Error::Object(e) => e.root(),
            other => other,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The smallest output limit, whatever the input: room for large variable values (a
/// certificate bundle) in a small object.
pub const MIN_OUTPUT_LIMIT: usize = 4 << 20;

/// How large the output of substituting `input_len` bytes may grow: ten times the input,
/// and at least [`MIN_OUTPUT_LIMIT`].
pub fn output_limit(input_len: usize) -> usize {
    input_len.saturating_mul(10).max(MIN_OUTPUT_LIMIT)
}

/// Expands the `${...}` expressions of `input`. `vars` gives a variable's value, `None`
/// when it is unset; unset variables read as empty unless `strict`.
pub fn substitute(
    input: &str,
    vars: &impl Fn(&str) -> Option<String>,
    strict: bool,
) -> Result<String> {
    substitute_with_limit(input, vars, strict, output_limit(input.len()))
}

/// [`substitute`] with an explicit output limit in bytes.
pub fn substitute_with_limit(
    input: &str,
    vars: &impl Fn(&str) -> Option<String>,
    strict: bool,
    limit: usize,
) -> Result<String> {
    let nodes = parse::parse(input.as_bytes())?;
    let lookup = |name: &str| match vars(name) {
        Some(v) => (v, true),
        None => (String::new(), !strict),
    };
    let mut eval = eval::Eval {
        lookup: &lookup,
        limit,
        live: 0,
        steps: glob::Steps(MAX_MATCH_STEPS),
    };
    let mut out = Vec::with_capacity(input.len());
    eval.nodes(&nodes, &mut out)?;
    // Byte offsets can split a character (`${var:1}` on "é"); Go keeps the broken bytes,
    // a Rust string cannot.
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests;
