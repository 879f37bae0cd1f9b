//! What a `show` or `check` run needs, resolved once: the defaults, then the configuration file,
//! then the flags, each overriding the one before. Where every setting came from is kept for
//! `adinspect config`.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::inputs::{Excludes, WalkOptions, absolute};
use super::{ColorChoice, CommonArgs, FailLevel, MinSeverity, Mode, use_color};
use crate::config::Config;
use crate::finding::Severity;
use crate::render::Format;
use crate::rules::Selection;

/// Patterns excluded unless the configuration's `exclude` replaces them: version-control
/// folders (also when `--hidden` walks hidden ones) and installed JavaScript packages.
pub(super) const DEFAULT_EXCLUDE: &[&str] = &[".git/", ".hg/", ".svn/", "node_modules/"];

const DEFAULT_MAX_SIZE_MIB: u64 = 256;

/// The largest `max-size`: an input must be smaller than 4 GiB (`analyze::MAX_INPUT_BYTES`).
pub(super) const MAX_SIZE_LIMIT_MIB: u64 = 4095;

/// Rules turned off for the files a pattern matches (`per-file-ignores`).
#[derive(Debug)]
pub(super) struct PerFileIgnore {
    matcher: Gitignore,
    rules: Vec<String>,
}

#[derive(Debug)]
pub(super) struct Settings {
    pub mode: Mode,
    pub selection: Selection,
    pub per_file_ignores: Vec<PerFileIgnore>,
    /// The lowest severity that fails the run (None: nothing does).
    pub fail_at: Option<Severity>,
    pub min_severity: Severity,
    pub color_choice: ColorChoice,
    pub walk: WalkOptions,
    pub max_bytes: u64,
    /// None: one per core.
    pub threads: Option<usize>,
    /// For `adinspect config`: the file read, and each setting as (key, value, origin).
    pub config_path: Option<PathBuf>,
    pub origins: Vec<(&'static str, String, String)>,
}

impl Settings {
    /// Whether colour is used for this run's output.
    pub(super) fn color(
        &self,
        writes_terminal: bool,
        var: &dyn Fn(&str) -> Option<String>,
    ) -> bool {
        matches!(
            self.mode,
            Mode::Show(Format::Human) | Mode::Check(Format::Human)
        ) && use_color(self.color_choice, writes_terminal, var)
    }

