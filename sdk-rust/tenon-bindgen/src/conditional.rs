//! The conditionals (`#if`, `#ifdef`, `#ifndef`, `#elif`, `#else`,
//! `#endif`) of an interface header, as the header reader follows them.
//!
//! The reader reads a header as a C compiler given no `-D` option would,
//! knowing only what the header itself defined above the conditional:
//!
//! * a branch whose condition it can evaluate is read or skipped (`#if 0`,
//!   `#ifdef __cplusplus`, which a C compiler does not define, an
//!   `#ifdef X` after `#define X`);
//! * the include guard (`#ifndef X_H` then `#define X_H` first in the file,
//!   its `#endif` last) is read, as on a header's first inclusion;
//! * any other branch is *unsure*: what is in it is kept, marked with the
//!   conditional it is under, and a vtable or an id or version macro so
//!   marked is refused by the model, naming it, rather than guessed.

use std::collections::HashMap;
use std::fmt;

/// Whether a condition holds, when the reader can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Truth {
    Yes,
    No,
    Unknown,
}

impl Truth {
    fn of(value: bool) -> Truth {
        if value {
            Truth::Yes
        } else {
            Truth::No
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            Truth::Unknown => Truth::Unknown,
        }
    }

    fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::No, _) | (_, Truth::No) => Truth::No,
            (Truth::Yes, Truth::Yes) => Truth::Yes,
            _ => Truth::Unknown,
        }
    }

    fn or(self, other: Truth) -> Truth {
        self.not().and(other.not()).not()
    }
}

/// A conditional the reader cannot evaluate, which some of the header is
/// under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Condition {
    /// The directive, as written without its comments (`#ifdef ACME_BIG`).
    directive: String,
    /// Its line.
    line: usize,
    /// For an `#else` or `#elif`, the `#if` it belongs to.
    of: Option<Box<Condition>>,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` (line {})", self.directive, self.line)?;
        match &self.of {
            Some(opening) => write!(f, " of {opening}"),
            None => Ok(()),
        }
    }
}

/// Where the text being read is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reading {
    /// In no conditional, or in branches that are taken.
    Read,
    /// In a branch that is not taken.
    Skipped,
    /// In a branch the reader cannot tell is taken: the innermost such.
    Unsure(Condition),
}

/// One open `#if`.
#[derive(Debug)]
struct Frame {
    /// Whether the current branch is taken (on its own, whatever the
    /// enclosing ones).
    branch: Truth,
    /// Whether an earlier branch of the same `#if` was.
    taken: Truth,
    /// The current branch's directive, for [`Reading::Unsure`].
    condition: Condition,
    /// The opening directive and its line.
    opening: Condition,
    /// Whether the `#else` was seen.
    in_else: bool,
    /// The guarded macro, if this is the file's include guard.
    guard: Option<String>,
}

/// The conditionals open at some point of a header, and what the header
/// defined above it.
#[derive(Debug)]
pub(crate) struct Conditionals {
    stack: Vec<Frame>,
    /// Whether each macro is defined, for the macros the reader knows about.
    defined: HashMap<String, (Truth, Option<String>)>,
    /// How many items (tokens and directives) were met, the current one
    /// included: only the first of a file may open its include guard.
    items: usize,
    /// The include guard, once closed: anything after it means it was not
    /// one, and what it held was under its condition after all.
    closed_guard: Option<Condition>,
}

impl Conditionals {
    pub(crate) fn new() -> Conditionals {
        let mut defined = HashMap::new();
        // The reader reads headers as C: the `extern "C"` wrapper of a
        // header shared with C++ is skipped.
        defined.insert("__cplusplus".to_owned(), (Truth::No, None));
        Conditionals {
            stack: Vec::new(),
            defined,
            items: 0,
            closed_guard: None,
        }
    }

    /// Where the text is now.
    pub(crate) fn reading(&self) -> Reading {
        if self.stack.iter().any(|f| f.branch == Truth::No) {
            return Reading::Skipped;
        }
        match self.stack.iter().rev().find(|f| f.branch == Truth::Unknown) {
            Some(frame) => Reading::Unsure(frame.condition.clone()),
            None => Reading::Read,
        }
    }

    /// Notes that a token or directive comes next. Returns the condition
    /// of an include guard that turned out not to be one (something came
    /// after its `#endif`): what was read under it is under it after all.
    pub(crate) fn next_item(&mut self) -> Option<Condition> {
        self.items += 1;
        self.closed_guard.take()
    }

