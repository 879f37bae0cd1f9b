//! adinspect: inspect and lint Exchange Autodiscover POX documents.
//!
//! The library never prints: [`analyze::analyze`] turns bytes into located findings and a
//! report; [`render`] formats them; [`cli`] is the only place that touches stdio.

pub mod analyze;
pub mod cli;
pub mod compact;
pub mod config;
#[cfg(feature = "discover")]
pub mod discover;
pub mod finding;
pub mod fix;
pub mod invariants;
pub mod model;
pub mod parallel;
pub mod render;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
pub mod suppress;
pub mod text;
pub mod xml;

/// A correct request body for `email`, or for `legacy_dn` when given (then `email` is not
/// used). Both are escaped for XML; they must hold no control characters.
pub fn request_body(email: &str, mobilesync: bool, legacy_dn: Option<&str>) -> String {
    let (request_ns, response_ns) = if mobilesync {
        (schema::NS_MOBILE_REQUEST, schema::NS_MOBILE_RESPONSE)
    } else {
        (schema::NS_REQUEST, schema::NS_OUTLOOK)
    };
    let address = match legacy_dn {
        Some(dn) => format!("<LegacyDN>{}</LegacyDN>", xml::escape_text(dn)),
        None => format!("<EMailAddress>{}</EMailAddress>", xml::escape_text(email)),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"{request_ns}\">\n  \
         <Request>\n    {address}\n    <AcceptableResponseSchema>{response_ns}</AcceptableResponseSchema>\n  \
         </Request>\n</Autodiscover>\n"
    )
}
