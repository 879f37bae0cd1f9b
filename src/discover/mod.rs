//! `adinspect discover`: the Autodiscover lookup a mail client runs for an address, live
//! (MS-OXDISCO; Microsoft's "generate a list of Autodiscover endpoints"), every attempt
//! recorded. For `user@DOMAIN`, in order, until an endpoint answers with an Autodiscover
//! response (settings, redirect or error):
//!
//! 1. POST `https://DOMAIN/autodiscover/autodiscover.xml`
//! 2. POST `https://autodiscover.DOMAIN/autodiscover/autodiscover.xml`
//! 3. GET `http://autodiscover.DOMAIN/autodiscover/autodiscover.xml`, following only a 301/302
//!    to https, which is then POSTed (nothing is POSTed to http, no credentials go there)
//! 4. SRV `_autodiscover._tcp.DOMAIN` → POST `https://TARGET:PORT/autodiscover/autodiscover.xml`
//!
//! Then the answer is followed as clients do: `redirectAddr` restarts the lookup for the new
//! address, `redirectUrl` POSTs to the new https URL; at most [`MAX_REDIRECTS`] redirects, and
//! an address or URL seen before is a loop. Active Directory's SCP lookup is not done.

pub mod dns;
pub mod http;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dns::{Resolver, Srv};
use http::{Client, ConnectTo, Facts, Failure, Request, Stage, Url};

/// Clients stop after this many redirects (action-pox: "stop after 10 redirects").
pub const MAX_REDIRECTS: usize = 10;
const PATH: &str = "/autodiscover/autodiscover.xml";

/// What to look up and how.
pub struct Options {
    pub email: String,
    pub mobilesync: bool,
    /// For each attempt (DNS, connection, TLS and HTTP together).
    pub timeout: Duration,
    /// For the whole lookup.
    pub max_time: Duration,
    pub credentials: Option<Credentials>,
    pub connect_to: Vec<ConnectTo>,
    pub dns_server: Option<std::net::SocketAddr>,
    /// Trust only these certificates (PEM) instead of the system's store.
    pub ca_file: Option<std::path::PathBuf>,
}

/// Basic credentials, sent only over https to a host whose certificate was accepted.
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials {{ user: {:?}, password: <hidden> }}",
            self.user
        )
    }
}

/// Which candidate an attempt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Step 1: `https://DOMAIN/…`.
    Domain,
    /// Step 2: `https://autodiscover.DOMAIN/…`.
    AutodiscoverDomain,
    /// Step 3: the GET to `http://autodiscover.DOMAIN/…`.
    HttpRedirectQuery,
    /// Step 3: the POST to where that GET redirected.
    HttpRedirectTarget,
    /// Step 4: the SRV lookup itself.
    SrvLookup,
    /// Step 4: a POST to an SRV target.
    Srv,
    /// A POST to a `redirectUrl` from an earlier response.
    RedirectUrl,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Domain => "domain",
            Source::AutodiscoverDomain => "autodiscover-domain",
            Source::HttpRedirectQuery => "http-redirect-query",
            Source::HttpRedirectTarget => "http-redirect-target",
            Source::SrvLookup => "srv-lookup",
            Source::Srv => "srv",
            Source::RedirectUrl => "redirect-url",
        }
    }
}

/// What a 200 response's body is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Settings,
    RedirectAddr(String),
    RedirectUrl(String),
    /// An Autodiscover error response: ErrorCode and Message.
    Error {
        code: String,
        message: String,
    },
    Empty,
    Html,
    Json,
    /// XML, but not Autodiscover: the root element's name.
    OtherXml(String),
    /// Not well-formed XML and none of the above.
    NotXml,
    /// Starts like an Autodiscover document but is not well-formed: a client cannot read it.
    Malformed,
    /// An Autodiscover request (a server that echoes what it was sent).
    Request,
    /// An Autodiscover document a client cannot act on (no Response, a redirect without its
    /// target, names in the wrong case): why.
    Unusable(String),
}

