//! The small subcommands: the effective configuration, the rule catalogue, one rule explained,
//! a request body.

use std::io::{self, Write};

use super::settings;
use super::{CheckArgs, EXIT_OK, EXIT_TROUBLE, Env, RulesFormat};
use crate::render::escape::{Shown, terminal};
use crate::render::human::Painter;
use crate::rules::{self, RULES};

pub(super) fn write_rules(out: &mut dyn Write, format: RulesFormat) -> io::Result<()> {
    match format {
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name,
                        "family": r.family,
                        "severity": r.severity.as_str(),
                        "opt_in": r.opt_in,
                        "summary": r.summary,
                        "explanation": r.explanation,
                        "source": rules::source(r.name),
                        "fix": rules::fixability(r.name).map(|f| f.applicability.as_str()),
                    })
                })
                .collect();
            let document = serde_json::json!({
                "version": crate::render::json::RULES_VERSION,
                "rules": list,
            });
            serde_json::to_writer_pretty(&mut *out, &document)?;
            writeln!(out)
        }
        RulesFormat::Human => {
            let mut family = "";
            for rule in RULES {
                if rule.family != family {
                    family = rule.family;
                    writeln!(out, "{family}")?;
                }
                let severity = if rule.opt_in {
                    format!("{} (opt-in)", rule.severity)
                } else {
                    rule.severity.to_string()
                };
                let fix = rules::fixability(rule.name).map_or("", |f| match f.applicability {
                    crate::finding::Applicability::Safe => "fix",
                    crate::finding::Applicability::Unsafe => "fix (unsafe)",
                });
                writeln!(
                    out,
                    "  {:<36} {:<15} {:<13} {}",
                    rule.name, severity, fix, rule.summary
                )?;
            }
            Ok(())
        }
    }
}

pub(super) fn explain(name: &str, p: Painter, env: &mut Env<'_>) -> io::Result<i32> {
    let Some(rule) = rules::lookup(name) else {
        let hint = match rules::validate_selector(name) {
            Err(err) => err
                .suggestion
                .map(|s| format!(" (did you mean {s:?}?)"))
                .unwrap_or_default(),
            Ok(()) => " (that is a family; `adinspect rules` lists its rules)".to_string(),
        };
        writeln!(env.stderr, "adinspect: no rule named {name:?}{hint}")?;
        return Ok(EXIT_TROUBLE);
    };
    let out = &mut *env.stdout;
    writeln!(
        out,
        "{} ({}, {}{})",
        p_bold(p, rule.name),
        rule.family,
        rule.severity,
        if rule.opt_in {
            ", opt-in: runs only when selected by name or with --select all"
        } else {
            ""
        }
    )?;
    writeln!(out, "{}\n", rule.summary)?;
    writeln!(out, "{}\n", textwrap(rule.explanation, 88))?;
    writeln!(
        out,
        "{}\n",
        textwrap(&format!("Source: {}.", rules::source(rule.name)), 88)
    )?;
    if let Some(fix) = rules::fixability(rule.name) {
        writeln!(
            out,
            "{}\n",
            textwrap(
                &format!(
                    "Fix ({}{}): {}.",
                    fix.applicability.as_str(),
                    match fix.applicability {
                        crate::finding::Applicability::Safe => ", applied by check --fix",
                        crate::finding::Applicability::Unsafe =>
                            ", applied by check --fix --unsafe-fixes",
                    },
                    fix.what
                ),
                88
            )
        )?;
    }
    for (title, bytes) in [("Example that fires:", rule.bad), ("Fixed:", rule.good)] {
        writeln!(out, "{}", p_bold(p, title))?;
        match std::str::from_utf8(bytes) {
            Ok(text) if !text.contains('\0') => {
                for line in text.lines() {
                    writeln!(out, "    {line}")?;
                }
            }
            _ => writeln!(
                out,
                "    ({} bytes that are not UTF-8 text: see fixtures/rules/{}/)",
                bytes.len(),
                rule.name
            )?,
        }
        writeln!(out)?;
    }
    Ok(EXIT_OK)
}

fn p_bold(p: Painter, text: &str) -> String {
    if p.color {
        use owo_colors::OwoColorize;
        text.bold().to_string()
    } else {
        text.to_string()
    }
}

fn textwrap(text: &str, width: usize) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

pub(super) fn request(
    email: Option<&str>,
    mobilesync: bool,
    legacy_dn: Option<&str>,
    env: &mut Env<'_>,
) -> io::Result<i32> {
    // XML cannot carry control characters in text (and an address never has them); `&`, `<`
    // and `>` are escaped in the body, so an address or DN that needs them still works.
    if let Some(email) = email
        && (!crate::rules::is_email(email) || email.contains(char::is_control))
    {
        writeln!(
            env.stderr,
            "adinspect: {email:?} is not an e-mail address (local@domain)"
        )?;
        return Ok(EXIT_TROUBLE);
    }
    if let Some(dn) = legacy_dn
        && (!dn.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("/o="))
            || dn.contains(char::is_control))
    {
        writeln!(
            env.stderr,
            "adinspect: {dn:?} is not a legacy Exchange DN (/o=…/ou=…/cn=…)"
        )?;
        return Ok(EXIT_TROUBLE);
    }
    let body = crate::request_body(email.unwrap_or_default(), mobilesync, legacy_dn);
    env.stdout.write_all(body.as_bytes())?;
    env.stdout.flush()?;
    Ok(EXIT_OK)
}

/// `adinspect config`: the settings a `check` here would use, and where each comes from.
pub(super) fn config(args: &CheckArgs, env: &mut Env<'_>) -> io::Result<i32> {
    let settings = match settings::resolve(&args.common, None, args.format) {
        Ok(settings) => settings,
        Err(message) => {
            writeln!(env.stderr, "adinspect: {}", terminal(&message))?;
            return Ok(EXIT_TROUBLE);
        }
    };
    let out = &mut *env.stdout;
    match &settings.config_path {
        Some(path) => writeln!(
            out,
            "# configuration file: {}",
            Shown(&path.display().to_string())
        )?,
        None if args.common.isolated => writeln!(out, "# no configuration file (--isolated)")?,
        None => writeln!(
            out,
            "# no configuration file (adinspect.toml or .adinspect.toml here or above)"
        )?,
    }
    let width = settings
        .origins
        .iter()
        .map(|(key, value, _)| key.len() + value.chars().count() + 3)
        .max()
        .unwrap_or(0);
    for (key, value, origin) in &settings.origins {
        let assignment = format!("{key} = {value}");
        writeln!(
            out,
            "{:<width$}  # {}",
            terminal(&assignment),
            terminal(origin)
        )?;
    }
    let on: Vec<&str> = settings.selection.names().collect();
    writeln!(
        out,
        "# {} of {} rules on: {}",
        on.len(),
        crate::rules::RULES.len(),
        on.join(", ")
    )?;
    out.flush()?;
    Ok(EXIT_OK)
}