    /// The include guard being read, if the innermost conditional is one.
    pub(crate) fn guard_of(&self, name: &str) -> Option<Condition> {
        match self.stack.as_slice() {
            [frame] if frame.guard.as_deref() == Some(name) => Some(frame.opening.clone()),
            _ => None,
        }
    }

    /// Follows a `#define name value` met at the current place.
    pub(crate) fn define(&mut self, name: &str, value: &str) {
        let truth = match self.reading() {
            Reading::Read => Truth::Yes,
            Reading::Skipped => return,
            Reading::Unsure(_) => match self.defined.get(name) {
                Some((Truth::Yes, _)) => Truth::Yes,
                _ => Truth::Unknown,
            },
        };
        self.defined
            .insert(name.to_owned(), (truth, Some(value.to_owned())));
    }

    /// Follows an `#undef name` met at the current place.
    pub(crate) fn undefine(&mut self, name: &str) {
        let truth = match self.reading() {
            Reading::Read => Truth::No,
            Reading::Skipped => return,
            Reading::Unsure(_) => Truth::Unknown,
        };
        self.defined.insert(name.to_owned(), (truth, None));
    }

    /// Follows a conditional directive: `keyword` (`if`, `ifdef`, ...)
    /// and the rest of the line, at `line`; `guarded` says whether the
    /// next directive defines the macro an `#ifndef` names. Other
    /// directives return `Ok(false)`.
    pub(crate) fn directive(
        &mut self,
        keyword: &str,
        rest: &str,
        line: usize,
        guarded: impl FnOnce(&str) -> bool,
    ) -> Result<bool, String> {
        let written = format!("#{keyword} {rest}").trim_end().to_owned();
        let here = Condition {
            directive: written,
            line,
            of: None,
        };
        match keyword {
            "if" | "ifdef" | "ifndef" => {
                let first = self.items <= 1 && self.stack.is_empty();
                let guard = guard_name(keyword, rest)
                    .filter(|name| first && guarded(name))
                    .map(str::to_owned);
                let branch = if guard.is_some() {
                    Truth::Yes
                } else {
                    self.condition(keyword, rest)
                };
                self.stack.push(Frame {
                    branch,
                    taken: branch,
                    condition: here.clone(),
                    opening: here,
                    in_else: false,
                    guard,
                });
            }
            "elif" | "elifdef" | "elifndef" | "else" => {
                let Some(frame) = self.stack.last() else {
                    return Err(format!("line {line}: #{keyword} without #if"));
                };
                if frame.in_else {
                    return Err(format!(
                        "line {line}: #{keyword} after the #else of {}",
                        frame.opening
                    ));
                }
                let condition = match keyword {
                    "else" => Truth::Yes,
                    "elif" => self.condition("if", rest),
                    "elifdef" => self.condition("ifdef", rest),
                    _ => self.condition("ifndef", rest),
                };
                let frame = self.stack.last_mut().expect("checked above");
                frame.branch = frame.taken.not().and(condition);
                frame.taken = frame.taken.or(condition);
                frame.in_else = keyword == "else";
                frame.guard = None;
                frame.condition = Condition {
                    of: Some(Box::new(frame.opening.clone())),
                    ..here
                };
            }
            "endif" => {
                let Some(frame) = self.stack.pop() else {
                    return Err(format!("line {line}: #endif without #if"));
                };
                if frame.guard.is_some() {
                    self.closed_guard = Some(frame.opening);
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The end of the header: every `#if` must be closed.
    pub(crate) fn finish(&self) -> Result<(), String> {
        match self.stack.last() {
            Some(frame) => Err(format!(
                "line {}: {} has no #endif",
                frame.opening.line,
                frame
                    .opening
                    .directive
                    .split_whitespace()
                    .next()
                    .unwrap_or("#if")
            )),
            None => Ok(()),
        }
    }

    /// Whether the condition of `#keyword rest` holds.
    fn condition(&self, keyword: &str, rest: &str) -> Truth {
        match keyword {
            "ifdef" => self.is_defined(rest.trim()),
            "ifndef" => self.is_defined(rest.trim()).not(),
            _ => {
                let tokens = expression_tokens(rest);
                let mut parser = Parser {
                    tokens: &tokens,
                    at: 0,
                    known: self,
                };
                match parser.or() {
                    Some(truth) if parser.at == tokens.len() => truth,
                    _ => Truth::Unknown,
                }
            }
        }
    }

    /// Whether `name` is defined here: unknown for a macro the header has
    /// not defined or undefined, which the compiler's command line or
    /// another header may define.
    fn is_defined(&self, name: &str) -> Truth {
        if !is_identifier(name) {
            return Truth::Unknown;
        }
        self.defined.get(name).map_or(Truth::Unknown, |(t, _)| *t)
    }
}

/// A directive's text after the `#` (comments stripped, trimmed) as its
/// keyword (`ifdef`, `define`, …) and the rest.
pub(crate) fn split_directive(directive: &str) -> (&str, &str) {
    let keyword_len = directive
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(directive.len());
    directive.split_at(keyword_len)
}

/// The macro an include guard's `#ifndef X` or `#if !defined(X)` names.
fn guard_name<'a>(keyword: &str, rest: &'a str) -> Option<&'a str> {
    let rest = rest.trim();
    let name = match keyword {
        "ifndef" => rest,
        "if" => {
            let inner = rest
                .strip_prefix('!')?
                .trim_start()
                .strip_prefix("defined")?;
            let inner = inner.trim();
            match inner.strip_prefix('(') {
                Some(paren) => paren.strip_suffix(')')?.trim(),
                None => inner,
            }
        }
        _ => return None,
    };
    is_identifier(name).then_some(name)
}

fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A token of an `#if` expression.
#[derive(Debug, PartialEq, Eq)]
enum Expr {
    Ident(String),
    Number(String),
    Op(&'static str),
    /// Anything the reader does not evaluate (`==`, `+`, ...).
    Other,
}

fn expression_tokens(text: &str) -> Vec<Expr> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let word = |chars: &mut std::iter::Peekable<std::str::CharIndices>| {
            let mut end = at + c.len_utf8();
            while let Some(&(i, next)) = chars.peek() {
                if !(next.is_ascii_alphanumeric() || next == '_') {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
            text[at..end].to_owned()
        };
        let token = if c.is_ascii_alphabetic() || c == '_' {
            Expr::Ident(word(&mut chars))
        } else if c.is_ascii_digit() {
            Expr::Number(word(&mut chars))
        } else {
            let next = chars.peek().map(|&(_, n)| n);
            match (c, next) {
                ('&', Some('&')) | ('|', Some('|')) => {
                    chars.next();
                    Expr::Op(if c == '&' { "&&" } else { "||" })
                }
                ('!', Some('=')) => Expr::Other,
                ('!', _) => Expr::Op("!"),
                ('(', _) => Expr::Op("("),
                (')', _) => Expr::Op(")"),
                _ => Expr::Other,
            }
        };
        tokens.push(token);
    }
    tokens
}

/// Evaluates `!`, `&&`, `||`, parentheses, `defined`, integer literals and
/// macros the header defined as one; `None` for anything else.
struct Parser<'a> {
    tokens: &'a [Expr],
    at: usize,
    known: &'a Conditionals,
}

impl Parser<'_> {
    fn eat(&mut self, op: &str) -> bool {
        let found = matches!(self.tokens.get(self.at), Some(Expr::Op(o)) if *o == op);
        if found {
            self.at += 1;
        }
        found
    }

    fn or(&mut self) -> Option<Truth> {
        let mut truth = self.and()?;
        while self.eat("||") {
            truth = truth.or(self.and()?);
        }
        Some(truth)
    }

    fn and(&mut self) -> Option<Truth> {
        let mut truth = self.unary()?;
        while self.eat("&&") {
            truth = truth.and(self.unary()?);
        }
        Some(truth)
    }

    fn unary(&mut self) -> Option<Truth> {
        if self.eat("!") {
            return Some(self.unary()?.not());
        }
        if self.eat("(") {
            let truth = self.or()?;
            return self.eat(")").then_some(truth);
        }
        let token = self.tokens.get(self.at)?;
        self.at += 1;
        match token {
            Expr::Number(number) => {
                Some(integer(number).map_or(Truth::Unknown, |n| Truth::of(n != 0)))
            }
            Expr::Ident(word) if word == "defined" => {
                let paren = self.eat("(");
                let Some(Expr::Ident(name)) = self.tokens.get(self.at) else {
                    return None;
                };
                self.at += 1;
                if paren && !self.eat(")") {
                    return None;
                }
                Some(self.known.is_defined(name))
            }
            Expr::Ident(name) => Some(match self.known.defined.get(name.as_str()) {
                // An undefined macro is 0 in an `#if`.
                Some((Truth::No, _)) => Truth::No,
                Some((Truth::Yes, Some(value))) => {
                    integer(value.trim()).map_or(Truth::Unknown, |n| Truth::of(n != 0))
                }
                _ => Truth::Unknown,
            }),
            Expr::Op(_) | Expr::Other => None,
        }
    }
}

/// The value of a C integer literal (`0`, `1u`, `0x10`).
fn integer(text: &str) -> Option<u64> {
    let digits = text.trim_end_matches(['u', 'U', 'l', 'L']);
    match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => digits.parse().ok(),
    }
}

