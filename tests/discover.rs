//! `adinspect discover` against loopback servers started here: HTTPS servers with certificates
//! made at test time, plain HTTP for the redirect query, and a DNS responder. Every name is
//! resolved through that responder (`--dns-server`), which answers NXDOMAIN for names it does
//! not know, and `--connect-to` sends each domain to a loopback port: nothing leaves 127.0.0.1.
#![cfg(feature = "discover")]

mod common;
mod loopback;

use std::net::Ipv4Addr;
use std::process::{Output, Stdio};

use common::*;
use loopback::{Ca, Dns, Record, Recorded, Reply, Server, closed_port};

const SETTINGS: &str = include_str!("../fixtures/documents/isp-pop3-smtp-usepopauth.xml");

/// A response redirecting with `action` (redirectAddr or redirectUrl) to `to`.
fn redirect(action: &str, to: &str) -> String {
    // The element carrying the target is named like the action, capitalised.
    let element = format!("R{}", &action[1..]);
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <Action>{action}</Action>
      <{element}>{to}</{element}>
    </Account>
  </Response>
</Autodiscover>
"#
    )
}

fn redirect_addr(to: &str) -> String {
    redirect("redirectAddr", to)
}

fn redirect_url(to: &str) -> String {
    redirect("redirectUrl", to)
}

/// A test's CA, DNS responder and scratch directory, and the flags that point the tool at them.
struct Setup {
    ca: Ca,
    dns: Dns,
    dir: Scratch,
    connect_to: Vec<String>,
}

impl Setup {
    fn new(name: &str, records: &[(&str, Record)]) -> Setup {
        let dir = Scratch::new(&format!("discover-{name}"));
        Setup {
            ca: Ca::new(),
            dns: Dns::start(records),
            dir,
            connect_to: Vec::new(),
        }
    }

    /// An HTTPS server with a certificate for `names`.
    fn https(
        &self,
        names: &[&str],
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Server::start(Some(&self.ca.identity(names, false)), handler)
    }

    /// Sends HOST:PORT to a loopback port.
    fn route(&mut self, host_port: &str, port: u16) {
        self.connect_to
            .push(format!("{host_port}:127.0.0.1:{port}"));
    }

    /// Sends every domain of the lookup for `domain` nowhere (connection refused), except what
    /// `route` sent elsewhere before.
    fn refuse_rest(&mut self, domain: &str) {
        let closed = closed_port();
        for host_port in [
            format!("{domain}:443"),
            format!("autodiscover.{domain}:443"),
            format!("autodiscover.{domain}:80"),
        ] {
            self.route(&host_port, closed);
        }
    }

    fn args(&self, email: &str, extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            "discover".to_string(),
            email.to_string(),
            "--dns-server".into(),
            self.dns.address.to_string(),
            "--ca-file".into(),
            self.ca.write_pem(self.dir.path()).display().to_string(),
            "--timeout".into(),
            if extra.contains(&"--timeout") {
                ""
            } else {
                "3"
            }
            .into(),
            "--max-time".into(),
            "20".into(),
        ];
        for rule in &self.connect_to {
            args.push("--connect-to".into());
            args.push(rule.clone());
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        // A test's own --timeout replaces the default one.
        if extra.contains(&"--timeout") {
            args.drain(6..8);
        }
        args
    }

    fn run(&self, email: &str, extra: &[&str]) -> Output {
        let args = self.args(email, extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args)
    }
}

/// Hands docs/output.schema.json to the validator when docs/discover.schema.json refers to it.
struct LocalSchemas;

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join(name);
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

/// `report` is valid against docs/discover.schema.json.
fn assert_valid(report: &serde_json::Value) {
    let errors = schema_errors(report);
    assert!(errors.is_empty(), "{errors:#?}\n{report:#}");
}

fn schema_errors(report: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../docs/discover.schema.json")).unwrap();
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas)
        .build(&schema)
        .expect("the schema is valid");
    validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn settings(_: &Recorded) -> Reply {
    Reply::xml(SETTINGS)
}

#[test]
fn the_domain_itself_answers() {
    let mut setup = Setup::new("root", &[]);
    let server = setup.https(&["example.test"], settings);
    setup.route("example.test:443", server.port);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(
        out.contains("✓ POST https://example.test/autodiscover/autodiscover.xml"),
        "{out}"
    );
    assert!(
        out.contains("settings found at https://example.test/autodiscover/autodiscover.xml"),
        "{out}"
    );
    // The show report of the document found, named by its URL.
    assert!(
        out.contains("SMTP reuses the POP3") || out.contains("UsePOPAuth"),
        "{out}"
    );
    // What was sent is the request `adinspect request` prints, as a POST with XML.
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/autodiscover/autodiscover.xml");
    assert_eq!(requests[0].header("host"), Some("example.test"));
    assert!(
        requests[0]
            .header("content-type")
            .unwrap()
            .starts_with("text/xml")
    );
    assert!(
        requests[0]
            .body
            .contains("<EMailAddress>kim@example.test</EMailAddress>")
    );
    assert!(requests[0].header("authorization").is_none());
}

