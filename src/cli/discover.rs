//! `adinspect discover`: reads the flags and the password, runs the lookup (printing each
//! attempt as it ends), then hands the document found to `show` on the same output.

use std::io::{self, BufRead, Write};
use std::time::Duration;

use owo_colors::Style;
use serde_json::{Value as Json, json};

use super::output::ReportFile;
use super::{CommonArgs, DiscoverArgs, EXIT_FINDINGS, EXIT_TROUBLE, Env, ShowFormat};
use crate::discover::http::{ConnectTo, Stage};
use crate::discover::{self, Attempt, Credentials, Event, Options, Outcome, Redirect, Trace};
use crate::render::Format;
use crate::render::escape::terminal;
use crate::render::human::Painter;

/// The environment variable read for the password when --password-stdin is not given.
const PASSWORD_VARIABLE: &str = "ADINSPECT_PASSWORD";

pub(super) fn run(args: &DiscoverArgs, env: &mut Env<'_>) -> i32 {
    let options = match options(args, env) {
        Ok(options) => options,
        Err(message) => {
            let _ = writeln!(env.stderr, "adinspect: {}", terminal(&message));
            return EXIT_TROUBLE;
        }
    };
    let tls = match discover::tls_config(args.ca_file.as_deref()) {
        Ok(tls) => tls,
        Err(message) => {
            let _ = writeln!(env.stderr, "adinspect: {}", terminal(&message));
            return EXIT_TROUBLE;
        }
    };
    let color = super::use_color(
        args.color.unwrap_or(super::ColorChoice::Auto),
        env.stdout_is_terminal,
        env.var,
    );
    let human = args.format == ShowFormat::Human;
    let trace = {
        let stdout = &mut *env.stdout;
        let mut printer = TracePrinter {
            painter: Painter { color },
        };
        if human {
            let _ = writeln!(
                stdout,
                "{} {}{}",
                printer.strong("Autodiscover lookup for"),
                printer.strong(&options.email),
                if options.mobilesync {
                    " (ActiveSync request)"
                } else {
                    ""
                }
            );
        }
        let mut observe = |event: &Event| {
            if human {
                let _ = printer.event(stdout, event);
                let _ = stdout.flush();
            }
        };
        discover::discover(&options, tls, &mut observe)
    };

    if let Some(path) = &args.save {
        match &trace.document {
            Some((_, body)) => {
                let saved = ReportFile::create(path).and_then(|mut file| {
                    file.write_all(body)
                        .and_then(|()| file.commit())
                        .map_err(|err| err.to_string())
                });
                if let Err(message) = saved {
                    let _ = writeln!(
                        env.stderr,
                        "adinspect: cannot save to {}: {}",
                        terminal(&path.display().to_string()),
                        terminal(&message)
                    );
                    return EXIT_TROUBLE;
                }
            }
            None => {
                let _ = writeln!(
                    env.stderr,
                    "adinspect: nothing saved to {}: no Autodiscover response was found",
                    terminal(&path.display().to_string())
                );
            }
        }
    }

    match args.format {
        ShowFormat::Human => {
            let printer = TracePrinter {
                painter: Painter { color },
            };
            if printer.summary(env.stdout, &trace).is_err() {
                return EXIT_TROUBLE;
            }
            let code = match &trace.document {
                Some((url, body)) => {
                    let _ = writeln!(env.stdout);
                    show(args, url, body, Format::Human, color, env, &mut None)
                }
                None => match &trace.rejected {
                    // What made the lookup skip an endpoint that looked right, with positions.
                    Some((url, body)) => {
                        let _ = writeln!(
                            env.stdout,
                            "\nThe response skipped at {}, inspected:\n",
                            terminal(url)
                        );
                        show(args, url, body, Format::Human, color, env, &mut None)
                            .max(EXIT_FINDINGS)
                    }
                    None => EXIT_FINDINGS,
                },
            };
            verdict(&trace, code)
        }
        ShowFormat::Json => {
            let mut document = None;
            let mut rejected = None;
            let code = match (&trace.document, &trace.rejected) {
                (Some((url, body)), _) => {
                    show(args, url, body, Format::Json, false, env, &mut document)
                }
                (None, Some((url, body))) => {
                    show(args, url, body, Format::Json, false, env, &mut rejected)
                        .max(EXIT_FINDINGS)
                }
                (None, None) => EXIT_FINDINGS,
            };
            let value = trace_json(&trace, document, rejected);
            let written = serde_json::to_writer_pretty(&mut *env.stdout, &value)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(env.stdout))
                .and_then(|()| env.stdout.flush());
            if written.is_err() {
                return EXIT_TROUBLE;
            }
            verdict(&trace, code)
        }
    }
}