impl Body {
    pub fn as_str(&self) -> &'static str {
        match self {
            Body::Settings => "settings",
            Body::RedirectAddr(_) => "redirect-addr",
            Body::RedirectUrl(_) => "redirect-url",
            Body::Error { .. } => "error-response",
            Body::Empty => "empty",
            Body::Html => "html",
            Body::Json => "json",
            Body::OtherXml(_) => "other-xml",
            Body::NotXml => "not-xml",
            Body::Malformed => "malformed",
            Body::Request => "request",
            Body::Unusable(_) => "unusable",
        }
    }

    /// An Autodiscover response of any kind: the lookup stops here.
    fn is_autodiscover(&self) -> bool {
        matches!(
            self,
            Body::Settings | Body::RedirectAddr(_) | Body::RedirectUrl(_) | Body::Error { .. }
        )
    }
}

/// One step of the lookup: an HTTP request or the SRV lookup.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub source: Source,
    /// The address being looked up.
    pub email: String,
    /// `POST`, `GET` or `SRV`.
    pub method: &'static str,
    /// The URL, or the SRV name.
    pub target: String,
    pub facts: Facts,
    /// The SRV records found (SRV lookup), or the record this POST comes from.
    pub srv: Vec<Srv>,
    /// Schemes offered by a 401's WWW-Authenticate.
    pub auth_schemes: Vec<String>,
    /// Basic credentials were sent.
    pub authenticated: bool,
    pub body: Option<Body>,
    pub body_bytes: Option<usize>,
    /// Where a 301/302 pointed.
    pub location: Option<String>,
    /// `None` when the attempt found what it looked for.
    pub failure: Option<Failure>,
    pub elapsed: Duration,
}

/// A redirect followed (or refused).
#[derive(Debug, Clone)]
pub struct Redirect {
    /// `redirect-addr`, `redirect-url` or `http`.
    pub kind: &'static str,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone)]
pub enum Event {
    Attempt(Box<Attempt>),
    Redirect(Redirect),
}

/// How the lookup ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A settings response.
    Settings,
    /// An Autodiscover error response: the server answered, but with an error.
    ErrorResponse,
    /// Every candidate failed.
    NotFound,
    /// A redirect led back to an address or URL already tried.
    Loop(String),
    /// More than [`MAX_REDIRECTS`] redirects.
    TooManyRedirects,
    /// A redirect a client would not follow (http URL, not an address…), or a redirect
    /// target that failed.
    BadRedirect(String),
    /// `--max-time` ran out.
    TimedOut,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Settings => "settings",
            Outcome::ErrorResponse => "error-response",
            Outcome::NotFound => "not-found",
            Outcome::Loop(_) => "loop",
            Outcome::TooManyRedirects => "too-many-redirects",
            Outcome::BadRedirect(_) => "bad-redirect",
            Outcome::TimedOut => "timed-out",
        }
    }
}

/// The whole lookup: what happened, how it ended, and the document found.
#[derive(Debug, Clone)]
pub struct Trace {
    pub email: String,
    pub events: Vec<Event>,
    pub outcome: Outcome,
    /// The URL and body of the final Autodiscover response (settings or error).
    pub document: Option<(String, Vec<u8>)>,
    /// The first body that looked like Autodiscover but could not be used (not well-formed, a
    /// request, no Response): skipped as clients skip it, kept so it can be inspected.
    pub rejected: Option<(String, Vec<u8>)>,
    pub elapsed: Duration,
}

