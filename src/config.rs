//! The project configuration file (`adinspect.toml` or `.adinspect.toml`): where it is found,
//! what it may say, and every key checked with its line, so that a typo is an error that says
//! where and what was meant. Merging with the command line is the CLI's business.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use crate::rules;
use crate::schema::suggest;

/// The names looked for in each directory, the first found winning.
pub const FILE_NAMES: [&str; 2] = ["adinspect.toml", ".adinspect.toml"];

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A list of rule names, family names or `all`.
    Rules,
    /// A list of gitignore-style patterns.
    Globs,
    /// One of a few words.
    Choice(&'static [&'static str]),
    Bool,
    /// A whole number, at least 1.
    Count,
    /// A table: pattern → list of rules.
    PerFileIgnores,
}

/// Every key, in the order `adinspect config` lists them.
pub const KEYS: &[(&str, Kind)] = &[
    ("select", Kind::Rules),
    ("extend-select", Kind::Rules),
    ("ignore", Kind::Rules),
    ("per-file-ignores", Kind::PerFileIgnores),
    (
        "fail-level",
        Kind::Choice(&["info", "warning", "error", "never"]),
    ),
    ("min-severity", Kind::Choice(&["info", "warning", "error"])),
    (
        "format",
        Kind::Choice(&[
            "human", "concise", "json", "jsonl", "sarif", "github", "gitlab",
        ]),
    ),
    ("color", Kind::Choice(&["auto", "always", "never"])),
    ("exclude", Kind::Globs),
    ("extend-exclude", Kind::Globs),
    ("force-exclude", Kind::Bool),
    ("hidden", Kind::Bool),
    ("respect-gitignore", Kind::Bool),
    ("max-size", Kind::Count),
];

/// A checked value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    List(Vec<String>),
    Word(String),
    Bool(bool),
    Count(u64),
    /// (pattern, rules, line) in the order written.
    PerFileIgnores(Vec<(String, Vec<String>, usize)>),
}

/// A value and the line it was written on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub value: Value,
    pub line: usize,
}

/// One configuration file, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    entries: BTreeMap<&'static str, Entry>,
}

/// A configuration that cannot be used, with the place to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; 0 when the file could not be read at all.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl Config {
    /// The directory the file is in: its patterns are relative to it.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    pub fn list(&self, key: &str) -> Option<(&[String], usize)> {
        match self.entries.get(key) {
            Some(Entry {
                value: Value::List(list),
                line,
            }) => Some((list, *line)),
            _ => None,
        }
    }

    pub fn word(&self, key: &str) -> Option<(&str, usize)> {
        match self.entries.get(key) {
            Some(Entry {
                value: Value::Word(word),
                line,
            }) => Some((word, *line)),
            _ => None,
        }
    }

    pub fn flag(&self, key: &str) -> Option<(bool, usize)> {
        match self.entries.get(key) {
            Some(Entry {
                value: Value::Bool(flag),
                line,
            }) => Some((*flag, *line)),
            _ => None,
        }
    }

    pub fn count(&self, key: &str) -> Option<(u64, usize)> {
        match self.entries.get(key) {
            Some(Entry {
                value: Value::Count(count),
                line,
            }) => Some((*count, *line)),
            _ => None,
        }
    }

    pub fn per_file_ignores(&self) -> &[(String, Vec<String>, usize)] {
        match self.entries.get("per-file-ignores") {
            Some(Entry {
                value: Value::PerFileIgnores(table),
                ..
            }) => table,
            _ => &[],
        }
    }

    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read the configuration: {err}"),
        })?;
        Config::parse(path, &text)
    }

    /// Checks `text` as the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let error = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = line_column(text, span.start);
            ConfigError {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let table = DeTable::parse(text).map_err(|err| {
            error(
                err.span().unwrap_or(0..0),
                format!("not valid TOML: {}", err.message().trim()),
            )
        })?;
        // Keys in the order written, so that the first mistake is the one reported.
        let mut keys: Vec<_> = table.get_ref().iter().collect();
        keys.sort_by_key(|(key, _)| key.span().start);
        let mut entries = BTreeMap::new();
        for (key, value) in keys {
            let name: &str = key.get_ref();
            let Some(&(known, kind)) = KEYS.iter().find(|(k, _)| *k == name) else {
                let hint = suggest(name, KEYS.iter().map(|(k, _)| *k))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_else(|| {
                        format!(
                            "; the keys are {}",
                            KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                        )
                    });
                return Err(error(key.span(), format!("unknown key `{name}`{hint}")));
            };
            let line = line_column(text, key.span().start).0;
            let checked = check_value(text, known, kind, value, &error)?;
            entries.insert(
                known,
                Entry {
                    value: checked,
                    line,
                },
            );
        }
        Ok(Config {
            path: path.to_path_buf(),
            entries,
        })
    }
}

type Spanned<T> = toml::Spanned<T>;

