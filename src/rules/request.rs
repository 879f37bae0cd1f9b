//! Requests (Outlook and mobilesync) and mobilesync responses.

use crate::finding::{Applicability, Edit, Finding};
use crate::model::DocKind;
use crate::schema::{self, NS_MOBILE_RESPONSE, NS_OUTLOOK};
use crate::xml::tag_span;

use super::Context;
use super::values::is_https_url;

pub fn check(ctx: &mut Context<'_, '_>) {
    check_request(ctx);
    check_order(ctx);
    check_mobile(ctx);
}

fn check_request(ctx: &mut Context<'_, '_>) {
    let model = ctx.model;
    let Some(request) = &model.request else {
        return;
    };
    let mobile = model.kind == DocKind::MobilesyncRequest;
    let wanted = if mobile {
        NS_MOBILE_RESPONSE
    } else {
        NS_OUTLOOK
    };
    match request.leaf("AcceptableResponseSchema") {
        None => ctx.push(
            Finding::new(
                "missing-acceptable-response-schema",
                tag_span(request.node),
                "the Request has no <AcceptableResponseSchema>: servers answer with error 600 or 601",
            )
            .with_help(format!("add <AcceptableResponseSchema>{wanted}</AcceptableResponseSchema>")),
        ),
        Some(ars) => {
            let value = ars.value();
            if value == wanted || value.is_empty() {
                // empty: empty-value reports it
            } else if schema::http_form_of(value).as_deref() == Some(wanted) {
                let mut finding = Finding::new(
                    "https-namespace",
                    ars.value_span(),
                    "AcceptableResponseSchema is written with https://; servers compare it with the http:// URI",
                )
                .with_help(format!("write {wanted}"));
                if let Some(span) = crate::xml::literal_value_span(ars.node) {
                    finding = finding.with_fix(
                        Applicability::Safe,
                        "write the URI with http://",
                        vec![Edit::new(span, wanted.to_string())],
                    );
                }
                ctx.push(finding);
            } else {
                let other_family = if mobile { value.contains("/outlook/") } else { value.contains("/mobilesync/") };
                ctx.push(
                    Finding::new(
                        "wrong-acceptable-response-schema",
                        ars.value_span(),
                        if other_family {
                            format!(
                                "this {} asks for the {} response schema",
                                model.kind.describe(),
                                if mobile { "Outlook" } else { "ActiveSync (mobilesync)" }
                            )
                        } else {
                            format!("AcceptableResponseSchema {:?} is not a response schema servers know", value)
                        },
                    )
                    .with_help(format!("write {wanted}")),
                );
            }
        }
    }
    let email = request.leaf("EMailAddress");
    let legacy = if mobile {
        None
    } else {
        request.leaf("LegacyDN")
    };
    match (email, legacy) {
        (Some(_), Some(dn)) => ctx.push(Finding::new(
            "request-needs-one-address",
            dn.tag_span(),
            "the Request has both <EMailAddress> and <LegacyDN>; send one of them",
        )),
        (None, None) => ctx.push(
            Finding::new(
                "request-needs-one-address",
                tag_span(request.node),
                "the Request names no mailbox: it needs <EMailAddress> (or <LegacyDN>)",
            )
            .with_help("add <EMailAddress>user@example.com</EMailAddress>"),
        ),
        _ => {}
    }
}

fn check_mobile(ctx: &mut Context<'_, '_>) {
    let Some(mobile) = &ctx.model.mobile else {
        return;
    };
    for server in &mobile.servers {
        let is_mobile_sync = server
            .leaf("Type")
            .is_some_and(|t| t.value() == "MobileSync");
        for (name, required) in [("Url", true), ("Name", is_mobile_sync)] {
            let Some(leaf) = server.leaf(name) else {
                continue;
            };
            let value = leaf.value();
            if value.is_empty() && !required {
                continue;
            }
            // A MobileSync Name is the same URL as Url, compared the same way: padded, it is
            // reported as Url is (the value check does that for Url, whose kind is a URL).
            if name == "Name" && is_mobile_sync && leaf.text().len() != value.len() {
                let finding = Finding::new(
                    "value-whitespace",
                    leaf.value_span(),
                    "the value of <Name> has whitespace around it; not every client trims it",
                )
                .with_help(format!("write <Name>{value}</Name>"));
                ctx.push(super::values::with_trim_fix(finding, leaf.node, value));
            }
            // A Url that is not a URL at all is invalid-url's finding.
            if name == "Url" && !super::values::is_absolute_url(value) {
                continue;
            }
            if !is_https_url(value) {
                ctx.push(
                    Finding::new(
                        "mobilesync-url-not-https",
                        leaf.value_span(),
                        format!(
                            "<{name}> of a {} server must be an https:// URL, not {:?}; devices cannot connect to it",
                            server.leaf("Type").map_or("", |t| t.value()),
                            value
                        ),
                    )
                    .with_help("for example https://mail.example.com/Microsoft-Server-ActiveSync"),
                );
            }
        }
    }
}

/// MS-ASCMD's request schema is a sequence: EMailAddress before AcceptableResponseSchema.
pub fn check_order(ctx: &mut Context<'_, '_>) {
    let Some(request) = &ctx.model.request else {
        return;
    };
    if ctx.model.kind != DocKind::MobilesyncRequest {
        return;
    }
    let names: Vec<&str> = request.leaves.iter().map(|l| l.name()).collect();
    let email = names.iter().position(|n| *n == "EMailAddress");
    let schema = names.iter().position(|n| *n == "AcceptableResponseSchema");
    if let (Some(email), Some(schema)) = (email, schema)
        && schema < email
    {
        ctx.push(
                Finding::new(
                    "request-element-order",
                    request.leaves[schema].tag_span(),
                    "<AcceptableResponseSchema> comes before <EMailAddress>; the ActiveSync request schema requires the opposite order",
                )
                .with_help("put <EMailAddress> first"),
            );
    }
}
