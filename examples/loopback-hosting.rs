//! A hosting provider on loopback, to try `adinspect discover` by hand without the internet:
//! the root domain's web host is down, `autodiscover.fabrikam.example` has a valid certificate
//! and redirects the address to a second domain, whose `autodiscover.` host answers with
//! settings. Prints the `discover` command that reaches it, then serves until stopped (at most
//! `SECONDS`, default 600).
//!
//!     cargo run --example loopback-hosting [-- SECONDS]

#[path = "../tests/loopback/mod.rs"]
mod loopback;

use std::net::Ipv4Addr;
use std::time::Duration;

use loopback::{Ca, Dns, Record, Reply, Server, closed_port};

const SETTINGS: &str = include_str!("../fixtures/documents/isp-pop3-smtp-usepopauth.xml");

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let ca = Ca::named("Loopback Hosting Test CA");
    let dir = std::env::temp_dir().join(format!("adinspect-hosting-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = ca.write_pem(&dir);

    let redirect = r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <Action>redirectAddr</Action>
      <RedirectAddr>kim.lee@contoso.example</RedirectAddr>
    </Account>
  </Response>
</Autodiscover>
"#;
    // The web host of the second domain serves a parked page; its autodiscover host answers.
    let parked = Server::start(Some(&ca.identity(&["www.hosting.example"], false)), |_| {
        Reply::Answer(
            200,
            vec![("Content-Type", "text/html".into())],
            "<!DOCTYPE html><html><body>This domain is parked</body></html>".into(),
        )
    });
    let first = Server::start(
        Some(&ca.identity(&["autodiscover.fabrikam.example"], false)),
        move |_| Reply::xml(redirect),
    );
    let second = Server::start(
        Some(&ca.identity(&["autodiscover.contoso.example"], false)),
        |_| Reply::xml(SETTINGS),
    );
    let dns = Dns::start(&[("mail.hosting.example", Record::A(Ipv4Addr::LOCALHOST))]);
    let down = closed_port();

    println!("Serving on 127.0.0.1 for {seconds} s. In another terminal:\n");
    println!(
        "adinspect discover kim@fabrikam.example --dns-server {} --ca-file {} \\\n  \
         --connect-to fabrikam.example:443:127.0.0.1:{down} \\\n  \
         --connect-to autodiscover.fabrikam.example:443:127.0.0.1:{} \\\n  \
         --connect-to contoso.example:443:127.0.0.1:{} \\\n  \
         --connect-to autodiscover.contoso.example:443:127.0.0.1:{}",
        dns.address,
        ca_file.display(),
        first.port,
        parked.port,
        second.port
    );
    std::thread::sleep(Duration::from_secs(seconds));
    let _ = std::fs::remove_dir_all(&dir);
}