#[test]
fn the_autodiscover_host_answers_when_the_domain_refuses() {
    let mut setup = Setup::new("subdomain", &[]);
    let server = setup.https(&["autodiscover.example.test"], settings);
    setup.route("autodiscover.example.test:443", server.port);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("✗ POST https://example.test/autodiscover/autodiscover.xml"),
        "{out}"
    );
    assert!(out.contains("connection to 127.0.0.1:"), "{out}");
    assert!(out.contains(" refused"), "{out}");
    assert!(
        out.contains("✓ POST https://autodiscover.example.test/autodiscover/autodiscover.xml"),
        "{out}"
    );
    assert!(out.contains("\n  2 attempts, 0 redirects"), "{out}");
}

#[test]
fn certificates_for_another_name_untrusted_or_expired_are_named_and_skipped() {
    let mut setup = Setup::new("certs", &[]);
    // The domain's web host has a certificate for the hosting provider's name.
    let wrong_name = setup.https(&["www.hosting.test"], settings);
    let good = setup.https(&["autodiscover.example.test"], settings);
    setup.route("example.test:443", wrong_name.port);
    setup.route("autodiscover.example.test:443", good.port);
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains(
            "TLS: the certificate is not valid for example.test (it names www.hosting.test)"
        ),
        "{out}"
    );
    // Skipped as a client would: nothing was sent to it.
    assert!(wrong_name.requests().is_empty());

    let mut setup = Setup::new("expired", &[]);
    let expired = Server::start(Some(&setup.ca.identity(&["example.test"], true)), settings);
    setup.route("example.test:443", expired.port);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("TLS: the certificate expired on 2021-01-01"),
        "{out}"
    );
    assert!(
        out.contains("no Autodiscover endpoint answered for kim@example.test"),
        "{out}"
    );

    // A CA the tool was not told to trust.
    let mut setup = Setup::new("untrusted", &[]);
    let stranger = Ca::named("another CA");
    let untrusted = Server::start(Some(&stranger.identity(&["example.test"], false)), settings);
    setup.route("example.test:443", untrusted.port);
    setup.refuse_rest("example.test");
    let out = stdout(&setup.run("kim@example.test", &[]));
    assert!(
        out.contains("TLS: the certificate is not signed by a trusted authority"),
        "{out}"
    );
}

#[test]
fn the_http_query_is_followed_only_to_https_and_carries_nothing() {
    let mut setup = Setup::new(
        "http-redirect",
        &[("mail.hosting.test", Record::A(Ipv4Addr::LOCALHOST))],
    );
    let target = setup.https(&["mail.hosting.test"], settings);
    let location = format!(
        "https://mail.hosting.test:{}/autodiscover/autodiscover.xml",
        target.port
    );
    let plain = Server::start(None, move |_| {
        Reply::Answer(302, vec![("Location", location.clone())], String::new())
    });
    setup.route("autodiscover.example.test:80", plain.port);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &["--user", "kim", "--password-stdin"]);
    // No password on stdin was needed to get here: run() gives an empty stdin, so the password
    // is refused as empty before any request. Run again with one.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("the password is empty"));
    let args = setup.args("kim@example.test", &["--user", "kim", "--password-stdin"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run_with_stdin(&args, b"s3cret\n");
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(
        out.contains("✓ GET  http://autodiscover.example.test/autodiscover/autodiscover.xml"),
        "{out}"
    );
    assert!(
        out.contains("→ HTTP redirect: POST to https://mail.hosting.test:"),
        "{out}"
    );
    let get = plain.requests();
    assert_eq!(get.len(), 1);
    assert_eq!(get[0].method, "GET");
    assert!(get[0].body.is_empty() && get[0].header("authorization").is_none());
    assert_eq!(target.requests()[0].method, "POST");

    // A redirect to http is reported and not followed.
    let mut setup = Setup::new("http-to-http", &[]);
    let plain = Server::start(None, |_| {
        Reply::Answer(
            301,
            vec![(
                "Location",
                "http://mail.hosting.test/autodiscover/autodiscover.xml".into(),
            )],
            String::new(),
        )
    });
    setup.route("autodiscover.example.test:80", plain.port);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("301 redirect to http://mail.hosting.test/autodiscover/autodiscover.xml: not https, not followed"), "{out}");
}

