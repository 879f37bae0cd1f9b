//! Loopback servers for `discover`: a certificate authority made at run time, HTTPS and plain
//! HTTP servers that answer from a closure, and a DNS responder with fixed records. Everything
//! listens on 127.0.0.1 only, every thread stops when its server is dropped, and every socket
//! read is bounded in time.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The longest any server thread waits on a client.
const CLIENT_WAIT: Duration = Duration::from_secs(10);

/// A certificate authority for one test.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

/// A server certificate and its key.
pub struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

impl Ca {
    pub fn new() -> Ca {
        Ca::named("adinspect test CA")
    }

    pub fn named(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let certificate = params.self_signed(&key).unwrap();
        let pem = certificate.pem();
        Ca {
            issuer: Issuer::new(params, key),
            pem,
        }
    }

    /// The CA certificate as a PEM file in `dir` (for --ca-file).
    pub fn write_pem(&self, dir: &Path) -> PathBuf {
        let path = dir.join("ca.pem");
        std::fs::write(&path, &self.pem).unwrap();
        path
    }

    /// A certificate for `names`, valid now, or expired a year ago when `expired`.
    pub fn identity(&self, names: &[&str], expired: bool) -> Identity {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let certificate = params.signed_by(&key, &self.issuer).unwrap();
        Identity {
            chain: vec![certificate.der().clone()],
            key: key.serialize_der(),
        }
    }
}

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a server does with a request.
pub enum Reply {
    /// Status, headers, body.
    Answer(u16, Vec<(&'static str, String)>, String),
    /// Read the request, then say nothing until the client gives up.
    Silence,
}

impl Reply {
    pub fn xml(body: impl Into<String>) -> Reply {
        Reply::Answer(
            200,
            vec![("Content-Type", "text/xml; charset=utf-8".into())],
            body.into(),
        )
    }

    pub fn status(status: u16) -> Reply {
        Reply::Answer(status, Vec::new(), String::new())
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// An HTTP(S) server on 127.0.0.1; stops when dropped.
pub struct Server {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// HTTPS with `identity`, or plain HTTP without.
    pub fn start(
        identity: Option<&Identity>,
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let tls = identity.map(|identity| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key.clone()));
            Arc::new(
                rustls::ServerConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .unwrap()
                    .with_no_client_auth()
                    .with_single_cert(identity.chain.clone(), key)
                    .unwrap(),
            )
        });
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let stop = Arc::clone(&stop);
            let requests = Arc::clone(&requests);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_read_timeout(Some(CLIENT_WAIT));
                    let _ = stream.set_write_timeout(Some(CLIENT_WAIT));
                    let tls = tls.clone();
                    let handler = Arc::clone(&handler);
                    let requests = Arc::clone(&requests);
                    let stop = Arc::clone(&stop);
                    // One thread per connection: a silent reply must not block the next client.
                    std::thread::spawn(move || serve(stream, tls, &*handler, &requests, &stop));
                }
            })
        };
        Server {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    handler: &Handler,
    requests: &Mutex<Vec<Recorded>>,
    stop: &AtomicBool,
) {
    match tls {
        Some(config) => {
            let Ok(connection) = rustls::ServerConnection::new(config) else {
                return;
            };
            let mut tls = rustls::StreamOwned::new(connection, stream);
            exchange(&mut tls, handler, requests, stop);
        }
        None => {
            let mut stream = stream;
            exchange(&mut stream, handler, requests, stop);
        }
    }
}

fn exchange(
    stream: &mut impl ReadWrite,
    handler: &Handler,
    requests: &Mutex<Vec<Recorded>>,
    stop: &AtomicBool,
) {
    let Some(request) = read_request(stream) else {
        return;
    };
    requests.lock().unwrap().push(request.clone());
    match handler(&request) {
        Reply::Answer(status, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} Test\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.flush();
        }
        Reply::Silence => {
            // Held open (bounded) until the client hangs up or the server stops.
            for _ in 0..100 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

fn read_request(stream: &mut impl Read) -> Option<Recorded> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 || data.len() > 64 * 1024 {
            return None;
        }
        data.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(Recorded {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A port nothing listens on (bound, then released): connections to it are refused.
pub fn closed_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A DNS record the responder serves.
#[derive(Clone)]
pub enum Record {
    A(Ipv4Addr),
    /// priority, weight, port, target
    Srv(u16, u16, u16, String),
}

/// A UDP DNS responder on 127.0.0.1: answers from its table, NXDOMAIN for other names.
pub struct Dns {
    pub address: SocketAddr,
    pub queries: Arc<Mutex<Vec<(String, u16)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Dns {
    pub fn start(records: &[(&str, Record)]) -> Dns {
        let mut table: HashMap<String, Vec<Record>> = HashMap::new();
        for (name, record) in records {
            table
                .entry(name.to_ascii_lowercase())
                .or_default()
                .push(record.clone());
        }
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let address = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let queries = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let stop = Arc::clone(&stop);
            let queries = Arc::clone(&queries);
            std::thread::spawn(move || {
                let mut buffer = [0u8; 512];
                while !stop.load(Ordering::SeqCst) {
                    let Ok((size, from)) = socket.recv_from(&mut buffer) else {
                        continue;
                    };
                    if let Some((name, kind, reply)) = answer(&buffer[..size], &table) {
                        queries.lock().unwrap().push((name, kind));
                        let _ = socket.send_to(&reply, from);
                    }
                }
            })
        };
        Dns {
            address,
            queries,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The reply to one query (RFC 1035 §4.1), written out field by field.
fn answer(query: &[u8], table: &HashMap<String, Vec<Record>>) -> Option<(String, u16, Vec<u8>)> {
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let length = usize::from(*query.get(at)?);
        at += 1;
        if length == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + length)?).to_ascii_lowercase());
        at += length;
    }
    let kind = u16::from_be_bytes([*query.get(at)?, *query.get(at + 1)?]);
    let question = query.get(12..at + 4)?;
    let name = labels.join(".");
    let found = table.get(&name);
    let records: Vec<&Record> = found
        .map(|records| {
            records
                .iter()
                .filter(|r| matches!((r, kind), (Record::A(_), 1) | (Record::Srv(..), 33)))
                .collect()
        })
        .unwrap_or_default();
    let mut reply = query[..2].to_vec();
    let rcode = if found.is_none() { 3 } else { 0 };
    reply.extend_from_slice(&[0x81, 0x80 | rcode, 0, 1]);
    reply.extend_from_slice(&(records.len() as u16).to_be_bytes());
    reply.extend_from_slice(&[0, 0, 0, 0]);
    reply.extend_from_slice(question);
    for record in records {
        reply.extend_from_slice(&[0xc0, 12]);
        let data = match record {
            Record::A(ip) => {
                reply.extend_from_slice(&[0, 1]);
                ip.octets().to_vec()
            }
            Record::Srv(priority, weight, port, target) => {
                reply.extend_from_slice(&[0, 33]);
                let mut data = Vec::new();
                for n in [priority, weight, port] {
                    data.extend_from_slice(&n.to_be_bytes());
                }
                for label in target.split('.').filter(|l| !l.is_empty()) {
                    data.push(label.len() as u8);
                    data.extend_from_slice(label.as_bytes());
                }
                data.push(0);
                data
            }
        };
        reply.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        reply.extend_from_slice(&(data.len() as u16).to_be_bytes());
        reply.extend_from_slice(&data);
    }
    Some((name, kind, reply))
}
