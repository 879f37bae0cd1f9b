//! One HTTP exchange, step by step so each step can be reported: the host's addresses, the TCP
//! connection, the TLS handshake (rustls, certificates checked against the trust store, the
//! host name and the clock) and an HTTP/1.1 request with `Connection: close` (httparse reads
//! the response head). Every step is bounded by the attempt's deadline.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{CertificateError, ClientConfig, ClientConnection, StreamOwned};

use super::dns::Resolver;

/// The largest response body read (an Autodiscover response is a few KiB).
pub const MAX_BODY: usize = 16 * 1024 * 1024;
const MAX_HEAD: usize = 64 * 1024;

/// `http` or `https`, host, port and path of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub https: bool,
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl Url {
    /// Parses an absolute http(s) URL; user info and fragments are refused or dropped.
    pub fn parse(text: &str) -> Result<Url, String> {
        let text = text.trim();
        let (https, rest) = if let Some(rest) = strip_prefix_ignore_case(text, "https://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(text, "http://") {
            (false, rest)
        } else {
            return Err("not an http:// or https:// URL".into());
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let (authority, path) = match rest.find(['/', '?']) {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err("the URL carries user information".into());
        }
        let default_port = if https { 443 } else { 80 };
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| format!("{authority:?} is not a host[:port]"))?;
        let port = match port {
            Some(port) => port
                .parse()
                .map_err(|_| format!("{port:?} is not a port"))?,
            None => default_port,
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err("the URL has no valid host".into());
        }
        if path.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err("the URL's path holds spaces or control characters".into());
        }
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_string()
        };
        Ok(Url {
            https,
            host: host.to_ascii_lowercase(),
            port,
            path,
        })
    }

    /// The `Host` header: the port only when it is not the scheme's default.
    fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == if self.https { 443 } else { 80 } {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        write!(f, "{scheme}://{}{}", self.host_header(), self.path)
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`; the host without brackets.
fn split_host_port(text: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Some((host, Some(port))),
        Some(_) => None,
        None => Some((text, None)),
    }
}

/// curl's `--connect-to HOST1:PORT1:HOST2:PORT2`: requests for HOST1:PORT1 connect to
/// HOST2:PORT2 instead, while TLS and the Host header still name HOST1. An empty field
/// matches any host or port (left side) or keeps the original (right side).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    pub from_host: Option<String>,
    pub from_port: Option<u16>,
    pub to_host: Option<String>,
    pub to_port: Option<u16>,
}

impl std::str::FromStr for ConnectTo {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        // Split on the colons outside [brackets]: exactly four fields.
        let mut fields = vec![String::new()];
        let mut in_brackets = false;
        for c in text.chars() {
            match c {
                '[' if !in_brackets => in_brackets = true,
                ']' if in_brackets => in_brackets = false,
                ':' if !in_brackets => fields.push(String::new()),
                _ => fields.last_mut().expect("never empty").push(c),
            }
        }
        if in_brackets || fields.len() != 4 {
            return Err(
                "expected HOST1:PORT1:HOST2:PORT2 (fields may be empty; IPv6 in [ ])".into(),
            );
        }
        let host = |s: &str| (!s.is_empty()).then(|| s.to_ascii_lowercase());
        let port = |s: &str| -> Result<Option<u16>, String> {
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse()
                    .map(Some)
                    .map_err(|_| format!("{s:?} is not a port"))
            }
        };
        Ok(ConnectTo {
            from_host: host(&fields[0]),
            from_port: port(&fields[1])?,
            to_host: host(&fields[2]),
            to_port: port(&fields[3])?,
        })
    }
}

/// What one request did, step by step; a step not reached is `None`.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The host looked up and what it resolved to.
    pub dns: Option<(String, Vec<IpAddr>)>,
    /// The address connected to (or last tried).
    pub address: Option<SocketAddr>,
    /// The negotiated TLS version, once the certificate was accepted.
    pub tls_version: Option<&'static str>,
    pub status: Option<u16>,
    pub content_type: Option<String>,
}

/// The step that failed, and why in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub stage: Stage,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Dns,
    Connect,
    Tls,
    Http,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Dns => "dns",
            Stage::Connect => "connect",
            Stage::Tls => "tls",
            Stage::Http => "http",
        }
    }
}

fn fail(stage: Stage, message: impl Into<String>) -> Failure {
    Failure {
        stage,
        message: message.into(),
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// Every value of header `name`, in order.
    pub fn header_values<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.headers
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).next()
    }
}

/// Connects and sends requests.
pub struct Client {
    pub resolver: Resolver,
    pub connect_to: Vec<ConnectTo>,
    pub tls: Arc<ClientConfig>,
    pub user_agent: String,
}

/// A request to send.
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    pub body: &'a [u8],
    pub authorization: Option<&'a str>,
}

impl Client {
    /// Sends `request` and reads the whole response, filling `facts` as steps succeed.
    pub fn send(
        &self,
        request: &Request<'_>,
        deadline: Instant,
        facts: &mut Facts,
    ) -> Result<Response, Failure> {
        let url = request.url;
        let (host, port) = self.route(url);
        let ips = self
            .resolver
            .addresses(&host, deadline)
            .map_err(|err| fail(Stage::Dns, format!("{host}: {err}")))?;
        facts.dns = Some((host.clone(), ips.clone()));
        let tcp = connect(&ips, port, deadline, facts)?;
        let mut stream = if url.https {
            let server_name = ServerName::try_from(url.host.clone()).map_err(|_| {
                fail(
                    Stage::Tls,
                    format!("{:?} is not a valid TLS server name", url.host),
                )
            })?;
            let connection = ClientConnection::new(Arc::clone(&self.tls), server_name)
                .map_err(|err| fail(Stage::Tls, err.to_string()))?;
            let mut tls = StreamOwned::new(connection, tcp);
            handshake(&mut tls, url, deadline)?;
            facts.tls_version = tls.conn.protocol_version().map(|v| match v {
                rustls::ProtocolVersion::TLSv1_3 => "TLS 1.3",
                rustls::ProtocolVersion::TLSv1_2 => "TLS 1.2",
                _ => "TLS",
            });
            Stream::Tls(Box::new(tls))
        } else {
            Stream::Plain(tcp)
        };
        let head = self.request_head(request);
        let timed_out = |err: io::Error| io_failure(Stage::Http, err, "sending the request");
        stream.limit(deadline).map_err(timed_out)?;
        stream.write_all(head.as_bytes()).map_err(timed_out)?;
        stream.write_all(request.body).map_err(timed_out)?;
        stream.flush().map_err(timed_out)?;
        let response = read_response(&mut stream, deadline)?;
        facts.status = Some(response.status);
        facts.content_type = response.header("content-type").map(str::to_string);
        Ok(response)
    }

    /// The host and port actually connected to (after `--connect-to`).
    fn route(&self, url: &Url) -> (String, u16) {
        for rule in &self.connect_to {
            let host_matches = rule.from_host.as_ref().is_none_or(|h| *h == url.host);
            let port_matches = rule.from_port.is_none_or(|p| p == url.port);
            if host_matches && port_matches {
                return (
                    rule.to_host.clone().unwrap_or_else(|| url.host.clone()),
                    rule.to_port.unwrap_or(url.port),
                );
            }
        }
        (url.host.clone(), url.port)
    }

    fn request_head(&self, request: &Request<'_>) -> String {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nAccept: text/xml, application/xml\r\nConnection: close\r\n",
            request.method,
            request.url.path,
            request.url.host_header(),
            self.user_agent,
        );
        if request.method == "POST" {
            head.push_str("Content-Type: text/xml; charset=utf-8\r\n");
            head.push_str(&format!("Content-Length: {}\r\n", request.body.len()));
        }
        if let Some(authorization) = request.authorization {
            head.push_str(&format!("Authorization: {authorization}\r\n"));
        }
        head.push_str("\r\n");
        head
    }
}

fn connect(
    ips: &[IpAddr],
    port: u16,
    deadline: Instant,
    facts: &mut Facts,
) -> Result<TcpStream, Failure> {
    let mut last = None;
    for ip in ips {
        let address = SocketAddr::new(*ip, port);
        facts.address = Some(address);
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&address, left) {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(err) => last = Some((address, err)),
        }
    }
    Err(match last {
        Some((address, err)) => fail(
            Stage::Connect,
            match err.kind() {
                io::ErrorKind::ConnectionRefused => format!("connection to {address} refused"),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                    format!("no connection to {address} in time")
                }
                _ => format!("cannot connect to {address}: {err}"),
            },
        ),
        None => fail(Stage::Connect, "timed out before connecting"),
    })
}

fn io_failure(stage: Stage, err: io::Error, doing: &str) -> Failure {
    let message = match err.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => format!("timed out {doing}"),
        io::ErrorKind::ConnectionRefused => format!("{doing}: connection refused"),
        io::ErrorKind::ConnectionReset => format!("{doing}: the server reset the connection"),
        io::ErrorKind::UnexpectedEof => format!("{doing}: the server closed the connection"),
        _ => format!("{doing}: {err}"),
    };
    fail(stage, message)
}

fn handshake(
    tls: &mut StreamOwned<ClientConnection, TcpStream>,
    url: &Url,
    deadline: Instant,
) -> Result<(), Failure> {
    while tls.conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(fail(Stage::Tls, "timed out in the TLS handshake"));
        }
        set_timeouts(&tls.sock, left)
            .map_err(|err| io_failure(Stage::Tls, err, "in the TLS handshake"))?;
        if let Err(err) = tls.conn.complete_io(&mut tls.sock) {
            let certificate = err
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .cloned();
            return Err(match certificate {
                Some(rustls::Error::InvalidCertificate(problem)) => {
                    fail(Stage::Tls, certificate_problem(&problem, &url.host))
                }
                Some(other) => fail(Stage::Tls, format!("TLS handshake failed: {other}")),
                None => io_failure(Stage::Tls, err, "in the TLS handshake"),
            });
        }
    }
    Ok(())
}

/// A certificate problem in the words an administrator acts on.
fn certificate_problem(problem: &CertificateError, host: &str) -> String {
    match problem {
        CertificateError::NotValidForNameContext { presented, .. } => {
            let names = if presented.is_empty() {
                "no names".to_string()
            } else {
                presented
                    .iter()
                    .map(|name| super::printable(presented_name(name)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!("the certificate is not valid for {host} (it names {names})")
        }
        CertificateError::NotValidForName => {
            format!("the certificate is not valid for {host}")
        }
        CertificateError::ExpiredContext { time, not_after } => format!(
            "the certificate expired on {} ({} days ago)",
            date(not_after.as_secs()),
            time.as_secs().saturating_sub(not_after.as_secs()) / 86_400
        ),
        CertificateError::Expired => "the certificate has expired".into(),
        CertificateError::NotValidYetContext { not_before, .. } => format!(
            "the certificate is not valid before {}",
            date(not_before.as_secs())
        ),
        CertificateError::NotValidYet => "the certificate is not valid yet".into(),
        CertificateError::UnknownIssuer => "the certificate is not signed by a trusted authority \
             (self-signed, a private CA, or the server does not send its intermediate certificates)"
            .into(),
        CertificateError::Revoked => "the certificate has been revoked".into(),
        CertificateError::BadSignature => "the certificate's signature is invalid".into(),
        other => format!("the certificate was refused: {other:?}"),
    }
}

/// `www.example.com` out of rustls's `DnsName("www.example.com")` (its only rendering).
fn presented_name(name: &str) -> &str {
    match (name.find('"'), name.rfind('"')) {
        (Some(start), Some(end)) if end > start => &name[start + 1..end],
        _ => name,
    }
}

/// YYYY-MM-DD of a Unix time (the civil calendar, proleptic Gregorian).
pub fn date(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn set_timeouts(tcp: &TcpStream, left: Duration) -> io::Result<()> {
    let left = left.max(Duration::from_millis(1));
    tcp.set_read_timeout(Some(left))?;
    tcp.set_write_timeout(Some(left))
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    /// Bounds the next reads and writes by the deadline.
    fn limit(&self, deadline: Instant) -> io::Result<()> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        match self {
            Stream::Plain(tcp) => set_timeouts(tcp, left),
            Stream::Tls(tls) => set_timeouts(&tls.sock, left),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.read(buf),
            // A server that closes without close_notify has still sent everything it meant to
            // with `Connection: close`: that end is the end of the body.
            Stream::Tls(tls) => match tls.read(buf) {
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.write(buf),
            Stream::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}

/// Reads bytes into `buffer` until `done` says enough, the peer closes or the deadline passes.
fn fill(stream: &mut Stream, buffer: &mut Vec<u8>, deadline: Instant) -> Result<usize, Failure> {
    stream
        .limit(deadline)
        .map_err(|err| io_failure(Stage::Http, err, "waiting for the response"))?;
    let mut chunk = [0u8; 16 * 1024];
    let read = stream
        .read(&mut chunk)
        .map_err(|err| io_failure(Stage::Http, err, "waiting for the response"))?;
    buffer.extend_from_slice(&chunk[..read]);
    Ok(read)
}

fn read_response(stream: &mut Stream, deadline: Instant) -> Result<Response, Failure> {
    let mut buffer = Vec::new();
    loop {
        // The head, skipping any 1xx interim response.
        let (status, headers, head_length) = loop {
            let mut slots = [httparse::EMPTY_HEADER; 100];
            let mut parsed = httparse::Response::new(&mut slots);
            match parsed.parse(&buffer) {
                Ok(httparse::Status::Complete(length)) => {
                    let headers = parsed
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_string(),
                                String::from_utf8_lossy(h.value).trim().to_string(),
                            )
                        })
                        .collect::<Vec<_>>();
                    break (parsed.code.unwrap_or(0), headers, length);
                }
                Ok(httparse::Status::Partial) => {
                    if buffer.len() > MAX_HEAD {
                        return Err(fail(Stage::Http, "the response head is over 64 KiB"));
                    }
                    if fill(stream, &mut buffer, deadline)? == 0 {
                        return Err(fail(
                            Stage::Http,
                            if buffer.is_empty() {
                                "the server closed the connection without answering".to_string()
                            } else {
                                "the server closed the connection in the middle of the response head".to_string()
                            },
                        ));
                    }
                }
                Err(err) => {
                    return Err(fail(Stage::Http, format!("not an HTTP response ({err})")));
                }
            }
        };
        buffer.drain(..head_length);
        if (100..200).contains(&status) {
            continue;
        }
        let find = |name: &str| {
            headers
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_str())
        };
        let chunked =
            find("transfer-encoding").is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
        let body = if status == 204 || status == 304 {
            Vec::new()
        } else if chunked {
            read_chunked(stream, buffer, deadline)?
        } else if let Some(length) = find("content-length") {
            let length: usize = length.parse().map_err(|_| {
                fail(
                    Stage::Http,
                    format!("Content-Length {length:?} is not a number"),
                )
            })?;
            if length > MAX_BODY {
                return Err(fail(
                    Stage::Http,
                    format!("the body is {length} bytes, over the 16 MiB limit"),
                ));
            }
            while buffer.len() < length {
                if fill(stream, &mut buffer, deadline)? == 0 {
                    return Err(fail(
                        Stage::Http,
                        format!("the body ended after {} of {length} bytes", buffer.len()),
                    ));
                }
            }
            buffer.truncate(length);
            buffer
        } else {
            while fill(stream, &mut buffer, deadline)? > 0 {
                if buffer.len() > MAX_BODY {
                    return Err(fail(Stage::Http, "the body is over the 16 MiB limit"));
                }
            }
            buffer
        };
        return Ok(Response {
            status,
            headers,
            body,
        });
    }
}

fn read_chunked(
    stream: &mut Stream,
    mut pending: Vec<u8>,
    deadline: Instant,
) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(at) = pending.windows(2).position(|w| w == b"\r\n") {
                break at;
            }
            if pending.len() > 1024 || fill(stream, &mut pending, deadline)? == 0 {
                return Err(fail(
                    Stage::Http,
                    "the chunked body is cut short or malformed",
                ));
            }
        };
        let size_text = String::from_utf8_lossy(&pending[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| fail(Stage::Http, format!("bad chunk size {size_text:?}")))?;
        pending.drain(..line_end + 2);
        if size == 0 {
            // Trailers are not read: the connection closes after them anyway.
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(fail(Stage::Http, "the body is over the 16 MiB limit"));
        }
        while pending.len() < size + 2 {
            if fill(stream, &mut pending, deadline)? == 0 {
                return Err(fail(Stage::Http, "the chunked body is cut short"));
            }
        }
        body.extend_from_slice(&pending[..size]);
        pending.drain(..size + 2);
    }
}

/// Standard base64 (RFC 4648) for the Basic credentials.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_with_default_ports_and_brackets() {
        let url = Url::parse("HTTPS://Mail.Example.com/autodiscover/autodiscover.xml").unwrap();
        assert_eq!(
            (url.https, url.host.as_str(), url.port, url.path.as_str()),
            (
                true,
                "mail.example.com",
                443,
                "/autodiscover/autodiscover.xml"
            )
        );
        assert_eq!(
            url.to_string(),
            "https://mail.example.com/autodiscover/autodiscover.xml"
        );
        let url = Url::parse("http://[::1]:8080?x=1#frag").unwrap();
        assert_eq!(
            (url.host.as_str(), url.port, url.path.as_str()),
            ("::1", 8080, "/?x=1")
        );
        assert_eq!(url.to_string(), "http://[::1]:8080/?x=1");
        assert!(Url::parse("ftp://example.com/").is_err());
        assert!(Url::parse("https://user:pw@example.com/").is_err());
        assert!(Url::parse("https://example.com:99999/").is_err());
        assert!(Url::parse("https:///path").is_err());
    }

    #[test]
    fn connect_to_follows_curl() {
        let rule: ConnectTo = "example.com:443:127.0.0.1:8443".parse().unwrap();
        assert_eq!(rule.from_host.as_deref(), Some("example.com"));
        assert_eq!((rule.from_port, rule.to_port), (Some(443), Some(8443)));
        let rule: ConnectTo = "::[::1]:".parse().unwrap();
        assert_eq!(
            (rule.from_host, rule.to_host.as_deref()),
            (None, Some("::1"))
        );
        assert!("a:b:c:d".parse::<ConnectTo>().is_err());
        assert!("a:1:b".parse::<ConnectTo>().is_err());
        assert!("[::1:1:b:2".parse::<ConnectTo>().is_err());
        assert!("a:1:b:2:extra".parse::<ConnectTo>().is_err());
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn dates_follow_the_civil_calendar() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_796_083_200), "2026-12-01");
    }
}
