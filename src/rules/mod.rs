//! The rule catalogue and the checks. Checks only report `Finding`s; which rules run, at which
//! severity, and what fails the run is decided in one place (`Selection`, `analyze`).

mod account;
mod catalog;
mod document;
mod fixes;
mod protocol;
mod request;
mod sources;
mod structure;
mod values;

pub use values::is_email;

pub use catalog::{FAMILIES, RULES, Rule, index, lookup, markdown};
pub use fixes::{FIXABLE, Fixability, fixability};
pub use sources::source;

use crate::finding::Finding;
use crate::model::Model;
use crate::parallel::{self, Threads};

/// What the checks see, and where they put what they find.
pub struct Context<'a, 'm> {
    pub model: &'m Model<'a>,
    pub text: &'a str,
    threads: Threads,
    findings: Vec<Finding>,
}

impl<'a, 'm> Context<'a, 'm> {
    /// A context for one chunk of work on another thread: same document, own findings.
    fn fork(&self) -> Context<'a, 'm> {
        Context {
            model: self.model,
            text: self.text,
            threads: Threads::ONE,
            findings: Vec::new(),
        }
    }

    /// `check` on every item; a long list is split into contiguous chunks, one per thread,
    /// each with its own findings, collected in chunk order.
    pub fn for_each<T: Sync>(
        &mut self,
        items: &[T],
        check: impl Fn(&mut Context<'a, 'm>, &T) + Sync,
    ) {
        if self.threads.is_one() {
            for item in items {
                check(self, item);
            }
            return;
        }
        let parts = parallel::map_chunks(items, self.threads, |chunk| {
            let mut ctx = self.fork();
            for item in chunk {
                check(&mut ctx, item);
            }
            ctx.findings
        });
        for part in parts {
            if self.findings.is_empty() {
                // Taken as it is: copying a dense document's findings costs page faults.
                self.findings = part;
            } else {
                self.findings.extend(part);
            }
        }
    }

    /// Cold: on the usual document nothing is found, and the code that builds a finding is then
    /// moved out of the checks' hot paths (fewer instruction-cache lines per element).
    #[cold]
    pub fn push(&mut self, finding: Finding) {
        debug_assert!(
            lookup(finding.rule).is_some(),
            "rule {} is not in the catalogue",
            finding.rule
        );
        self.findings.push(finding);
    }
}

/// Runs every check over one classified document.
pub fn check(model: &Model<'_>, text: &str) -> Vec<Finding> {
    check_with(model, text, Threads::ONE)
}

/// `check`, the per-Protocol work of a large document shared among up to `threads` threads.
pub fn check_with(model: &Model<'_>, text: &str, threads: Threads) -> Vec<Finding> {
    let mut findings = check_tree(model, text);
    findings.extend(check_contents(model, text, threads));
    findings
}

/// The structure walk over every element: needs only the model's outline (`Model::outline`),
/// so it can run while the contents are built.
pub fn check_tree(outline: &Model<'_>, text: &str) -> Vec<Finding> {
    let mut ctx = Context {
        model: outline,
        text,
        threads: Threads::ONE,
        findings: Vec::new(),
    };
    structure::check(&mut ctx);
    ctx.findings
}

/// Every check but the structure walk: document, Accounts, Protocols, request.
pub fn check_contents(model: &Model<'_>, text: &str, threads: Threads) -> Vec<Finding> {
    let mut ctx = Context {
        model,
        text,
        threads,
        findings: Vec::new(),
    };
    document::check(&mut ctx);
    account::check(&mut ctx);
    protocol::check(&mut ctx);
    request::check(&mut ctx);
    ctx.findings
}

/// Which rules are on: a set of rules, built in layers (defaults, then the configuration
/// file, then the command line), each of which may replace the set (`select`), add to it
/// (`extend-select`) or take from it (`ignore`). A selector is a rule name, a family name or
/// `all`; opt-in rules join only when named or by `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    enabled: u128,
}

const _: () = assert!(RULES.len() <= 128, "Selection holds one bit per rule");

impl Default for Selection {
    /// Every rule but the opt-in ones.
    fn default() -> Selection {
        let mut enabled = 0;
        for (i, rule) in RULES.iter().enumerate() {
            if !rule.opt_in {
                enabled |= 1 << i;
            }
        }
        Selection { enabled }
    }
}

/// A selector that names no rule and no family, with the closest valid name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSelector {
    pub given: String,
    pub suggestion: Option<&'static str>,
}

impl std::fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown rule or family {:?}", self.given)?;
        if let Some(s) = self.suggestion {
            write!(f, " (did you mean {s:?}?)")?;
        }
        Ok(())
    }
}

impl Selection {
    /// The default set with `select` (when not empty) replacing it and `ignore` taken away.
    pub fn new(select: &[String], ignore: &[String]) -> Result<Selection, UnknownSelector> {
        let mut selection = Selection::default();
        if !select.is_empty() {
            selection.select(select)?;
        }
        selection.ignore(ignore)?;
        Ok(selection)
    }

    /// Exactly the rules the selectors name.
    pub fn select(&mut self, selectors: &[String]) -> Result<(), UnknownSelector> {
        self.enabled = mask(selectors)?;
        Ok(())
    }

    /// Adds the rules the selectors name.
    pub fn extend(&mut self, selectors: &[String]) -> Result<(), UnknownSelector> {
        self.enabled |= mask(selectors)?;
        Ok(())
    }

    /// Removes the rules the selectors name (opt-in ones included).
    pub fn ignore(&mut self, selectors: &[String]) -> Result<(), UnknownSelector> {
        let mut removed = mask(selectors)?;
        for selector in selectors {
            if FAMILIES.contains(&selector.as_str()) {
                removed |= family_mask(selector, true);
            }
        }
        self.enabled &= !removed;
        Ok(())
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        index(rule.name).is_some_and(|i| self.enabled_at(i))
    }

    /// Whether the rule at this position of `RULES` is on.
    pub fn enabled_at(&self, index: usize) -> bool {
        index < 128 && self.enabled & (1 << index) != 0
    }

    /// The names of the rules that are on, in catalogue order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        RULES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.enabled_at(*i))
            .map(|(_, r)| r.name)
    }
}

/// The rules the selectors name: a rule by name (opt-in or not), a family's default rules, or
/// `all` for every rule.
fn mask(selectors: &[String]) -> Result<u128, UnknownSelector> {
    let mut bits = 0;
    for selector in selectors {
        validate_selector(selector)?;
        if selector == "all" {
            bits |= !0u128 >> (128 - RULES.len());
        } else if let Some(i) = index(selector) {
            bits |= 1 << i;
        } else {
            bits |= family_mask(selector, false);
        }
    }
    Ok(bits)
}

fn family_mask(family: &str, with_opt_in: bool) -> u128 {
    let mut bits = 0;
    for (i, rule) in RULES.iter().enumerate() {
        if rule.family == family && (with_opt_in || !rule.opt_in) {
            bits |= 1 << i;
        }
    }
    bits
}

pub fn validate_selector(given: &str) -> Result<(), UnknownSelector> {
    if given == "all" || lookup(given).is_some() || FAMILIES.contains(&given) {
        return Ok(());
    }
    let names = RULES.iter().map(|r| r.name).chain(FAMILIES.iter().copied());
    Err(UnknownSelector {
        given: given.to_string(),
        suggestion: crate::schema::suggest(given, names),
    })
}