#[test]
fn the_srv_record_is_the_last_resort() {
    let mut setup = Setup::new("srv", &[]);
    let server = setup.https(&["mail.hosting.test"], settings);
    let dns = Dns::start(&[
        (
            "_autodiscover._tcp.example.test",
            Record::Srv(0, 0, server.port, "mail.hosting.test".into()),
        ),
        ("mail.hosting.test", Record::A(Ipv4Addr::LOCALHOST)),
    ]);
    setup.dns = dns;
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("✓ SRV  _autodiscover._tcp.example.test"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "mail.hosting.test:{} (priority 0, weight 0)",
            server.port
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "✓ POST https://mail.hosting.test:{}/autodiscover/autodiscover.xml",
            server.port
        )),
        "{out}"
    );
    // The target's name, resolved through the DNS server, and where it led.
    assert!(
        out.contains(&format!("mail.hosting.test → 127.0.0.1:{}", server.port)),
        "{out}"
    );
    let queries = setup.dns.queries.lock().unwrap().clone();
    assert!(queries.contains(&("_autodiscover._tcp.example.test".to_string(), 33)));

    // Without a record: the SRV step fails with the DNS answer, and the lookup with it.
    let mut setup = Setup::new("no-srv", &[]);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("DNS: no such name (NXDOMAIN)"), "{out}");
    assert!(out.contains("4 attempts, 0 redirects"), "{out}");
}

#[test]
fn redirect_addr_restarts_the_lookup_for_the_new_domain() {
    let mut setup = Setup::new("redirect-addr", &[]);
    let first = setup.https(&["autodiscover.example.test"], |_| {
        Reply::xml(redirect_addr("kim.lee@other.test"))
    });
    let second = setup.https(&["other.test"], settings);
    setup.route("autodiscover.example.test:443", first.port);
    setup.route("other.test:443", second.port);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains("redirectAddr → kim.lee@other.test"), "{out}");
    assert!(
        out.contains("→ redirectAddr: the lookup starts again for kim.lee@other.test"),
        "{out}"
    );
    assert!(out.contains("3 attempts, 1 redirect,"), "{out}");
    assert!(
        second.requests()[0]
            .body
            .contains("<EMailAddress>kim.lee@other.test</EMailAddress>")
    );
}

#[test]
fn redirect_url_is_posted_to() {
    let mut setup = Setup::new("redirect-url", &[]);
    let target = setup.https(&["cas.hosting.test"], settings);
    let next = format!(
        "https://cas.hosting.test:{}/autodiscover/autodiscover.xml",
        target.port
    );
    let first = setup.https(&["example.test"], move |_| Reply::xml(redirect_url(&next)));
    setup.route("example.test:443", first.port);
    setup.route(&format!("cas.hosting.test:{}", target.port), target.port);
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("→ redirectUrl: POST to https://cas.hosting.test:"),
        "{out}"
    );
    assert_eq!(target.requests().len(), 1);

    // An http redirectUrl is refused: nothing is sent over http.
    let mut setup = Setup::new("redirect-url-http", &[]);
    let first = setup.https(&["example.test"], |_| {
        Reply::xml(redirect_url(
            "http://cas.hosting.test/autodiscover/autodiscover.xml",
        ))
    });
    setup.route("example.test:443", first.port);
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("is not https: clients never send the request over http"),
        "{out}"
    );
}

#[test]
fn loops_and_long_chains_are_stopped() {
    let mut setup = Setup::new("loop", &[]);
    let a = setup.https(&["a.test"], |_| Reply::xml(redirect_addr("kim@b.test")));
    let b = setup.https(&["b.test"], |_| Reply::xml(redirect_addr("kim@a.test")));
    setup.route("a.test:443", a.port);
    setup.route("b.test:443", b.port);
    let output = setup.run("kim@a.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("redirect loop: kim@a.test was already tried"),
        "{out}"
    );

    // Every answer a new redirectUrl: the lookup stops after 10 redirects.
    let mut setup = Setup::new("hops", &[]);
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let port_for_handler = std::sync::Arc::clone(&port);
    let server = setup.https(&["example.test"], move |_| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let port = port_for_handler.get().copied().unwrap_or(443);
        Reply::xml(redirect_url(&format!(
            "https://example.test:{port}/autodiscover/autodiscover.xml?hop={n}"
        )))
    });
    port.set(server.port).unwrap();
    setup.route("example.test:", server.port);
    let args = setup.args("kim@example.test", &["--format", "json"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["outcome"], "too-many-redirects");
    assert_valid(&report);
    // The first POST and 10 redirect targets; the 11th redirect is not followed.
    assert_eq!(server.requests().len(), 11);
}