    /// The selection for one input: the run's, less what `per-file-ignores` turns off there.
    pub(super) fn selection_for(&self, path: &Path) -> Selection {
        if self.per_file_ignores.is_empty() {
            return self.selection;
        }
        let absolute = absolute(path);
        let mut selection = self.selection;
        for per_file in &self.per_file_ignores {
            let root = per_file.matcher.path();
            let matched = if absolute.starts_with(root) {
                per_file
                    .matcher
                    .matched_path_or_any_parents(&absolute, false)
                    .is_ignore()
            } else {
                per_file.matcher.matched(&absolute, false).is_ignore()
            };
            if matched {
                // Validated when the configuration was read.
                let _ = selection.ignore(&per_file.rules);
            }
        }
        selection
    }
}

/// Where a value came from, as `adinspect config` shows it.
fn from_file(config: &Config, line: usize) -> String {
    let name = config.path.file_name().map_or_else(
        || config.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!("{name}:{line}")
}

fn toml_list(list: &[String]) -> String {
    let items: Vec<String> = list.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", items.join(", "))
}

/// Resolves a run's settings. `format` is the `--format` given (check) or chosen (show). The
/// error is the message to show (exit 2).
pub(super) fn resolve(
    args: &CommonArgs,
    show: Option<Format>,
    check_format: Option<Format>,
) -> Result<Settings, String> {
    let config = if args.isolated {
        None
    } else if let Some(path) = &args.config {
        Some(Config::load(path).map_err(|e| e.to_string())?)
    } else {
        let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        match crate::config::discover(&here) {
            Some(path) => Some(Config::load(&path).map_err(|e| e.to_string())?),
            None => None,
        }
    };
    let mut origins = Vec::new();
    let mut origin = |key: &'static str, value: String, from: String| {
        origins.push((key, value, from));
    };

    // Rules in layers: the defaults, then the file (select, extend-select, ignore), then the
    // flags (the same three). A `select` replaces everything before it, so `--select RULE`
    // brings back a rule the file ignores.
    let mut selection = Selection::default();
    let unknown =
        |err: crate::rules::UnknownSelector| format!("{err}; `adinspect rules` lists them");
    // What `adinspect config` shows per key: the values in force and where they came from.
    let mut shown: [(Vec<String>, Vec<String>); 3] = Default::default();
    const KEYS: [(&str, &str); 3] = [
        ("select", "--select"),
        ("extend-select", "--extend-select"),
        ("ignore", "--ignore"),
    ];
    let file_layer: [Option<(&[String], usize)>; 3] =
        KEYS.map(|(key, _)| config.as_ref().and_then(|c| c.list(key)));
    let flag_layer: [Option<&[String]>; 3] = [
        args.select.as_deref(),
        Some(&args.extend_select)
            .filter(|l| !l.is_empty())
            .map(|l| &l[..]),
        Some(&args.ignore).filter(|l| !l.is_empty()).map(|l| &l[..]),
    ];
    let file_origins: [Option<String>; 3] = file_layer
        .map(|entry| entry.and_then(|(_, line)| config.as_ref().map(|c| from_file(c, line))));
    for (layer, origins) in [
        (file_layer.map(|e| e.map(|(list, _)| list)), file_origins),
        (flag_layer, KEYS.map(|(_, flag)| Some(flag.to_string()))),
    ] {
        for (at, list) in layer.into_iter().enumerate() {
            let Some(list) = list else { continue };
            match at {
                0 => {
                    selection.select(list).map_err(unknown)?;
                    // Replaced: what came before no longer counts.
                    shown = Default::default();
                }
                1 => selection.extend(list).map_err(unknown)?,
                _ => selection.ignore(list).map_err(unknown)?,
            }
            shown[at].0.extend(list.iter().cloned());
            shown[at].1.extend(origins[at].clone());
        }
    }
    for (at, (values, from)) in shown.into_iter().enumerate() {
        let value = if at == 0 && from.is_empty() {
            "[] (every rule but the opt-in ones)".to_string()
        } else {
            toml_list(&values)
        };
        let from = if from.is_empty() {
            "default".to_string()
        } else {
            from.join(", ")
        };
        origin(KEYS[at].0, value, from);
    }

    let mut per_file_ignores = Vec::new();
    if let Some(config) = &config {
        let root = absolute(config.dir());
        for (pattern, rules, line) in config.per_file_ignores() {
            let mut builder = GitignoreBuilder::new(&root);
            builder.add_line(None, pattern).map_err(|e| {
                format!("{}:{line}: pattern {pattern:?}: {e}", config.path.display())
            })?;
            per_file_ignores.push(PerFileIgnore {
                matcher: builder.build().map_err(|e| e.to_string())?,
                rules: rules.clone(),
            });
            origin(
                "per-file-ignores",
                format!("{{ {pattern:?} = {} }}", toml_list(rules)),
                from_file(config, *line),
            );
        }
    }

    // One word: the flag, else the file, else the default.
    let word = |key: &'static str, flag: Option<String>, default: &str| -> (String, String) {
        if let Some(value) = flag {
            (value, format!("--{key}"))
        } else if let Some((value, line)) = config.as_ref().and_then(|c| c.word(key)) {
            (value.to_string(), from_file(config.as_ref().unwrap(), line))
        } else {
            (default.to_string(), "default".to_string())
        }
    };
    let name = |v: &dyn ValueEnumName| v.name();

    let (fail_level, from) = word("fail-level", args.fail_level.map(|f| name(&f)), "error");
    let fail_level = FailLevel::from_str(&fail_level, false).unwrap_or(FailLevel::Error);
    let fail_at = match (args.exit_zero, fail_level) {
        (true, _) | (_, FailLevel::Never) => None,
        (_, FailLevel::Info) => Some(Severity::Info),
        (_, FailLevel::Warning) => Some(Severity::Warning),
        (_, FailLevel::Error) => Some(Severity::Error),
    };
    let shown = if args.exit_zero {
        format!("\"never\" (--exit-zero; was \"{}\")", name(&fail_level))
    } else {
        format!("\"{}\"", name(&fail_level))
    };
    origin("fail-level", shown, from);

    let (min_severity, from) = word("min-severity", args.min_severity.map(|m| name(&m)), "info");
    origin("min-severity", format!("\"{min_severity}\""), from);
    let min_severity = match MinSeverity::from_str(&min_severity, false) {
        Ok(MinSeverity::Error) => Severity::Error,
        Ok(MinSeverity::Warning) => Severity::Warning,
        _ => Severity::Info,
    };

    let mode = match show {
        Some(format) => Mode::Show(format),
        None => {
            let (format, from) = word("format", check_format.map(|f| name(&f)), "human");
            origin("format", format!("\"{format}\""), from);
            Mode::Check(Format::from_str(&format, false).unwrap_or(Format::Human))
        }
    };
    let (color, from) = word("color", args.color.map(|c| name(&c)), "auto");
    origin("color", format!("\"{color}\""), from);
    let color_choice = ColorChoice::from_str(&color, false).unwrap_or(ColorChoice::Auto);