fn check_value(
    text: &str,
    key: &str,
    kind: Kind,
    value: &Spanned<DeValue<'_>>,
    error: &dyn Fn(std::ops::Range<usize>, String) -> ConfigError,
) -> Result<Value, ConfigError> {
    let expected = |what: &str| error(value.span(), format!("`{key}` must be {what}"));
    match kind {
        Kind::Rules | Kind::Globs => {
            let list = string_list(value).ok_or_else(|| expected("a list of strings"))?;
            if kind == Kind::Rules {
                for (rule, span) in &list {
                    check_rule(rule, span.clone(), error)?;
                }
            }
            Ok(Value::List(list.into_iter().map(|(s, _)| s).collect()))
        }
        Kind::Choice(words) => {
            let described = format!(
                "one of {}",
                words
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let DeValue::String(word) = value.get_ref() else {
                return Err(expected(&described));
            };
            if words.contains(&word.as_ref()) {
                Ok(Value::Word(word.to_string()))
            } else {
                // A near miss, or the one word it begins ("warn" for "warning").
                let prefix_of = || {
                    let mut starting = words.iter().filter(|w| w.starts_with(word.as_ref()));
                    match (starting.next(), starting.next()) {
                        (Some(only), None) if !word.is_empty() => Some(*only),
                        _ => None,
                    }
                };
                let hint = suggest(word, words.iter().copied())
                    .or_else(prefix_of)
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default();
                Err(error(
                    value.span(),
                    format!("`{key}` must be {described}, not \"{word}\"{hint}"),
                ))
            }
        }
        Kind::Bool => match value.get_ref() {
            DeValue::Boolean(flag) => Ok(Value::Bool(*flag)),
            _ => Err(expected("true or false")),
        },
        Kind::Count => match value.get_ref() {
            DeValue::Integer(number) => number
                .as_str()
                .replace('_', "")
                .parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .map(Value::Count)
                .ok_or_else(|| expected("a whole number of at least 1")),
            _ => Err(expected("a whole number of at least 1")),
        },
        Kind::PerFileIgnores => {
            let DeValue::Table(table) = value.get_ref() else {
                return Err(expected("a table of \"pattern\" = [\"rule\", …]"));
            };
            let mut patterns: Vec<_> = table.iter().collect();
            patterns.sort_by_key(|(pattern, _)| pattern.span().start);
            let mut checked = Vec::new();
            for (pattern, rules) in patterns {
                let list = string_list(rules).ok_or_else(|| {
                    error(
                        rules.span(),
                        format!(
                            "`per-file-ignores` \"{}\" must be a list of rule names",
                            pattern.get_ref()
                        ),
                    )
                })?;
                for (rule, span) in &list {
                    check_rule(rule, span.clone(), error)?;
                }
                checked.push((
                    pattern.get_ref().to_string(),
                    list.into_iter().map(|(s, _)| s).collect(),
                    line_column(text, pattern.span().start).0,
                ));
            }
            Ok(Value::PerFileIgnores(checked))
        }
    }
}

fn check_rule(
    rule: &str,
    span: std::ops::Range<usize>,
    error: &dyn Fn(std::ops::Range<usize>, String) -> ConfigError,
) -> Result<(), ConfigError> {
    rules::validate_selector(rule).map_err(|unknown| error(span, unknown.to_string()))
}

fn string_list(value: &Spanned<DeValue<'_>>) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let DeValue::Array(items) = value.get_ref() else {
        return None;
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::String(text) => Some((text.to_string(), item.span())),
            _ => None,
        })
        .collect()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The configuration file that applies in `dir`: the first `adinspect.toml` or
/// `.adinspect.toml` found there or in a directory above it.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find_map(|dir| {
        FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("adinspect.toml"), text)
    }

    #[test]
    fn a_full_file_is_read_with_lines() {
        let config = parse(
            "select = [\"all\"]\nignore = [\"empty-setting\", \"value\"]\nfail-level = \"warning\"\n\
             exclude = [\"build/\"]\nhidden = true\nmax-size = 64\n\
             [per-file-ignores]\n\"legacy/*.xml\" = [\"https-namespace\"]\n",
        )
        .unwrap();
        assert_eq!(config.list("select").unwrap().0, ["all"]);
        assert_eq!(
            config.list("ignore").unwrap(),
            (&["empty-setting".to_string(), "value".to_string()][..], 2)
        );
        assert_eq!(config.word("fail-level"), Some(("warning", 3)));
        assert_eq!(config.flag("hidden"), Some((true, 5)));
        assert_eq!(config.count("max-size"), Some((64, 6)));
        let per_file = config.per_file_ignores();
        assert_eq!(per_file.len(), 1);
        assert_eq!(per_file[0].0, "legacy/*.xml");
        assert_eq!(per_file[0].1, ["https-namespace"]);
    }

    #[test]
    fn mistakes_name_the_line_and_what_was_meant() {
        let err = parse("select = [\"all\"]\nfail_level = \"error\"\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.contains("did you mean `fail-level`"),
            "{}",
            err.message
        );
        let err = parse("ignore = [\"empty-setting\",\n  \"https-namespce\"]\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("https-namespace"), "{}", err.message);
        let err = parse("fail-level = \"warn\"").unwrap_err();
        assert!(
            err.message.contains("did you mean \"warning\""),
            "{}",
            err.message
        );
        let err = parse("hidden = \"yes\"").unwrap_err();
        assert!(err.message.contains("true or false"), "{}", err.message);
        let err = parse("max-size = 0").unwrap_err();
        assert!(err.message.contains("at least 1"), "{}", err.message);
        let err = parse("select = [\"all\"\n").unwrap_err();
        assert!(err.message.starts_with("not valid TOML"), "{}", err.message);
        assert_eq!(err.to_string().split(':').next(), Some("adinspect.toml"));
        let err = parse("[per-file-ignores]\n\"a.xml\" = \"https-namespace\"\n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
