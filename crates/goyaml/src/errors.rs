//! granit-parser errors → the texts and line numbers go-yaml v2 reports.
//!
//! go-yaml prints `yaml: line N: <libyaml problem>`. Its line quirk is kept: scanner errors
//! print the 1-based line, parser errors print the 0-based line of the offending token
//! (one less), and either prints no `line N:` part when that 0-based line is 0.

use granit_parser::{ErrorKind, ScanError};

use crate::Error;

enum Stage {
    Scanner,
    Parser,
}

fn libyaml_text(kind: &ErrorKind) -> (Stage, String) {
    use ErrorKind as K;
    use Stage::{Parser, Scanner};
    let (stage, text): (Stage, &str) = match kind {
        K::MappingValueNotAllowed
        | K::InvalidColonPlacement
        | K::FlowMappingValueAdjacentCollection => {
            (Scanner, "mapping values are not allowed in this context")
        }
        K::UnexpectedCharacter { .. } | K::BomInsideDocument | K::MisplacedFlowCollectionEnd => {
            (Scanner, "found character that cannot start any token")
        }
        K::BlockSequenceEntryNotAllowed | K::BlockEntryInFlowCollection => (
            Scanner,
            "block sequence entries are not allowed in this context",
        ),
        K::SimpleKeyExpected | K::InvalidSimpleKey => (Scanner, "could not find expected ':'"),
        K::UnclosedQuotedScalar => (Scanner, "found unexpected end of stream"),
        K::DocumentIndicatorInQuotedScalar => (Scanner, "found unexpected document indicator"),
        K::UnknownQuotedScalarEscape => (Scanner, "found unknown escape character"),
        K::InvalidQuotedScalarHexEscape | K::InvalidLowSurrogateHexEscape => {
            (Scanner, "did not find expected hexdecimal number")
        }
        K::InvalidUnicodeEscape
        | K::InvalidLowSurrogate
        | K::MissingLowSurrogate
        | K::UnpairedLowSurrogate => (Scanner, "found invalid Unicode character escape code"),
        K::TabInIndentation | K::TabInBlockIndentation | K::TabNotAllowed | K::TabInPlainScalar => {
            (Scanner, "found character that cannot start any token")
        }
        K::InvalidBlockScalarIndent => (
            Scanner,
            "found a tab character where an indentation space is expected",
        ),
        K::ZeroBlockScalarIndent => (Scanner, "found an indentation indicator equal to 0"),
        K::InvalidBlockScalarHeader => (Scanner, "did not find expected comment or line break"),
        K::MissingAnchorOrAliasName => (
            Scanner,
            "did not find expected alphabetic or numeric character",
        ),
        K::ExpectedTagBang | K::ExpectedTagDirectiveBang => (Scanner, "did not find expected '!'"),
        K::InvalidTagTerminator | K::InvalidTagDirectiveTerminator => {
            (Scanner, "did not find expected whitespace or line break")
        }
        K::MissingTagUri => (Scanner, "did not find expected tag URI"),
        K::UnclosedVerbatimTag => (Scanner, "did not find the expected '>'"),
        K::MissingDirectiveName => (Scanner, "could not find expected directive name"),
        K::InvalidDirectiveName => (Scanner, "found unexpected non-alphabetical character"),
        K::InvalidDirectiveTerminator => (Scanner, "did not find expected comment or line break"),
        K::MissingYamlVersion | K::MissingYamlVersionSeparator => {
            (Scanner, "did not find expected digit or '.' character")
        }
        K::YamlVersionTooLong => (Scanner, "found extremely long version number"),
        K::ExpectedBlockMappingKey | K::UnexpectedEofBlockMapping => {
            (Parser, "did not find expected key")
        }
        K::ExpectedBlockSequenceEntry | K::UnexpectedEofBlockSequence => {
            (Parser, "did not find expected '-' indicator")
        }
        K::ExpectedFlowSequenceSeparator | K::UnexpectedEofFlowSequence => {
            (Parser, "did not find expected ',' or ']'")
        }
        K::ExpectedFlowMappingSeparator
        | K::UnexpectedEofFlowMapping
        | K::UnexpectedEofImplicitFlowMapping => (Parser, "did not find expected ',' or '}'"),
        K::UnclosedFlowCollection { open: '[' } => (Parser, "did not find expected ',' or ']'"),
        K::UnclosedFlowCollection { .. } => (Parser, "did not find expected ',' or '}'"),
        K::MismatchedFlowCollectionEnd { open: '[', .. } => {
            (Parser, "did not find expected ',' or ']'")
        }
        K::MismatchedFlowCollectionEnd { .. } => (Parser, "did not find expected ',' or '}'"),
        K::ExpectedNodeContent | K::UnexpectedEof => (Parser, "did not find expected node content"),
        K::ExpectedDocumentStart | K::InvalidDocumentEnd => {
            (Parser, "did not find expected <document start>")
        }
        K::UndeclaredTagHandle => (Parser, "found undefined tag handle"),
        K::DuplicateVersionDirective => (Parser, "found duplicate %YAML directive"),
        K::UnsupportedYamlMajorVersion => (Parser, "found incompatible YAML document"),
        K::DuplicateTagDirective => (Parser, "found duplicate %TAG directive"),
        K::RecursionLimitExceeded => (Parser, "exceeded max depth of 10000"),
        other => return (Scanner, other.to_string()),
    };
    (stage, text.to_owned())
}

pub fn scan(e: &ScanError, text: &str) -> Error {
    let (stage, problem) = libyaml_text(e.kind());
    // libyaml reports these at the end of the stream, whose mark sits on a fresh line when
    // the text does not end with a break.
    let eof_line =
        text.matches('\n').count() + usize::from(!text.is_empty() && !text.ends_with('\n'));
    let line0 = match e.kind() {
        ErrorKind::UnclosedQuotedScalar => text.matches('\n').count(),
        ErrorKind::UnexpectedEofFlowSequence
        | ErrorKind::UnexpectedEofFlowMapping
        | ErrorKind::UnclosedFlowCollection { .. } => eof_line,
        // The required simple key goes stale one line after the key.
        ErrorKind::SimpleKeyExpected | ErrorKind::InvalidSimpleKey => e.marker().line(),
        _ => e.marker().line().saturating_sub(1),
    };
    let line = match stage {
        Stage::Scanner if line0 != 0 => line0 + 1,
        Stage::Parser => line0,
        Stage::Scanner => 0,
    };
    if line == 0 {
        Error::Yaml(format!("yaml: {problem}"))
    } else {
        Error::Yaml(format!("yaml: line {line}: {problem}"))
    }
}