#[test]
fn a_401_names_the_schemes_and_basic_is_answered_with_credentials() {
    let mut setup = Setup::new("auth", &[]);
    let server = setup.https(&["example.test"], |request| {
        // "kim:s3cret"
        if request.header("authorization") == Some("Basic a2ltOnMzY3JldA==") {
            Reply::xml(SETTINGS)
        } else {
            Reply::Answer(
                401,
                vec![
                    ("WWW-Authenticate", "Negotiate".into()),
                    ("WWW-Authenticate", "NTLM".into()),
                    ("WWW-Authenticate", "Basic realm=\"example.test\"".into()),
                ],
                String::new(),
            )
        }
    });
    setup.route("example.test:443", server.port);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "401 Unauthorized: needs credentials (offers Negotiate, NTLM, Basic); give --user"
        ),
        "{out}"
    );
    assert!(
        out.contains("hint: an endpoint asked for credentials"),
        "{out}"
    );

    // The password from the environment; it never appears in the output.
    let args = setup.args("kim@example.test", &["--user", "kim"]);
    let output = bin()
        .args(&args)
        .env("ADINSPECT_PASSWORD", "s3cret")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    assert!(out.contains("Basic credentials sent"), "{out}");
    assert!(!out.contains("s3cret") && !stderr(&output).contains("s3cret"));

    // Wrong password: refused, said so.
    let output = bin()
        .args(&args)
        .env("ADINSPECT_PASSWORD", "wrong")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("401 Unauthorized: the credentials were refused"));

    // No password at all: a usage error before anything is sent.
    let output = setup.run("kim@example.test", &["--user", "kim"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--password-stdin or set ADINSPECT_PASSWORD"));
}

#[test]
fn an_html_login_page_with_status_200_is_not_autodiscover() {
    let mut setup = Setup::new("html", &[]);
    let server = setup.https(&["example.test"], |_| {
        Reply::Answer(
            200,
            vec![("Content-Type", "text/html; charset=utf-8".into())],
            "<!DOCTYPE html><html><body><form>Sign in</form></body></html>".into(),
        )
    });
    setup.route("example.test:443", server.port);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("200, but the body is an HTML page"), "{out}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let mut setup = Setup::new("silent", &[]);
    let server = setup.https(&["example.test"], |_| Reply::Silence);
    setup.route("example.test:443", server.port);
    setup.refuse_rest("example.test");
    let started = std::time::Instant::now();
    let output = setup.run("kim@example.test", &["--timeout", "0.5"]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("timed out waiting for the response"), "{out}");
    // The other candidates were still tried after the timeout.
    assert!(out.contains("4 attempts"), "{out}");
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
}

#[test]
fn json_carries_the_trace_and_the_document_and_save_writes_the_body() {
    let mut setup = Setup::new("json", &[]);
    let server = setup.https(&["autodiscover.example.test"], settings);
    setup.route("autodiscover.example.test:443", server.port);
    setup.refuse_rest("example.test");
    let saved = setup.dir.path().join("found.xml");
    let output = setup.run(
        "kim@example.test",
        &["--format", "json", "--save", saved.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["outcome"], "settings");
    assert_eq!(report["email"], "kim@example.test");
    let trace = report["trace"].as_array().unwrap();
    assert_eq!(trace.len(), 2);
    assert_eq!(trace[0]["ok"], false);
    assert_eq!(trace[0]["failed_at"], "connect");
    assert_eq!(trace[0]["source"], "domain");
    assert_eq!(trace[1]["ok"], true);
    assert_eq!(trace[1]["status"], 200);
    assert!(trace[1]["tls"].as_str().unwrap().starts_with("TLS 1."));
    assert_eq!(trace[1]["body"], "settings");
    assert_eq!(trace[1]["dns"]["host"], "127.0.0.1");
    // The document in the shape of `show --format json`'s file objects.
    let document = &report["document"];
    assert_eq!(
        document["path"],
        "https://autodiscover.example.test/autodiscover/autodiscover.xml"
    );
    assert_eq!(
        document["accounts"][0]["protocols"]
            .as_array()
            .unwrap()
            .len(),
        3,
        "{document}"
    );
    assert_eq!(document["findings"], serde_json::json!([]));
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), SETTINGS);
    assert_eq!(report["rejected"], serde_json::Value::Null);
    assert_valid(&report);
    // The document is checked against show's schema too: a key it does not define is refused.
    let mut changed = report.clone();
    changed["document"]["accounts"][0]["surprise"] = serde_json::json!(1);
    assert!(!schema_errors(&changed).is_empty());
    let mut changed = report.clone();
    changed["trace"][0]["source"] = serde_json::json!("somewhere");
    assert!(!schema_errors(&changed).is_empty());
}

