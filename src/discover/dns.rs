//! Name lookups for `discover`: host addresses through the system resolver (which honours
//! /etc/hosts, as a mail client does) or through one DNS server; SRV records (RFC 2782) through
//! a DNS server, speaking the RFC 1035 wire format over UDP with a TCP retry when the answer is
//! truncated.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

const TYPE_A: u16 = 1;
const TYPE_AAAA: u16 = 28;
const TYPE_SRV: u16 = 33;
const CLASS_IN: u16 = 1;

/// One SRV record: where a service runs (RFC 2782).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    pub target: String,
}

/// Why a lookup found nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsError {
    /// The name does not exist (NXDOMAIN).
    NoSuchName,
    /// The name exists but has no record of the type asked.
    NoRecords,
    /// The server answered with an error code (SERVFAIL, REFUSED…).
    ServerFailure(&'static str),
    /// No answer in time.
    Timeout,
    /// Anything else: unreachable server, malformed answer, no server configured.
    Other(String),
}

impl std::fmt::Display for DnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DnsError::NoSuchName => f.write_str("no such name (NXDOMAIN)"),
            DnsError::NoRecords => f.write_str("no records of that type"),
            DnsError::ServerFailure(code) => write!(f, "the DNS server answered {code}"),
            DnsError::Timeout => f.write_str("no answer from the DNS server in time"),
            DnsError::Other(message) => f.write_str(message),
        }
    }
}

/// Where names are looked up.
#[derive(Debug, Clone)]
pub enum Resolver {
    /// getaddrinfo for addresses; the first nameserver of /etc/resolv.conf for SRV.
    System,
    /// This server for everything (`--dns-server`).
    Server(SocketAddr),
}

impl Resolver {
    /// The addresses of `host`, IPv4 first as most clients try them. A literal address is
    /// returned as is.
    pub fn addresses(&self, host: &str, deadline: Instant) -> Result<Vec<IpAddr>, DnsError> {
        if let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            return Ok(vec![ip]);
        }
        match self {
            Resolver::System => {
                // getaddrinfo has no timeout of its own; it is bounded by the system's resolver
                // settings (resolv.conf `timeout`/`attempts`).
                let found = (host, 0u16).to_socket_addrs().map_err(|err| {
                    let text = err.to_string();
                    if text.contains("not known") || text.contains("No address associated") {
                        DnsError::NoSuchName
                    } else {
                        DnsError::Other(format!("the system resolver failed: {text}"))
                    }
                })?;
                let mut ips: Vec<IpAddr> = Vec::new();
                for address in found {
                    if !ips.contains(&address.ip()) {
                        ips.push(address.ip());
                    }
                }
                ips.sort_by_key(|ip| ip.is_ipv6());
                if ips.is_empty() {
                    return Err(DnsError::NoRecords);
                }
                Ok(ips)
            }
            Resolver::Server(server) => {
                let v4 = query(*server, host, TYPE_A, deadline);
                let v6 = query(*server, host, TYPE_AAAA, deadline);
                let mut ips = Vec::new();
                for answer in [&v4, &v6].into_iter().flatten() {
                    ips.extend(answer.iter().filter_map(Record::address));
                }
                if !ips.is_empty() {
                    return Ok(ips);
                }
                // Both failed or both empty: the IPv4 reason is the one a person expects.
                match v4 {
                    Err(err) => Err(err),
                    Ok(_) => match v6 {
                        Err(err) if err != DnsError::NoSuchName => Err(err),
                        _ => Err(DnsError::NoRecords),
                    },
                }
            }
        }
    }

    /// The SRV records of `name`, in the order RFC 2782 says to try them (lowest priority
    /// first; within a priority, a weighted random order).
    pub fn srv(&self, name: &str, deadline: Instant) -> Result<Vec<Srv>, DnsError> {
        let server = match self {
            Resolver::Server(server) => *server,
            Resolver::System => system_nameserver()?,
        };
        let records = query(server, name, TYPE_SRV, deadline)?;
        let mut found: Vec<Srv> = records
            .into_iter()
            .filter_map(|record| match record {
                Record::Srv(srv) => Some(srv),
                _ => None,
            })
            .collect();
        if found.is_empty() {
            return Err(DnsError::NoRecords);
        }
        // A lone "." target says the service is decidedly not offered (RFC 2782).
        if found.len() == 1 && found[0].target.is_empty() {
            return Err(DnsError::Other(
                "the SRV record's target is \".\": the service is not offered".into(),
            ));
        }
        found.retain(|srv| !srv.target.is_empty());
        Ok(rfc2782_order(found, &mut seed()))
    }
}