    // Walking.
    let here = absolute(Path::new("."));
    let mut excludes = Excludes::default();
    let mut exclude_shown = Vec::new();
    let mut exclude_from = Vec::new();
    match config
        .as_ref()
        .and_then(|c| c.list("exclude").map(|l| (c, l)))
    {
        Some((config, (list, line))) => {
            excludes.add(&absolute(config.dir()), list)?;
            exclude_shown.extend(list.iter().cloned());
            exclude_from.push(from_file(config, line));
        }
        None => {
            let defaults: Vec<String> = DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect();
            excludes.add_defaults(&here, &defaults)?;
            exclude_shown.extend(defaults);
            exclude_from.push("default".to_string());
        }
    }
    if let Some(config) = &config
        && let Some((list, line)) = config.list("extend-exclude")
    {
        excludes.add(&absolute(config.dir()), list)?;
        exclude_shown.extend(list.iter().cloned());
        exclude_from.push(from_file(config, line));
    }
    if !args.exclude.is_empty() {
        excludes.add(&here, &args.exclude)?;
        exclude_shown.extend(args.exclude.iter().cloned());
        exclude_from.push("--exclude".to_string());
    }
    origin(
        "exclude",
        toml_list(&exclude_shown),
        exclude_from.join(", "),
    );

    let mut flag = |key: &'static str, given: bool, default: bool| -> bool {
        let (value, from) = if given {
            (!default, format!("--{}", flag_name(key)))
        } else if let Some((value, line)) = config.as_ref().and_then(|c| c.flag(key)) {
            (value, from_file(config.as_ref().unwrap(), line))
        } else {
            (default, "default".to_string())
        };
        origin(key, value.to_string(), from);
        value
    };
    let force_exclude = flag("force-exclude", args.force_exclude, false);
    let hidden = flag("hidden", args.hidden, false);
    let respect_gitignore = flag("respect-gitignore", args.no_ignore, true);

    let (max_size, from) = match (
        args.max_size,
        config.as_ref().and_then(|c| c.count("max-size")),
    ) {
        (Some(size), _) => (size, "--max-size".to_string()),
        (None, Some((size, line))) => (size, from_file(config.as_ref().unwrap(), line)),
        (None, None) => (DEFAULT_MAX_SIZE_MIB, "default".to_string()),
    };
    if max_size > MAX_SIZE_LIMIT_MIB {
        return Err(format!(
            "{from}: max-size {max_size} is over {MAX_SIZE_LIMIT_MIB} MiB, the largest input \
             adinspect can analyse (inputs must be smaller than 4 GiB)"
        ));
    }
    origin("max-size", max_size.to_string(), from);

    Ok(Settings {
        mode,
        selection,
        per_file_ignores,
        fail_at,
        min_severity,
        color_choice,
        walk: WalkOptions {
            hidden,
            no_ignore: !respect_gitignore,
            excludes,
            force_exclude,
            report: None,
        },
        max_bytes: max_size.saturating_mul(1024 * 1024),
        threads: args.threads.filter(|&n| n > 0).map(usize::from),
        config_path: config.map(|c| c.path),
        origins,
    })
}

/// The flag that sets a boolean key away from its default.
fn flag_name(key: &str) -> &str {
    match key {
        "respect-gitignore" => "no-ignore",
        other => other,
    }
}

/// The word clap accepts for a value (what the configuration file uses too).
trait ValueEnumName {
    fn name(&self) -> String;
}

impl<T: ValueEnum> ValueEnumName for T {
    fn name(&self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{KEYS, Kind};

    /// The configuration file accepts exactly the words the flags do.
    #[test]
    fn configuration_words_match_the_flags() {
        let words = |key: &str| match KEYS.iter().find(|(k, _)| *k == key) {
            Some((_, Kind::Choice(words))) => words.to_vec(),
            _ => panic!("{key} is not a choice"),
        };
        let names = |variants: Vec<String>| variants;
        assert_eq!(
            words("fail-level"),
            names(
                FailLevel::value_variants()
                    .iter()
                    .map(|v| v.name())
                    .collect()
            )
        );
        assert_eq!(
            words("min-severity"),
            names(
                MinSeverity::value_variants()
                    .iter()
                    .map(|v| v.name())
                    .collect()
            )
        );
        assert_eq!(
            words("format"),
            names(Format::value_variants().iter().map(|v| v.name()).collect())
        );
        assert_eq!(
            words("color"),
            names(
                ColorChoice::value_variants()
                    .iter()
                    .map(|v| v.name())
                    .collect()
            )
        );
    }
}
