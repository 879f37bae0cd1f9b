//! Writes the benchmark corpus (deterministic: the same bytes on every run).
//!
//!   cargo run --release --example generate -- DIR
//!
//! DIR/files/…      10,000 realistic responses of 3–8 KB in nested folders
//! DIR/realistic/…  the same with the defects real responses have (about 4.5 findings each)
//! DIR/findings-100mb.xml  100 MB with about 100,000 findings
//! DIR/big-100mb.xml one response with many Protocols (~100 MB)
//! DIR/big-10mb.xml  the same shape at ~10 MB (for the linearity check)
//! DIR/wrong-10mb.xml every Protocol wrong: hundreds of thousands of findings
//! DIR/small.xml     one 1 KB response (start-up cost)

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// xorshift64*: small, deterministic, good enough to vary documents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n";
const TAIL: &str = "    </Account>\n  </Response>\n</Autodiscover>\n";

fn user(out: &mut String, rng: &mut Rng, n: u64) {
    let _ = write!(
        out,
        "    <User>\n      <DisplayName>User {n}</DisplayName>\n      <LegacyDN>/o=Example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={:016x}-user{n}</LegacyDN>\n      <AutoDiscoverSMTPAddress>user{n}@example{}.test</AutoDiscoverSMTPAddress>\n      <DeploymentId>{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}</DeploymentId>\n    </User>\n    <Account>\n      <AccountType>email</AccountType>\n      <Action>settings</Action>\n",
        rng.next(),
        n % 97,
        rng.next() as u32,
        rng.below(0xffff),
        rng.below(0xfff),
        rng.below(0xfff),
        rng.next() & 0xffff_ffff_ffff
    );
}

fn isp_protocol(out: &mut String, rng: &mut Rng, n: u64, kind: &str) {
    let (port, security) = match kind {
        "IMAP" => ("993", "<SSL>on</SSL>"),
        "POP3" => ("995", "<SSL>on</SSL>"),
        _ => ("587", "<Encryption>TLS</Encryption>"),
    };
    let _ = write!(
        out,
        "      <Protocol>\n        <Type>{kind}</Type>\n        <Server>{}.mail{}.example{}.test</Server>\n        <Port>{port}</Port>\n        <LoginName>user{n}@example{}.test</LoginName>\n        <DomainRequired>off</DomainRequired>\n        <SPA>off</SPA>\n        {security}\n        <AuthRequired>on</AuthRequired>\n        <TTL>{}</TTL>\n",
        kind.to_ascii_lowercase(),
        rng.below(50),
        n % 97,
        n % 97,
        1 + rng.below(24)
    );
    if kind == "SMTP" {
        out.push_str("        <UsePOPAuth>on</UsePOPAuth>\n        <SMTPLast>off</SMTPLast>\n");
    }
    out.push_str("      </Protocol>\n");
}

fn exchange_protocol(out: &mut String, rng: &mut Rng, n: u64) {
    let host = format!("mail{}.example{}.test", rng.below(20), n % 97);
    let _ = write!(
        out,
        "      <Protocol>\n        <Type>EXPR</Type>\n        <Server>{host}</Server>\n        <ASUrl>https://{host}/EWS/Exchange.asmx</ASUrl>\n        <EwsUrl>https://{host}/EWS/Exchange.asmx</EwsUrl>\n        <EcpUrl>https://{host}/owa/</EcpUrl>\n        <EcpUrl-um>?path=/options/callanswering</EcpUrl-um>\n        <OOFUrl>https://{host}/EWS/Exchange.asmx</OOFUrl>\n        <OABUrl>https://{host}/OAB/{:016x}/</OABUrl>\n        <SSL>On</SSL>\n        <AuthPackage>Ntlm</AuthPackage>\n        <ServerVersion>73C189CB</ServerVersion>\n      </Protocol>\n      <Protocol>\n        <Type>WEB</Type>\n        <External>\n          <OWAUrl AuthenticationMethod=\"Basic, Fba\">https://{host}/owa/</OWAUrl>\n          <Protocol>\n            <Type>EXPR</Type>\n            <ASUrl>https://{host}/EWS/Exchange.asmx</ASUrl>\n          </Protocol>\n        </External>\n      </Protocol>\n",
        rng.next()
    );
}

/// One response of 3–8 KB.
fn response(rng: &mut Rng, n: u64) -> String {
    let mut out = String::from(HEAD);
    user(&mut out, rng, n);
    let target = 3000 + rng.below(5000) as usize;
    // POP3 first, so that the SMTP Protocols' UsePOPAuth has its credentials.
    let kinds = ["POP3", "IMAP", "SMTP"];
    let mut i = 0;
    while out.len() + TAIL.len() < target {
        if i > 0 && rng.below(4) == 0 {
            exchange_protocol(&mut out, rng, n);
        } else {
            isp_protocol(&mut out, rng, n, kinds[i % 3]);
            i += 1;
        }
    }
    out.push_str(TAIL);
    out
}

/// Names as real directories hold them: a third of the users have one that is not ASCII.
const NAMES: [&str; 6] = [
    "Jörg Müller",
    "Chloé Dubois",
    "José Núñez",
    "Zoë Brontë",
    "山田 太郎",
    "Søren Ødegård",
];