/// The first `nameserver` of /etc/resolv.conf (what the C library would ask).
fn system_nameserver() -> Result<SocketAddr, DnsError> {
    let text = std::fs::read_to_string("/etc/resolv.conf").map_err(|err| {
        DnsError::Other(format!(
            "cannot read /etc/resolv.conf ({err}): give --dns-server"
        ))
    })?;
    nameserver_in(&text).ok_or_else(|| {
        DnsError::Other("/etc/resolv.conf names no nameserver: give --dns-server".into())
    })
}

fn nameserver_in(resolv_conf: &str) -> Option<SocketAddr> {
    resolv_conf.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next())
            .flatten()
            // A scoped IPv6 address (fe80::1%eth0) cannot be parsed by std: skipped.
            .and_then(|address| address.parse::<IpAddr>().ok())
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

/// A small xorshift generator: the weighted order needs randomness, not secrecy.
struct Seed(u64);

fn seed() -> Seed {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    Seed(nanos ^ u64::from(std::process::id()).rotate_left(32) | 1)
}

impl Seed {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// RFC 2782's selection: by ascending priority; within one priority, repeatedly pick a record
/// with probability proportional to its weight (records of weight 0 first in the running sum,
/// so they are picked only rarely when others have weight).
fn rfc2782_order(mut records: Vec<Srv>, seed: &mut Seed) -> Vec<Srv> {
    records.sort_by_key(|srv| (srv.priority, srv.weight != 0));
    let mut ordered = Vec::with_capacity(records.len());
    while !records.is_empty() {
        let priority = records[0].priority;
        let end = records
            .iter()
            .position(|srv| srv.priority != priority)
            .unwrap_or(records.len());
        let mut group: Vec<Srv> = records.drain(..end).collect();
        while !group.is_empty() {
            let total: u64 = group.iter().map(|srv| u64::from(srv.weight)).sum();
            let pick = if total == 0 {
                0
            } else {
                let target = seed.next() % (total + 1);
                let mut running = 0;
                group
                    .iter()
                    .position(|srv| {
                        running += u64::from(srv.weight);
                        running >= target
                    })
                    .unwrap_or(group.len() - 1)
            };
            ordered.push(group.remove(pick));
        }
    }
    ordered
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Record {
    Address(IpAddr),
    Srv(Srv),
    Other,
}

impl Record {
    fn address(&self) -> Option<IpAddr> {
        match self {
            Record::Address(ip) => Some(*ip),
            _ => None,
        }
    }
}

/// Asks `server` for the records of one type: UDP, two tries, then TCP when the answer was
/// truncated.
fn query(
    server: SocketAddr,
    name: &str,
    record_type: u16,
    deadline: Instant,
) -> Result<Vec<Record>, DnsError> {
    let id = (seed().next() & 0xffff) as u16;
    let message = encode_query(id, name, record_type)?;
    let bind: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(bind).map_err(|err| DnsError::Other(err.to_string()))?;
    socket
        .connect(server)
        .map_err(|err| DnsError::Other(format!("cannot reach the DNS server {server}: {err}")))?;
    let mut buffer = [0u8; 4096];
    for attempt in 0..2 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        // The first try gets half of the time left, the second the rest.
        let wait = if attempt == 0 { left / 2 } else { left };
        socket
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .map_err(|err| DnsError::Other(err.to_string()))?;
        if let Err(err) = socket.send(&message) {
            return Err(DnsError::Other(format!(
                "cannot reach the DNS server {server}: {err}"
            )));
        }
        loop {
            match socket.recv(&mut buffer) {
                Ok(size) => match decode_response(&buffer[..size], id, record_type) {
                    Ok(Answer::Records(records)) => return Ok(records),
                    Ok(Answer::Truncated) => {
                        return query_tcp(server, &message, id, record_type, deadline);
                    }
                    // Not the answer to this question (a late reply to an earlier try): wait on.
                    Ok(Answer::NotOurs) => continue,
                    Err(err) => return Err(err),
                },
                Err(err)
                    if matches!(
                        err.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    break;
                }
                Err(err) => {
                    return Err(DnsError::Other(format!(
                        "no answer from the DNS server {server}: {err}"
                    )));
                }
            }
        }
    }
    Err(DnsError::Timeout)
}

fn query_tcp(
    server: SocketAddr,
    message: &[u8],
    id: u16,
    record_type: u16,
    deadline: Instant,
) -> Result<Vec<Record>, DnsError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(DnsError::Timeout);
    }
    let io = |err: std::io::Error| match err.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => DnsError::Timeout,
        _ => DnsError::Other(format!("DNS over TCP to {server} failed: {err}")),
    };
    let mut stream = TcpStream::connect_timeout(&server, left).map_err(io)?;
    stream.set_read_timeout(Some(left)).map_err(io)?;
    stream.set_write_timeout(Some(left)).map_err(io)?;
    let mut framed = (message.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(message);
    stream.write_all(&framed).map_err(io)?;
    let mut length = [0u8; 2];
    stream.read_exact(&mut length).map_err(io)?;
    let mut answer = vec![0u8; usize::from(u16::from_be_bytes(length))];
    stream.read_exact(&mut answer).map_err(io)?;
    match decode_response(&answer, id, record_type)? {
        Answer::Records(records) => Ok(records),
        _ => Err(DnsError::Other(
            "the DNS server's TCP answer does not match the question".into(),
        )),
    }
}