/// Whether `after`, the text after an `#ifndef name` line, goes on with
/// `#define name` (comments and blank lines aside): the include guard's form.
pub(crate) fn defines_next(after: &str, name: &str) -> bool {
    let mut rest = after.trim_start();
    loop {
        if let Some(comment) = rest.strip_prefix("/*") {
            match comment.find("*/") {
                Some(end) => rest = comment[end + 2..].trim_start(),
                None => return false,
            }
        } else if rest.starts_with("//") {
            rest = rest[rest.find('\n').unwrap_or(rest.len())..].trim_start();
        } else {
            break;
        }
    }
    let Some(directive) = rest.strip_prefix('#') else {
        return false;
    };
    let line = directive.lines().next().unwrap_or("");
    let mut words = line.split_whitespace();
    words.next() == Some("define") && words.next() == Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluate(known: &[&str], keyword: &str, rest: &str) -> Truth {
        let mut conditionals = Conditionals::new();
        for name in known {
            conditionals.define(name, "1");
        }
        conditionals.condition(keyword, rest)
    }

    #[test]
    fn conditions_are_evaluated_over_what_the_header_defined() {
        use Truth::*;
        assert_eq!(evaluate(&[], "if", "0"), No);
        assert_eq!(evaluate(&[], "if", "1"), Yes);
        assert_eq!(evaluate(&[], "ifdef", "__cplusplus"), No);
        assert_eq!(evaluate(&[], "if", "defined(__cplusplus)"), No);
        assert_eq!(evaluate(&["ACME_A"], "ifdef", "ACME_A"), Yes);
        assert_eq!(evaluate(&["ACME_A"], "if", "!defined ACME_A"), No);
        assert_eq!(evaluate(&["ACME_A"], "if", "ACME_A && !0"), Yes);
        assert_eq!(evaluate(&[], "ifdef", "ACME_A"), Unknown);
        assert_eq!(evaluate(&[], "if", "0 && defined(ACME_A)"), No);
        assert_eq!(evaluate(&[], "if", "1 || ACME_A"), Yes);
        assert_eq!(evaluate(&[], "if", "(0 || ACME_A)"), Unknown);
        assert_eq!(evaluate(&["ACME_A"], "if", "ACME_A >= 2"), Unknown);
        assert_eq!(evaluate(&[], "if", "ACME_A != 0"), Unknown);
        assert_eq!(evaluate(&[], "if", "(1"), Unknown);
    }

    #[test]
    fn else_and_elif_take_the_branch_no_earlier_one_took() {
        let mut c = Conditionals::new();
        let never = |_: &str| false;
        c.directive("if", "0", 1, never).unwrap();
        assert_eq!(c.reading(), Reading::Skipped);
        c.directive("elif", "1", 2, never).unwrap();
        assert_eq!(c.reading(), Reading::Read);
        c.directive("else", "", 3, never).unwrap();
        assert_eq!(c.reading(), Reading::Skipped);
        c.directive("endif", "", 4, never).unwrap();
        c.directive("ifdef", "ACME_BIG", 5, never).unwrap();
        let Reading::Unsure(under) = c.reading() else {
            panic!("{:?}", c.reading());
        };
        assert_eq!(under.to_string(), "`#ifdef ACME_BIG` (line 5)");
        c.directive("else", "", 6, never).unwrap();
        let Reading::Unsure(under) = c.reading() else {
            panic!("{:?}", c.reading());
        };
        assert_eq!(
            under.to_string(),
            "`#else` (line 6) of `#ifdef ACME_BIG` (line 5)"
        );
        assert!(c.directive("else", "", 7, never).is_err());
        assert!(c.finish().is_err());
        c.directive("endif", "", 8, never).unwrap();
        assert!(c.directive("endif", "", 9, never).is_err());
        assert!(c.finish().is_ok());
    }
}