/// Builds the TLS settings: the system's trust store, or only `ca_file`.
pub fn tls_config(ca_file: Option<&std::path::Path>) -> Result<Arc<rustls::ClientConfig>, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let certificates = CertificateDer::pem_file_iter(path)
                .map_err(|err| format!("cannot read --ca-file {}: {err}", path.display()))?;
            for certificate in certificates {
                let certificate =
                    certificate.map_err(|err| format!("--ca-file {}: {err}", path.display()))?;
                roots
                    .add(certificate)
                    .map_err(|err| format!("--ca-file {}: {err}", path.display()))?;
            }
            if roots.is_empty() {
                return Err(format!("--ca-file {} holds no certificate", path.display()));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(
                    "no trusted certificates found in the system's store (install \
                     ca-certificates, or give --ca-file)"
                        .into(),
                );
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| err.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Runs the lookup, telling `observe` about each event as it happens (a terminal shows
/// progress while a slow endpoint times out).
pub fn discover(
    options: &Options,
    tls: Arc<rustls::ClientConfig>,
    observe: &mut dyn FnMut(&Event),
) -> Trace {
    let started = Instant::now();
    let client = Client {
        resolver: match options.dns_server {
            Some(server) => Resolver::Server(server),
            None => Resolver::System,
        },
        connect_to: options.connect_to.clone(),
        tls,
        user_agent: format!("adinspect/{}", env!("CARGO_PKG_VERSION")),
    };
    let mut lookup = Lookup {
        options,
        client,
        started,
        events: Vec::new(),
        observe,
        redirects: 0,
        rejected: None,
    };
    let (outcome, document) = lookup.run();
    Trace {
        email: options.email.clone(),
        events: lookup.events,
        outcome,
        document,
        rejected: lookup.rejected,
        elapsed: started.elapsed(),
    }
}

struct Lookup<'o, 'f> {
    options: &'o Options,
    client: Client,
    started: Instant,
    events: Vec<Event>,
    observe: &'f mut dyn FnMut(&Event),
    redirects: usize,
    rejected: Option<(String, Vec<u8>)>,
}

type Found = (Outcome, Option<(String, Vec<u8>)>);

/// What an endpoint said, for the lookup to act on.
enum Answer {
    /// Not an Autodiscover response: try the next candidate.
    Failed,
    Final(Outcome, String, Vec<u8>),
    RedirectAddr(String),
    RedirectUrl(String),
}

impl Lookup<'_, '_> {
    fn record(&mut self, event: Event) {
        (self.observe)(&event);
        self.events.push(event);
    }

    fn overall_deadline(&self) -> Instant {
        self.started + self.options.max_time
    }

    fn attempt_deadline(&self) -> Instant {
        (Instant::now() + self.options.timeout).min(self.overall_deadline())
    }

    fn out_of_time(&self) -> bool {
        Instant::now() >= self.overall_deadline()
    }

    fn run(&mut self) -> Found {
        let mut email = self.options.email.clone();
        let mut addresses_seen: HashSet<String> = HashSet::from([email.to_ascii_lowercase()]);
        'address: loop {
            let domain = email
                .rsplit_once('@')
                .map(|(_, d)| d.to_ascii_lowercase())
                .unwrap_or_default();
            // Redirect URLs already tried for this address (a client never retries one).
            let mut urls_seen: HashSet<String> = HashSet::new();
            let mut answer = Answer::Failed;
            for step in 0..4 {
                if self.out_of_time() {
                    return (Outcome::TimedOut, None);
                }
                answer = match step {
                    0 => self.post(
                        &email,
                        Source::Domain,
                        &format!("https://{domain}{PATH}"),
                        &[],
                    ),
                    1 => self.post(
                        &email,
                        Source::AutodiscoverDomain,
                        &format!("https://autodiscover.{domain}{PATH}"),
                        &[],
                    ),
                    2 => self.http_redirect(&email, &domain, &mut urls_seen),
                    _ => self.srv(&email, &domain),
                };
                if !matches!(answer, Answer::Failed) {
                    break;
                }
            }
            // Follow redirectUrl answers until something else comes back.
            loop {
                match answer {
                    Answer::Failed => {
                        return (
                            if self.out_of_time() {
                                Outcome::TimedOut
                            } else {
                                Outcome::NotFound
                            },
                            None,
                        );
                    }
                    Answer::Final(outcome, url, body) => return (outcome, Some((url, body))),
                    Answer::RedirectAddr(next) => {
                        if let Some(stop) = self.redirect("redirect-addr", email.clone(), &next) {
                            return (stop, None);
                        }
                        if !crate::rules::is_email(&next) {
                            return (
                                Outcome::BadRedirect(format!(
                                    "redirectAddr {:?} is not an e-mail address",
                                    printable(&next)
                                )),
                                None,
                            );
                        }
                        if !addresses_seen.insert(next.to_ascii_lowercase()) {
                            return (Outcome::Loop(next), None);
                        }
                        email = next;
                        continue 'address;
                    }
                    Answer::RedirectUrl(next) => {
                        let last_url = self.last_url();
                        if let Some(stop) = self.redirect("redirect-url", last_url, &next) {
                            return (stop, None);
                        }
                        let url = match redirect_url_target(&next) {
                            Ok(url) => url,
                            Err(why) => return (Outcome::BadRedirect(why), None),
                        };
                        if !urls_seen.insert(url.to_string()) {
                            return (Outcome::Loop(url.to_string()), None);
                        }
                        if self.out_of_time() {
                            return (Outcome::TimedOut, None);
                        }
                        answer = self.post(&email, Source::RedirectUrl, &url.to_string(), &[]);
                        if matches!(answer, Answer::Failed) {
                            return (
                                if self.out_of_time() {
                                    Outcome::TimedOut
                                } else {
                                    Outcome::BadRedirect(format!(
                                        "the redirectUrl {url} did not answer with an Autodiscover response"
                                    ))
                                },
                                None,
                            );
                        }
                    }
                }
            }
        }
    }

    /// The URL of the last HTTP attempt (where a redirect came from).
    fn last_url(&self) -> String {
        self.events
            .iter()
            .rev()
            .find_map(|event| match event {
                Event::Attempt(attempt) if attempt.method == "POST" => Some(attempt.target.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Records a redirect and counts it; `Some` when that is one too many.
    fn redirect(&mut self, kind: &'static str, from: String, to: &str) -> Option<Outcome> {
        self.record(Event::Redirect(Redirect {
            kind,
            from,
            to: to.to_string(),
        }));
        self.redirects += 1;
        (self.redirects > MAX_REDIRECTS).then_some(Outcome::TooManyRedirects)
    }

    fn new_attempt(
        &self,
        email: &str,
        source: Source,
        method: &'static str,
        target: &str,
    ) -> Attempt {
        Attempt {
            source,
            email: email.to_string(),
            method,
            target: target.to_string(),
            facts: Facts::default(),
            srv: Vec::new(),
            auth_schemes: Vec::new(),
            authenticated: false,
            body: None,
            body_bytes: None,
            location: None,
            failure: None,
            elapsed: Duration::ZERO,
        }
    }

    /// POSTs the request to `url` and classifies what came back.
    fn post(&mut self, email: &str, source: Source, url: &str, srv: &[Srv]) -> Answer {
        let started = Instant::now();
        let mut attempt = self.new_attempt(email, source, "POST", url);
        attempt.srv = srv.to_vec();
        let answer = match Url::parse(url) {
            Err(why) => {
                attempt.failure = Some(Failure {
                    stage: Stage::Http,
                    message: why,
                });
                Answer::Failed
            }
            Ok(parsed) => self.post_to(&parsed, email, &mut attempt),
        };
        attempt.elapsed = started.elapsed();
        self.record(Event::Attempt(Box::new(attempt)));
        answer
    }

    fn post_to(&mut self, url: &Url, email: &str, attempt: &mut Attempt) -> Answer {
        let body = crate::request_body(email, self.options.mobilesync, None);
        let deadline = self.attempt_deadline();
        let mut request = Request {
            method: "POST",
            url,
            body: body.as_bytes(),
            authorization: None,
        };
        let mut response = match self.client.send(&request, deadline, &mut attempt.facts) {
            Ok(response) => response,
            Err(failure) => {
                attempt.failure = Some(failure);
                return Answer::Failed;
            }
        };
        if response.status == 401 {
            attempt.auth_schemes = auth_schemes(&response);
            let offers_basic = attempt
                .auth_schemes
                .iter()
                .any(|s| s.eq_ignore_ascii_case("basic"));
            // The certificate was accepted (or there would be no response) and the URL is https.
            if let (Some(credentials), true, true) =
                (&self.options.credentials, offers_basic, url.https)
            {
                let token = http::base64(
                    format!("{}:{}", credentials.user, credentials.password).as_bytes(),
                );
                let authorization = format!("Basic {token}");
                request.authorization = Some(&authorization);
                attempt.authenticated = true;
                let mut facts = Facts::default();
                response = match self.client.send(&request, deadline, &mut facts) {
                    Ok(response) => response,
                    Err(failure) => {
                        attempt.facts = facts;
                        attempt.failure = Some(failure);
                        return Answer::Failed;
                    }
                };
                attempt.facts = facts;
            }
        }
        attempt.body_bytes = Some(response.body.len());
        let status = response.status;
        if status != 200 {
            let reason = match status {
                401 => {
                    let offered = if attempt.auth_schemes.is_empty() {
                        "no scheme named".to_string()
                    } else {
                        attempt.auth_schemes.join(", ")
                    };
                    if attempt.authenticated {
                        "401 Unauthorized: the credentials were refused".to_string()
                    } else if self.options.credentials.is_some() {
                        format!("401 Unauthorized: offers {offered}; adinspect answers Basic only")
                    } else {
                        format!(
                            "401 Unauthorized: needs credentials (offers {offered}); give --user"
                        )
                    }
                }
                301 | 302 | 303 | 307 | 308 => {
                    attempt.location = response.header("location").map(printable);
                    format!(
                        "{status} redirect to {}: not followed (clients follow HTTP redirects only \
                         from the http:// GET)",
                        attempt.location.as_deref().unwrap_or("nowhere")
                    )
                }
                _ => format!("HTTP {status} {}", reason_phrase(status)),
            };
            attempt.failure = Some(Failure {
                stage: Stage::Http,
                message: reason,
            });
            return Answer::Failed;
        }
        let kind = classify(&response.body, response.header("content-type"));
        attempt.body = Some(kind.clone());
        if !kind.is_autodiscover() {
            if matches!(kind, Body::Malformed | Body::Request | Body::Unusable(_))
                && self.rejected.is_none()
            {
                self.rejected = Some((url.to_string(), response.body.clone()));
            }
            attempt.failure = Some(Failure {
                stage: Stage::Http,
                message: format!("200, but {}", describe_non_autodiscover(&kind)),
            });
            return Answer::Failed;
        }
        match kind {
            Body::Settings => Answer::Final(Outcome::Settings, url.to_string(), response.body),
            Body::Error { .. } => {
                Answer::Final(Outcome::ErrorResponse, url.to_string(), response.body)
            }
            Body::RedirectAddr(next) if next.eq_ignore_ascii_case(email) => {
                // handling-autodiscover-error-messages: a redirect to the address sent makes
                // the endpoint invalid; the client moves on.
                attempt.failure = Some(Failure {
                    stage: Stage::Http,
                    message: "redirectAddr names the address that was sent: the endpoint is \
                              treated as invalid"
                        .into(),
                });
                Answer::Failed
            }
            Body::RedirectAddr(next) => Answer::RedirectAddr(next),
            Body::RedirectUrl(next) => Answer::RedirectUrl(next),
            _ => Answer::Failed,
        }
    }

    /// Step 3: the http GET, and the POST to where it redirects.
    fn http_redirect(
        &mut self,
        email: &str,
        domain: &str,
        urls_seen: &mut HashSet<String>,
    ) -> Answer {
        let started = Instant::now();
        let target = format!("http://autodiscover.{domain}{PATH}");
        let mut attempt = self.new_attempt(email, Source::HttpRedirectQuery, "GET", &target);
        let mut next = None;
        match Url::parse(&target) {
            Err(why) => {
                attempt.failure = Some(Failure {
                    stage: Stage::Http,
                    message: why,
                })
            }
            Ok(url) => {
                let request = Request {
                    method: "GET",
                    url: &url,
                    body: &[],
                    authorization: None,
                };
                match self
                    .client
                    .send(&request, self.attempt_deadline(), &mut attempt.facts)
                {
                    Err(failure) => attempt.failure = Some(failure),
                    Ok(response) => {
                        attempt.body_bytes = Some(response.body.len());
                        let location = response.header("location").map(str::to_string);
                        attempt.location = location.as_deref().map(printable);
                        let message = match (response.status, location) {
                            (301 | 302, Some(location)) => match Url::parse(&location) {
                                Ok(to) if to.https => {
                                    next = Some(to);
                                    None
                                }
                                Ok(_) => Some(format!(
                                    "{} redirect to {}: not https, not followed",
                                    response.status,
                                    printable(&location)
                                )),
                                Err(why) => Some(format!(
                                    "{} redirect to {:?}: {why}",
                                    response.status,
                                    printable(&location)
                                )),
                            },
                            (301 | 302, None) => {
                                Some(format!("{} without a Location", response.status))
                            }
                            (status, _) => Some(format!(
                                "HTTP {status} {}: no redirect to https",
                                reason_phrase(status)
                            )),
                        };
                        attempt.failure = message.map(|message| Failure {
                            stage: Stage::Http,
                            message,
                        });
                    }
                }
            }
        }
        attempt.elapsed = started.elapsed();
        self.record(Event::Attempt(Box::new(attempt)));
        let Some(next) = next else {
            return Answer::Failed;
        };
        if self.redirect("http", target, &next.to_string()).is_some() {
            return Answer::Failed;
        }
        urls_seen.insert(next.to_string());
        if self.out_of_time() {
            return Answer::Failed;
        }
        self.post(email, Source::HttpRedirectTarget, &next.to_string(), &[])
    }

    /// Step 4: the SRV lookup, then a POST to each target in RFC 2782 order.
    fn srv(&mut self, email: &str, domain: &str) -> Answer {
        let started = Instant::now();
        let name = format!("_autodiscover._tcp.{domain}");
        let mut attempt = self.new_attempt(email, Source::SrvLookup, "SRV", &name);
        let records = match self.client.resolver.srv(&name, self.attempt_deadline()) {
            Ok(records) => records,
            Err(err) => {
                attempt.failure = Some(Failure {
                    stage: Stage::Dns,
                    message: err.to_string(),
                });
                Vec::new()
            }
        };
        attempt.srv = records.clone();
        attempt.elapsed = started.elapsed();
        self.record(Event::Attempt(Box::new(attempt)));
        for record in records {
            if self.out_of_time() {
                break;
            }
            let target = record.target.trim_end_matches('.');
            let host = if target.contains(':') {
                format!("[{target}]")
            } else {
                target.to_string()
            };
            let url = if record.port == 443 {
                format!("https://{host}{PATH}")
            } else {
                format!("https://{host}:{}{PATH}", record.port)
            };
            let answer = self.post(email, Source::Srv, &url, std::slice::from_ref(&record));
            if !matches!(answer, Answer::Failed) {
                return answer;
            }
        }
        Answer::Failed
    }
}

/// The URL a redirectUrl names, when a client would POST to it (absolute, https).
fn redirect_url_target(next: &str) -> Result<Url, String> {
    match Url::parse(next) {
        Ok(url) if url.https => Ok(url),
        Ok(_) => Err(format!(
            "redirectUrl {} is not https: clients never send the request over http",
            printable(next)
        )),
        Err(why) => Err(format!("redirectUrl {:?}: {why}", printable(next))),
    }
}

/// The schemes a 401 offers (the first word of each WWW-Authenticate challenge).
fn auth_schemes(response: &http::Response) -> Vec<String> {
    let mut schemes: Vec<String> = Vec::new();
    for value in response.header_values("www-authenticate") {
        // Several challenges may share one header, separated by commas; a scheme is a token
        // not followed by `=` (parameters are `name=value`).
        for part in value.split(',') {
            let word = part.split_whitespace().next().unwrap_or_default();
            if !word.is_empty()
                && !word.contains('=')
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !schemes.iter().any(|s| s.eq_ignore_ascii_case(word))
            {
                schemes.push(word.to_string());
            }
        }
    }
    schemes
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        200 => "OK",
        _ => "",
    }
}

fn describe_non_autodiscover(kind: &Body) -> String {
    match kind {
        Body::Empty => "the body is empty".into(),
        Body::Html => "the body is an HTML page (a login page, a portal or a parked domain), not an Autodiscover response".into(),
        Body::Json => "the body is JSON (Autodiscover v2?), not a POX response".into(),
        Body::OtherXml(root) => format!("the body is XML with root <{}>, not <Autodiscover>", printable(root)),
        Body::NotXml => "the body is neither XML nor HTML".into(),
        Body::Malformed => "the body starts like Autodiscover but is not well-formed XML: clients \
                            cannot read it"
            .into(),
        Body::Request => "the body is an Autodiscover request, not a response".into(),
        Body::Unusable(why) => format!("the body is {why}"),
        _ => "an Autodiscover response".into(),
    }
}

/// What a response body is, judged as a client would: the first element names decide.
pub fn classify(body: &[u8], content_type: Option<&str>) -> Body {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Body::Empty;
    }
    let html_type = content_type.is_some_and(|t| t.to_ascii_lowercase().contains("html"));
    let lower_head: String = trimmed
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower_head.starts_with('{') || lower_head.starts_with('[') {
        return Body::Json;
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 1_000_000,
        ..roxmltree::ParsingOptions::default()
    };
    let document = match roxmltree::Document::parse_with_options(trimmed, options) {
        Ok(document) => document,
        Err(_) => {
            return if html_type
                || lower_head.contains("<html")
                || lower_head.contains("<!doctype html")
            {
                Body::Html
            } else if lower_head.starts_with('<') && !lower_head.starts_with("<!doctype") {
                // Broken XML that still looks like Autodiscover: skipped, but kept to be shown.
                if lower_head.contains("<autodiscover") {
                    Body::Malformed
                } else {
                    Body::NotXml
                }
            } else {
                Body::NotXml
            };
        }
    };
    let root = document.root_element();
    let name = root.tag_name().name();
    if name.eq_ignore_ascii_case("html") {
        return Body::Html;
    }
    if !name.eq_ignore_ascii_case("autodiscover") {
        return Body::OtherXml(name.to_string());
    }
    // Names are matched exactly, as an XML parser in a client matches them: <RedirectURL> is
    // not <RedirectUrl> (the linter then names the misspelling).
    if name != "Autodiscover" {
        return Body::Unusable(format!(
            "<{}>, which clients do not read as <Autodiscover>",
            printable(name)
        ));
    }
    fn child<'a, 'i>(
        node: roxmltree::Node<'a, 'i>,
        wanted: &str,
    ) -> Option<roxmltree::Node<'a, 'i>> {
        node.children()
            .find(|c| c.is_element() && c.tag_name().name() == wanted)
    }
    let text_of = |node: Option<roxmltree::Node<'_, '_>>| {
        node.and_then(|n| n.text())
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let error = |node: roxmltree::Node<'_, '_>| Body::Error {
        code: printable(&text_of(child(node, "ErrorCode"))),
        message: printable(&text_of(child(node, "Message"))),
    };
    let Some(response) = child(root, "Response") else {
        return if child(root, "Request").is_some() {
            Body::Request
        } else {
            Body::Unusable("<Autodiscover> without a <Response>".into())
        };
    };
    if let Some(found) = child(response, "Error") {
        return error(found);
    }
    let redirect = |target: String, element: &str| -> Body {
        if target.is_empty() {
            Body::Unusable(format!(
                "a redirect without its target (no {element}, or it is empty)"
            ))
        } else if element == "RedirectUrl" || target.contains("://") {
            Body::RedirectUrl(target)
        } else {
            Body::RedirectAddr(target)
        }
    };
    // Mobile sync: Response > Action > (Redirect | Settings | Error).
    if let Some(action) = child(response, "Action") {
        if let Some(found) = child(action, "Error") {
            return error(found);
        }
        if let Some(target) = child(action, "Redirect") {
            return redirect(text_of(Some(target)), "Redirect");
        }
        return Body::Settings;
    }
    let Some(account) = child(response, "Account") else {
        return Body::Settings;
    };
    if let Some(found) = child(account, "Error") {
        return error(found);
    }
    // handling-autodiscover-error-messages: any Action other than settings is a redirect.
    match text_of(child(account, "Action")).as_str() {
        "redirectAddr" => redirect(text_of(child(account, "RedirectAddr")), "RedirectAddr"),
        "redirectUrl" => redirect(text_of(child(account, "RedirectUrl")), "RedirectUrl"),
        _ => Body::Settings,
    }
}

/// Text from the network made safe to print (the same escaping as every terminal format).
pub fn printable(text: &str) -> String {
    crate::render::escape::terminal(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS_RESPONSE: &str =
        "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    const NS_OUTLOOK: &str =
        "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    fn account(inner: &str) -> String {
        format!(
            "<Autodiscover xmlns=\"{NS_RESPONSE}\"><Response xmlns=\"{NS_OUTLOOK}\"><Account>{inner}</Account></Response></Autodiscover>"
        )
    }

    #[test]
    fn bodies_are_classified_as_a_client_reads_them() {
        let c = |body: &str| classify(body.as_bytes(), Some("text/xml"));
        assert_eq!(
            c(&account("<Action>settings</Action><Protocol/>")),
            Body::Settings
        );
        assert_eq!(
            c(&account(
                "<Action>redirectAddr</Action><RedirectAddr> b@example.org </RedirectAddr>"
            )),
            Body::RedirectAddr("b@example.org".into())
        );
        assert_eq!(
            c(&account(
                "<Action>redirectUrl</Action><RedirectUrl>https://x/a.xml</RedirectUrl>"
            )),
            Body::RedirectUrl("https://x/a.xml".into())
        );
        // Action decides; a stray RedirectAddr under settings is the linter's business.
        assert_eq!(
            c(&account(
                "<Action>settings</Action><RedirectAddr>b@example.org</RedirectAddr>"
            )),
            Body::Settings
        );
        let error = format!(
            "<Autodiscover xmlns=\"{NS_RESPONSE}\"><Response><Error Time=\"1\" Id=\"2\"><ErrorCode>500</ErrorCode><Message>The e-mail address cannot be found.</Message></Error></Response></Autodiscover>"
        );
        assert_eq!(
            c(&error),
            Body::Error {
                code: "500".into(),
                message: "The e-mail address cannot be found.".into()
            }
        );
        assert_eq!(c("  \n"), Body::Empty);
        assert_eq!(
            c("<!DOCTYPE html><html><body>Sign in</body></html>"),
            Body::Html
        );
        assert_eq!(
            classify(b"<p>login", Some("text/html; charset=utf-8")),
            Body::Html
        );
        assert_eq!(c("{\"Url\":\"https://x\"}"), Body::Json);
        assert_eq!(c("<rss/>"), Body::OtherXml("rss".into()));
        assert_eq!(c("Not Found"), Body::NotXml);
        // Broken but recognisably Autodiscover: skipped as clients do, kept to be inspected.
        assert_eq!(
            c("<Autodiscover><Response></Autodiscover>"),
            Body::Malformed
        );
        assert_eq!(
            c(
                "<Autodiscover><Request><EMailAddress>a@b.example</EMailAddress></Request></Autodiscover>"
            ),
            Body::Request
        );
        assert!(matches!(c("<Autodiscover/>"), Body::Unusable(_)));
        assert!(matches!(
            c("<AutoDiscover><Response/></AutoDiscover>"),
            Body::Unusable(_)
        ));
        // A misspelt target is no target for a client.
        assert!(matches!(
            c(&account(
                "<Action>redirectUrl</Action><RedirectURL>https://x/a.xml</RedirectURL>"
            )),
            Body::Unusable(_)
        ));
        let mobile = "<Autodiscover><Response><Action><Redirect>a@b.example</Redirect></Action></Response></Autodiscover>";
        assert_eq!(c(mobile), Body::RedirectAddr("a@b.example".into()));
    }

    #[test]
    fn offered_schemes_are_read_from_every_challenge() {
        let response = http::Response {
            status: 401,
            headers: vec![
                ("WWW-Authenticate".into(), "Negotiate".into()),
                ("www-authenticate".into(), "NTLM".into()),
                (
                    "WWW-Authenticate".into(),
                    "Basic realm=\"autodiscover.example.com\", charset=\"UTF-8\"".into(),
                ),
            ],
            body: Vec::new(),
        };
        assert_eq!(auth_schemes(&response), ["Negotiate", "NTLM", "Basic"]);
    }

    #[test]
    fn network_text_is_escaped_before_printing() {
        assert_eq!(printable("ok"), "ok");
        assert_eq!(printable("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
    }
}