fn encode_query(id: u16, name: &str, record_type: u16) -> Result<Vec<u8>, DnsError> {
    let mut message = Vec::with_capacity(32 + name.len());
    message.extend_from_slice(&id.to_be_bytes());
    // Flags: a standard query asking for recursion; one question.
    message.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.trim_end_matches('.').split('.') {
        if label.is_empty() || label.len() > 63 || !label.is_ascii() {
            return Err(DnsError::Other(format!("{name:?} is not a valid DNS name")));
        }
        message.push(label.len() as u8);
        message.extend_from_slice(label.as_bytes());
    }
    message.push(0);
    if message.len() > 12 + 255 {
        return Err(DnsError::Other(format!("{name:?} is too long for DNS")));
    }
    message.extend_from_slice(&record_type.to_be_bytes());
    message.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(message)
}

enum Answer {
    Records(Vec<Record>),
    Truncated,
    NotOurs,
}

fn decode_response(message: &[u8], id: u16, record_type: u16) -> Result<Answer, DnsError> {
    let malformed = || DnsError::Other("the DNS server's answer is malformed".into());
    if message.len() < 12 {
        return Err(malformed());
    }
    let read16 = |at: usize| -> Option<u16> {
        Some(u16::from_be_bytes([
            *message.get(at)?,
            *message.get(at + 1)?,
        ]))
    };
    let flags = read16(2).ok_or_else(malformed)?;
    if read16(0) != Some(id) || flags & 0x8000 == 0 {
        return Ok(Answer::NotOurs);
    }
    if flags & 0x0200 != 0 {
        return Ok(Answer::Truncated);
    }
    match flags & 0x000f {
        0 => {}
        1 => return Err(DnsError::ServerFailure("FORMERR")),
        2 => return Err(DnsError::ServerFailure("SERVFAIL")),
        3 => return Err(DnsError::NoSuchName),
        4 => return Err(DnsError::ServerFailure("NOTIMP")),
        5 => return Err(DnsError::ServerFailure("REFUSED")),
        _ => return Err(DnsError::ServerFailure("an unknown error code")),
    }
    let questions = read16(4).ok_or_else(malformed)?;
    let answers = read16(6).ok_or_else(malformed)?;
    let mut at = 12;
    for _ in 0..questions {
        at = skip_name(message, at).ok_or_else(malformed)? + 4;
    }
    let mut records = Vec::new();
    for _ in 0..answers {
        at = skip_name(message, at).ok_or_else(malformed)?;
        let kind = read16(at).ok_or_else(malformed)?;
        let class = read16(at + 2).ok_or_else(malformed)?;
        let length = usize::from(read16(at + 8).ok_or_else(malformed)?);
        let start = at + 10;
        let data = message.get(start..start + length).ok_or_else(malformed)?;
        at = start + length;
        if class != CLASS_IN {
            continue;
        }
        let record = match (kind, data.len()) {
            (TYPE_A, 4) => Record::Address(IpAddr::from([data[0], data[1], data[2], data[3]])),
            (TYPE_AAAA, 16) => {
                let octets: [u8; 16] = data.try_into().map_err(|_| malformed())?;
                Record::Address(IpAddr::from(octets))
            }
            (TYPE_SRV, 7..) if record_type == TYPE_SRV => {
                let (target, _) = read_name(message, start + 6).ok_or_else(malformed)?;
                Record::Srv(Srv {
                    priority: u16::from_be_bytes([data[0], data[1]]),
                    weight: u16::from_be_bytes([data[2], data[3]]),
                    port: u16::from_be_bytes([data[4], data[5]]),
                    target,
                })
            }
            // A CNAME chain comes with the records it leads to: those are kept, it is not.
            _ => Record::Other,
        };
        if record != Record::Other && kind == record_type {
            records.push(record);
        }
    }
    if records.is_empty() {
        return Err(DnsError::NoRecords);
    }
    Ok(Answer::Records(records))
}