#[test]
fn a_broken_or_echoed_autodiscover_body_is_skipped_then_inspected() {
    let mut setup = Setup::new("malformed", &[]);
    let broken = setup.https(&["example.test"], |_| {
        Reply::xml(SETTINGS.replace("</Server>", "</server>"))
    });
    let echo = setup.https(&["autodiscover.example.test"], |request| {
        Reply::xml(request.body.clone())
    });
    setup.route("example.test:443", broken.port);
    setup.route("autodiscover.example.test:443", echo.port);
    setup.refuse_rest("example.test");
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("200, but the body starts like Autodiscover but is not well-formed XML"),
        "{out}"
    );
    assert!(
        out.contains("200, but the body is an Autodiscover request, not a response"),
        "{out}"
    );
    assert!(out.contains("no Autodiscover endpoint answered"), "{out}");
    // The first of them, inspected: the linter points at the tag.
    assert!(
        out.contains(
            "The response skipped at https://example.test/autodiscover/autodiscover.xml, inspected:"
        ),
        "{out}"
    );
    assert!(
        out.contains("mismatched-tag") || out.contains("malformed-xml"),
        "{out}"
    );
}

#[test]
fn usage_errors_are_exit_2() {
    for args in [
        &["discover", "not-an-address"][..],
        &["discover", "kim@example.test", "--connect-to", "a:b"],
        &["discover", "kim@example.test", "--dns-server", "nameserver"],
        &["discover", "kim@example.test", "--timeout", "0"],
        &[
            "discover",
            "kim@example.test",
            "--ca-file",
            "/nonexistent/ca.pem",
        ],
        &["discover", "kim@example.test", "--password-stdin"],
    ] {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let help = stdout(&run(&["discover", "--help"]));
    assert!(help.contains("1. POST https://DOMAIN/autodiscover/autodiscover.xml"));
    assert!(help.contains("SCP"));
}

#[test]
fn an_autodiscover_error_response_ends_the_lookup_and_is_inspected() {
    let mut setup = Setup::new("error-response", &[]);
    let server = setup.https(&["example.test"], |_| {
        Reply::xml(include_str!("../fixtures/documents/error-response.xml"))
    });
    let never_asked = setup.https(&["autodiscover.example.test"], settings);
    setup.route("example.test:443", server.port);
    setup.route("autodiscover.example.test:443", never_asked.port);
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("Autodiscover error "), "{out}");
    assert!(
        out.contains(
            "https://example.test/autodiscover/autodiscover.xml answered with an Autodiscover error"
        ),
        "{out}"
    );
    // The lookup stopped there, as clients do: the error is an Autodiscover response.
    assert!(never_asked.requests().is_empty());
}

#[test]
fn a_redirect_to_the_address_sent_makes_the_endpoint_invalid() {
    let mut setup = Setup::new("self-redirect", &[]);
    let server = setup.https(&["example.test"], |_| {
        Reply::xml(redirect_addr("kim@example.test"))
    });
    let next = setup.https(&["autodiscover.example.test"], settings);
    setup.route("example.test:443", server.port);
    setup.route("autodiscover.example.test:443", next.port);
    let output = setup.run("kim@example.test", &[]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("redirectAddr names the address that was sent"),
        "{out}"
    );
    assert!(out.contains("0 redirects"), "{out}");
}

#[test]
fn max_time_bounds_the_whole_lookup() {
    let mut setup = Setup::new("max-time", &[]);
    let silent = setup.https(&["example.test", "autodiscover.example.test"], |_| {
        Reply::Silence
    });
    setup.route("example.test:443", silent.port);
    setup.route("autodiscover.example.test:443", silent.port);
    setup.refuse_rest("example.test");
    let started = std::time::Instant::now();
    let args = setup.args("kim@example.test", &["--timeout", "1", "--format", "json"]);
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let at = args.iter().position(|a| *a == "--max-time").unwrap();
    args[at + 1] = "1.5";
    let output = run(&args);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["outcome"], "timed-out");
    assert_valid(&report);
    // Two attempts at most started: the first used 1 s, the second the half second left.
    assert!(report["trace"].as_array().unwrap().len() <= 2, "{report}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