/// 0 only for a settings response whose inspection passed.
fn verdict(trace: &Trace, show_code: i32) -> i32 {
    match (&trace.outcome, show_code) {
        (_, EXIT_TROUBLE) => EXIT_TROUBLE,
        (Outcome::Settings, code) => code,
        _ => EXIT_FINDINGS,
    }
}

fn options(args: &DiscoverArgs, env: &mut Env<'_>) -> Result<Options, String> {
    let email = args.email.trim().to_string();
    if !crate::rules::is_email(&email) || email.contains(char::is_control) {
        return Err(format!("{email:?} is not an e-mail address (local@domain)"));
    }
    let connect_to = args
        .connect_to
        .iter()
        .map(|rule| {
            rule.parse::<ConnectTo>()
                .map_err(|why| format!("--connect-to {rule:?}: {why}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let dns_server = match &args.dns_server {
        None => None,
        Some(text) => Some(
            text.parse::<std::net::SocketAddr>()
                .or_else(|_| {
                    text.trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<std::net::IpAddr>()
                        .map(|ip| std::net::SocketAddr::new(ip, 53))
                })
                .map_err(|_| {
                    format!("--dns-server {text:?} is not an address (ADDR or ADDR:PORT)")
                })?,
        ),
    };
    let credentials = match &args.user {
        None => None,
        Some(user) => {
            let password = if args.password_stdin {
                let mut line = String::new();
                io::BufReader::new(&mut *env.stdin)
                    .read_line(&mut line)
                    .map_err(|err| format!("cannot read the password from stdin: {err}"))?;
                line.trim_end_matches(['\n', '\r']).to_string()
            } else {
                (env.var)(PASSWORD_VARIABLE).ok_or_else(|| {
                    format!(
                        "--user needs a password: pipe it with --password-stdin or set {PASSWORD_VARIABLE}"
                    )
                })?
            };
            if password.is_empty() {
                return Err("the password is empty".into());
            }
            if user.contains(':') {
                return Err("a Basic user name cannot contain ':'".into());
            }
            Some(Credentials {
                user: user.clone(),
                password,
            })
        }
    };
    Ok(Options {
        email,
        mobilesync: args.mobilesync,
        timeout: Duration::from_secs_f64(args.timeout),
        max_time: Duration::from_secs_f64(args.max_time),
        credentials,
        connect_to,
        dns_server,
        ca_file: args.ca_file.clone(),
    })
}

/// Runs `show` over the fetched body, named by its URL. JSON is captured into `captured`
/// (the file object) instead of being written.
fn show(
    args: &DiscoverArgs,
    url: &str,
    body: &[u8],
    format: Format,
    color: bool,
    env: &mut Env<'_>,
    captured: &mut Option<Json>,
) -> i32 {
    let common = CommonArgs {
        paths: vec!["-".into()],
        stdin_filename: Some(url.to_string()),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_level: args.fail_level,
        color: Some(if color {
            super::ColorChoice::Always
        } else {
            super::ColorChoice::Never
        }),
        ..CommonArgs::default()
    };
    let mut stdin = body;
    let mut buffer = Vec::new();
    let code = {
        let mut show_env = Env {
            stdin: &mut stdin,
            stdin_is_terminal: false,
            stdout: if format == Format::Json {
                &mut buffer
            } else {
                &mut *env.stdout
            },
            stdout_is_terminal: env.stdout_is_terminal,
            stderr: &mut *env.stderr,
            var: env.var,
        };
        super::pipeline::inspect(&common, Some(format), None, false, &mut show_env)
    };
    if format == Format::Json {
        *captured = serde_json::from_slice::<Json>(&buffer)
            .ok()
            .and_then(|mut report| report.get_mut("files")?.as_array_mut()?.pop());
    }
    code
}

/// Writes the trace; text is escaped and styled by the human format's painter.
struct TracePrinter {
    painter: Painter,
}

impl TracePrinter {
    fn styled(&self, text: &str, style: Style) -> String {
        self.painter.paint(text, style).to_string()
    }

    fn strong(&self, text: &str) -> String {
        self.painter.bold(text).to_string()
    }

    fn faint(&self, text: &str) -> String {
        self.painter.dim(text).to_string()
    }

    fn event(&mut self, out: &mut dyn Write, event: &Event) -> io::Result<()> {
        match event {
            Event::Attempt(attempt) => self.attempt(out, attempt),
            Event::Redirect(redirect) => self.redirect(out, redirect),
        }
    }

    /// Two lines: ✓/✗, the method and the URL; then what happened, with the facts.
    fn attempt(&mut self, out: &mut dyn Write, attempt: &Attempt) -> io::Result<()> {
        let mark = match &attempt.failure {
            None => self.styled("✓", Style::new().green().bold()),
            Some(_) => self.styled("✗", Style::new().red().bold()),
        };
        writeln!(
            out,
            "  {mark} {} {}",
            self.strong(&format!("{:4}", attempt.method)),
            terminal(&attempt.target)
        )?;
        let mut facts: Vec<String> = Vec::new();
        if let (Some(status), Some(bytes)) = (attempt.facts.status, attempt.body_bytes) {
            let content_type = attempt
                .facts
                .content_type
                .as_deref()
                .unwrap_or("no content type");
            facts.push(format!("HTTP {status}, {content_type}, {bytes} bytes"));
        }
        let connect_failed = attempt
            .failure
            .as_ref()
            .is_some_and(|f| f.stage == Stage::Connect);
        let connected = attempt.facts.address.filter(|_| !connect_failed);
        // The name and where it led: the address connected to, or every address found.
        match &attempt.facts.dns {
            Some((host, ips)) if host.parse::<std::net::IpAddr>().is_err() => {
                let to = match connected {
                    Some(address) => address.to_string(),
                    None => ips
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                facts.push(format!("{host} → {to}"));
            }
            _ => facts.extend(connected.map(|address| address.to_string())),
        }
        if let Some(version) = attempt.facts.tls_version {
            facts.push(version.to_string());
        }
        if attempt.authenticated {
            facts.push("Basic credentials sent".into());
        }
        facts.push(milliseconds(attempt.elapsed));
        let what = match &attempt.failure {
            Some(failure) => {
                // DNS and TLS name their step; connection and HTTP failures say it themselves.
                let step = match failure.stage {
                    Stage::Dns => "DNS: ",
                    Stage::Tls => "TLS: ",
                    Stage::Connect | Stage::Http => "",
                };
                self.styled(&format!("{step}{}", failure.message), Style::new().red())
            }
            None => match attempt.method {
                "SRV" => {
                    let records: Vec<String> = attempt
                        .srv
                        .iter()
                        .map(|r| {
                            format!(
                                "{}:{} (priority {}, weight {})",
                                r.target, r.port, r.priority, r.weight
                            )
                        })
                        .collect();
                    terminal(&records.join(", ")).into_owned()
                }
                "GET" => format!(
                    "{} redirect to {}",
                    attempt.facts.status.unwrap_or_default(),
                    terminal(attempt.location.as_deref().unwrap_or_default())
                ),
                _ => self.answer(attempt),
            },
        };
        writeln!(out, "      {what}")?;
        writeln!(out, "      {}", self.faint(&facts.join(" · ")))
    }

    fn answer(&self, attempt: &Attempt) -> String {
        let body = match &attempt.body {
            Some(discover::Body::RedirectAddr(to)) => format!("redirectAddr → {to}"),
            Some(discover::Body::RedirectUrl(to)) => format!("redirectUrl → {to}"),
            Some(discover::Body::Error { code, message }) => {
                format!("Autodiscover error {code}: {message}")
            }
            _ => "Autodiscover settings".to_string(),
        };
        self.styled(&body, Style::new().green())
    }

    fn redirect(&mut self, out: &mut dyn Write, redirect: &Redirect) -> io::Result<()> {
        let text = match redirect.kind {
            "redirect-addr" => format!("redirectAddr: the lookup starts again for {}", redirect.to),
            "redirect-url" => format!("redirectUrl: POST to {}", redirect.to),
            _ => format!("HTTP redirect: POST to {}", redirect.to),
        };
        writeln!(
            out,
            "  {} {}",
            self.styled("→", Style::new().cyan().bold()),
            terminal(&text)
        )
    }

    fn summary(&self, out: &mut dyn Write, trace: &Trace) -> io::Result<()> {
        let attempts = trace
            .events
            .iter()
            .filter(|e| matches!(e, Event::Attempt(_)))
            .count();
        let redirects = trace.events.len() - attempts;
        let counts = format!(
            "{attempts} attempt{}, {redirects} redirect{}, {:.1} s",
            if attempts == 1 { "" } else { "s" },
            if redirects == 1 { "" } else { "s" },
            trace.elapsed.as_secs_f64()
        );
        let url = trace
            .document
            .as_ref()
            .map(|(url, _)| url.as_str())
            .unwrap_or_default();
        let (good, text) = match &trace.outcome {
            Outcome::Settings => (true, format!("settings found at {url}")),
            Outcome::ErrorResponse => (false, format!("{url} answered with an Autodiscover error")),
            Outcome::NotFound => (
                false,
                format!("no Autodiscover endpoint answered for {}", trace.email),
            ),
            Outcome::Loop(at) => (false, format!("redirect loop: {at} was already tried")),
            Outcome::TooManyRedirects => (
                false,
                format!(
                    "stopped after {} redirects (clients give up there)",
                    discover::MAX_REDIRECTS
                ),
            ),
            Outcome::BadRedirect(why) => (false, why.clone()),
            Outcome::TimedOut => (false, "the lookup ran out of time (--max-time)".into()),
        };
        let mark = if good {
            self.styled("✓", Style::new().green().bold())
        } else {
            self.styled("✗", Style::new().red().bold())
        };
        writeln!(out, "{mark} {}", self.strong(&text))?;
        writeln!(out, "  {}", self.faint(&counts))?;
        let asked_for_credentials = trace.events.iter().any(
            |e| matches!(e, Event::Attempt(a) if a.facts.status == Some(401) && !a.authenticated),
        );
        if !good && asked_for_credentials {
            writeln!(
                out,
                "  hint: an endpoint asked for credentials: run again with --user NAME \
                 --password-stdin (Basic, https only)"
            )?;
        }
        Ok(())
    }
}

fn milliseconds(elapsed: Duration) -> String {
    format!("{} ms", elapsed.as_millis())
}

/// The trace, the document found and, when none was, the first skipped body that looked like
/// Autodiscover (`rejected`), both shaped like `show --format json`'s file objects.
fn trace_json(trace: &Trace, document: Option<Json>, rejected: Option<Json>) -> Json {
    let events: Vec<Json> = trace
        .events
        .iter()
        .map(|event| match event {
            Event::Attempt(attempt) => attempt_json(attempt),
            Event::Redirect(redirect) => json!({
                "event": "redirect",
                "kind": redirect.kind,
                "from": redirect.from,
                "to": redirect.to,
            }),
        })
        .collect();
    let reason = match &trace.outcome {
        Outcome::Loop(at) => Some(format!("{at} was already tried")),
        Outcome::BadRedirect(why) => Some(why.clone()),
        _ => None,
    };
    json!({
        "version": 1,
        "email": trace.email,
        "outcome": trace.outcome.as_str(),
        "reason": reason,
        "url": trace.document.as_ref().map(|(url, _)| url),
        "elapsed_ms": trace.elapsed.as_millis() as u64,
        "trace": events,
        "document": document,
        "rejected": rejected,
    })
}

fn attempt_json(attempt: &Attempt) -> Json {
    let facts = &attempt.facts;
    json!({
        "event": "attempt",
        "source": attempt.source.as_str(),
        "email": attempt.email,
        "method": attempt.method,
        "target": attempt.target,
        "ok": attempt.failure.is_none(),
        "failed_at": attempt.failure.as_ref().map(|f| f.stage.as_str()),
        "reason": attempt.failure.as_ref().map(|f| f.message.clone()),
        "dns": facts.dns.as_ref().map(|(host, ips)| json!({
            "host": host,
            "addresses": ips.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })),
        "srv": attempt.srv.iter().map(|r| json!({
            "priority": r.priority,
            "weight": r.weight,
            "port": r.port,
            "target": r.target,
        })).collect::<Vec<_>>(),
        "address": facts.address.map(|a| a.to_string()),
        "tls": facts.tls_version,
        "status": facts.status,
        "content_type": facts.content_type,
        "auth_schemes": attempt.auth_schemes,
        "authenticated": attempt.authenticated,
        "location": attempt.location,
        "body": attempt.body.as_ref().map(|b| b.as_str()),
        "body_bytes": attempt.body_bytes,
        "elapsed_ms": attempt.elapsed.as_millis() as u64,
    })
}