/// The offset just past the (possibly compressed) name at `at`.
fn skip_name(message: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let length = *message.get(at)?;
        match length {
            0 => return Some(at + 1),
            0xc0.. => return Some(at + 2),
            64..0xc0 => return None,
            _ => at += 1 + usize::from(length),
        }
    }
}

/// The name at `at` (following compression pointers, at most 64 of them) without its final
/// dot, and the offset just past it. The root name is "".
fn read_name(message: &[u8], start: usize) -> Option<(String, usize)> {
    let mut name = String::new();
    let mut at = start;
    let mut end = None;
    for _ in 0..128 {
        let length = *message.get(at)?;
        match length {
            0 => return Some((name, end.unwrap_or(at + 1))),
            0xc0.. => {
                end.get_or_insert(at + 2);
                at = usize::from(u16::from_be_bytes([length, *message.get(at + 1)?]) & 0x3fff);
            }
            64..0xc0 => return None,
            _ => {
                let label = message.get(at + 1..at + 1 + usize::from(length))?;
                if !name.is_empty() {
                    name.push('.');
                }
                // Escaped as text: a name from the network reaches the terminal.
                name.extend(label.iter().map(
                    |&b| {
                        if b.is_ascii_graphic() { b as char } else { '?' }
                    },
                ));
                at += 1 + usize::from(length);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: u16, flags: u16, question: &[u8], records: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut m = id.to_be_bytes().to_vec();
        m.extend_from_slice(&flags.to_be_bytes());
        m.extend_from_slice(&[0, 1]);
        m.extend_from_slice(&(records.len() as u16).to_be_bytes());
        m.extend_from_slice(&[0, 0, 0, 0]);
        m.extend_from_slice(question);
        for (kind, data) in records {
            m.extend_from_slice(&[0xc0, 12]); // the question's name
            m.extend_from_slice(&kind.to_be_bytes());
            m.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
            m.extend_from_slice(&(data.len() as u16).to_be_bytes());
            m.extend_from_slice(data);
        }
        m
    }

    #[test]
    fn a_query_is_encoded_as_rfc_1035_says() {
        let q = encode_query(0x1234, "autodiscover.example.com", TYPE_A).unwrap();
        assert_eq!(&q[..4], &[0x12, 0x34, 0x01, 0x00]);
        assert_eq!(&q[12..25], b"\x0cautodiscover");
        assert!(q.ends_with(b"\x03com\x00\x00\x01\x00\x01"));
        assert!(encode_query(1, "a..b", TYPE_A).is_err());
        assert!(encode_query(1, &"x".repeat(64), TYPE_A).is_err());
    }

    #[test]
    fn srv_and_address_answers_are_decoded_with_compressed_names() {
        let question = &encode_query(7, "_autodiscover._tcp.example.com", TYPE_SRV).unwrap()[12..];
        let mut srv = vec![0, 10, 0, 5, 0x01, 0xbb];
        srv.extend_from_slice(b"\x04mail\xc0\x1f"); // "mail" + pointer into the question
        let message = answer(7, 0x8180, question, &[(TYPE_SRV, srv)]);
        let Ok(Answer::Records(records)) = decode_response(&message, 7, TYPE_SRV) else {
            panic!("not decoded");
        };
        assert_eq!(
            records,
            vec![Record::Srv(Srv {
                priority: 10,
                weight: 5,
                port: 443,
                target: "mail.example.com".into()
            })]
        );

        let question = &encode_query(9, "example.com", TYPE_A).unwrap()[12..];
        let message = answer(9, 0x8180, question, &[(TYPE_A, vec![127, 0, 0, 1])]);
        let Ok(Answer::Records(records)) = decode_response(&message, 9, TYPE_A) else {
            panic!("not decoded");
        };
        assert_eq!(records, vec![Record::Address(Ipv4Addr::LOCALHOST.into())]);
    }

    #[test]
    fn error_codes_truncation_and_foreign_ids_are_told_apart() {
        let question = &encode_query(3, "example.com", TYPE_A).unwrap()[12..];
        let nx = answer(3, 0x8183, question, &[]);
        assert_eq!(
            decode_response(&nx, 3, TYPE_A).err(),
            Some(DnsError::NoSuchName)
        );
        let refused = answer(3, 0x8185, question, &[]);
        assert_eq!(
            decode_response(&refused, 3, TYPE_A).err(),
            Some(DnsError::ServerFailure("REFUSED"))
        );
        let empty = answer(3, 0x8180, question, &[]);
        assert_eq!(
            decode_response(&empty, 3, TYPE_A).err(),
            Some(DnsError::NoRecords)
        );
        assert!(matches!(
            decode_response(&answer(3, 0x8380, question, &[]), 3, TYPE_A),
            Ok(Answer::Truncated)
        ));
        assert!(matches!(
            decode_response(&answer(4, 0x8180, question, &[]), 3, TYPE_A),
            Ok(Answer::NotOurs)
        ));
        // A pointer loop or a short message is malformed, never a hang or a panic.
        let mut looping = answer(3, 0x8180, question, &[(TYPE_SRV, vec![0; 6])]);
        looping.extend_from_slice(&[0xc0, 0]);
        let len = looping.len();
        looping[len - 2 - 6 - 2 - 1] = 8; // rdlength covers the pointer too
        assert!(decode_response(&looping, 3, TYPE_SRV).is_err());
        assert!(decode_response(&[0, 3, 0x81], 3, TYPE_A).is_err());
    }

    #[test]
    fn srv_order_is_by_priority_then_weighted() {
        let srv = |priority, weight, target: &str| Srv {
            priority,
            weight,
            port: 443,
            target: target.into(),
        };
        let records = vec![srv(20, 0, "c"), srv(10, 0, "b"), srv(10, 100, "a")];
        let mut seed = Seed(12345);
        for _ in 0..50 {
            let order = rfc2782_order(records.clone(), &mut seed);
            assert_eq!(order[2].target, "c");
            assert_eq!(order.len(), 3);
        }
        // Weight 100 against weight 0: "a" first nearly always.
        let firsts = (0..200)
            .filter(|_| rfc2782_order(records.clone(), &mut seed)[0].target == "a")
            .count();
        assert!(firsts > 190, "{firsts}");
    }

    #[test]
    fn the_first_nameserver_of_resolv_conf_is_used() {
        let conf = "# comment\nsearch example.com\nnameserver fe80::1%eth0\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n";
        assert_eq!(nameserver_in(conf), Some("10.0.0.2:53".parse().unwrap()));
        assert_eq!(nameserver_in("options ndots:1\n"), None);
    }
}