/// A response with the defects hosting panels and mail servers really write, about 4.5 each
/// (each of eight with probability 3/4, some hiding others): SPA left out, `<SSL>yes</SSL>`,
/// `true`/`no` for on/off, a lower-case Type, SSL on against a STARTTLS port, a padded value,
/// UsePOPAuth without POP3. A third carry a non-ASCII
/// DisplayName, so finding positions count characters.
fn realistic(rng: &mut Rng, n: u64) -> String {
    let mut text = response(rng, n);
    if rng.below(3) == 0 {
        let name = NAMES[rng.below(NAMES.len() as u64) as usize];
        text = text.replacen(
            &format!("<DisplayName>User {n}</DisplayName>"),
            &format!("<DisplayName>{name}</DisplayName>"),
            1,
        );
    }
    let mut defect = |rng: &mut Rng, from: &str, to: &str| {
        if rng.below(4) != 0 {
            text = text.replacen(from, to, 1);
        }
    };
    defect(rng, "        <SPA>off</SPA>\n", "");
    defect(rng, "<SSL>on</SSL>", "<SSL>yes</SSL>");
    defect(rng, "<Type>IMAP</Type>", "<Type>imap</Type>");
    defect(rng, "<Port>993</Port>", "<Port>143</Port>");
    defect(rng, "<Port>995</Port>", "<Port> 995 </Port>");
    defect(rng, "<Type>POP3</Type>", "<Type>IMAP</Type>");
    defect(
        rng,
        "<AuthRequired>on</AuthRequired>",
        "<AuthRequired>true</AuthRequired>",
    );
    defect(
        rng,
        "<DomainRequired>off</DomainRequired>",
        "<DomainRequired>no</DomainRequired>",
    );
    text
}

/// A short Protocol with four defects (port 0, SSL yes, UsePOPAuth maybe, UsePOPAuth outside
/// SMTP).
const WRONG_PROTOCOL: &str = "      <Protocol><Type>IMAP</Type><Port>0</Port><SSL>yes</SSL><UsePOPAuth>maybe</UsePOPAuth></Protocol>\n";

/// One response of about `bytes` bytes, many Protocols.
fn big(rng: &mut Rng, bytes: usize, wrong: bool) -> String {
    big_with(rng, bytes, wrong, 0)
}

/// [`big`], with SPA left out of every `spa_gap`-th ISP Protocol (0: none): one finding each.
fn big_with(rng: &mut Rng, bytes: usize, wrong: bool, spa_gap: usize) -> String {
    let mut out = String::with_capacity(bytes + 4096);
    out.push_str(HEAD);
    user(&mut out, rng, 1);
    let kinds = ["POP3", "IMAP", "SMTP"];
    let mut i = 0;
    while out.len() < bytes {
        if wrong {
            out.push_str(WRONG_PROTOCOL);
        } else if i % 4 == 3 {
            exchange_protocol(&mut out, rng, i as u64);
        } else {
            let start = out.len();
            isp_protocol(&mut out, rng, i as u64, kinds[i % 3]);
            if spa_gap > 0 && i % spa_gap == 0 {
                let spa = start + out[start..].find("        <SPA>off</SPA>\n").unwrap_or(0);
                out.replace_range(spa..spa + "        <SPA>off</SPA>\n".len(), "");
            }
        }
        i += 1;
    }
    out.push_str(TAIL);
    out
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench/data".to_string());
    let dir = Path::new(&dir);
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let files = dir.join("files");
    for n in 0..10_000u64 {
        let folder = files.join(format!("{:02}/{:02}", n / 1000, (n / 50) % 20));
        fs::create_dir_all(&folder).unwrap();
        fs::write(
            folder.join(format!("user{n:05}.xml")),
            response(&mut rng, n),
        )
        .unwrap();
    }
    // The same 10,000 responses with the defects real ones have (the clean ones above measure
    // the parse floor; these measure what findings cost).
    let realistic_dir = dir.join("realistic");
    let mut rng_realistic = Rng(0x5EED_1234_ABCD_0001);
    for n in 0..10_000u64 {
        let folder = realistic_dir.join(format!("{:02}/{:02}", n / 1000, (n / 50) % 20));
        fs::create_dir_all(&folder).unwrap();
        fs::write(
            folder.join(format!("user{n:05}.xml")),
            realistic(&mut rng_realistic, n),
        )
        .unwrap();
    }
    // About 100,000 findings in 100 MB: SPA left out of every second ISP Protocol.
    fs::write(
        dir.join("findings-100mb.xml"),
        big_with(&mut Rng(0x5EED_1234_ABCD_0002), 100 * 1024 * 1024, false, 2),
    )
    .unwrap();
    fs::write(
        dir.join("big-100mb.xml"),
        big(&mut rng, 100 * 1024 * 1024, false),
    )
    .unwrap();
    fs::write(
        dir.join("big-10mb.xml"),
        big(&mut rng, 10 * 1024 * 1024, false),
    )
    .unwrap();
    fs::write(
        dir.join("wrong-10mb.xml"),
        big(&mut rng, 10 * 1024 * 1024, true),
    )
    .unwrap();
    let mut small = response(&mut rng, 1);
    small.truncate(0);
    small.push_str(HEAD);
    user(&mut small, &mut rng, 1);
    isp_protocol(&mut small, &mut rng, 1, "IMAP");
    small.push_str(TAIL);
    fs::write(dir.join("small.xml"), small).unwrap();
    println!("benchmark corpus written to {}", dir.display());
}
