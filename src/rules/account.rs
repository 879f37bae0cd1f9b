//! Account-level consistency: Action against its targets and Protocols, UsePOPAuth against the
//! POP3 Protocol it depends on, error form, EcpUrl fragments, DomainRequired, IP ranges.

use crate::finding::Finding;
use crate::model::{Account, DocKind, ErrorInfo, Protocol, Slot, SmtpCredentials};
use crate::xml::tag_span;

use super::Context;
use super::values::{is_absolute_url, is_https_url};

pub fn check(ctx: &mut Context<'_, '_>) {
    let model = ctx.model;
    let Some(response) = &model.response else {
        return;
    };
    if !model.fragment
        && model.kind == DocKind::OutlookResponse
        && response.accounts.is_empty()
        && response.error.is_none()
    {
        ctx.push(Finding::new(
            "missing-element",
            tag_span(response.node),
            "<Response> has neither <Account> nor <Error>: it tells the client nothing",
        ));
    }
    for extra in response.accounts.iter().skip(1) {
        ctx.push(
            Finding::new(
                "multiple-accounts",
                tag_span(extra.node),
                "a second <Account>: a Response holds one Account, and clients read only the first",
            )
            .with_help("put every <Protocol> into the first <Account>"),
        );
    }
    if let Some(error) = &response.error
        && !response.accounts.is_empty()
    {
        ctx.push(Finding::new(
                "error-with-settings",
                tag_span(error.node),
                "the Response carries an <Error> and Accounts: clients cannot tell whether the request failed",
            ));
    }
    for error in response
        .error
        .iter()
        .chain(response.accounts.iter().filter_map(|a| a.error.as_ref()))
    {
        check_error_meaning(ctx, error);
    }
    // Each Protocol's account-level checks (`check_protocol`) run in protocol.rs's pass over
    // the Protocols: one pass, shared among threads, instead of two.
    for account in &response.accounts {
        if !(model.fragment && account.node.tag_name().name() == "Protocol") {
            check_account(ctx, account);
        }
    }
}

fn check_account(ctx: &mut Context<'_, '_>, account: &Account<'_>) {
    if let Some(error) = &account.error {
        if account.leaf("Action").is_some() || !account.protocols.is_empty() {
            ctx.push(Finding::new(
                "error-with-settings",
                tag_span(error.node),
                "an <Account> with an <Error> should hold nothing else, but this one also has settings",
            ));
        }
        return;
    }
    let Some(action_leaf) = account.leaf("Action") else {
        ctx.push(
            Finding::new(
                "missing-element",
                tag_span(account.node),
                "<Account> has no <Action>: clients cannot tell settings from a redirect",
            )
            .with_help("add <Action>settings</Action> (or redirectAddr / redirectUrl)"),
        );
        return;
    };
    let action = action_leaf.value();
    let redirect_url = account.leaf("RedirectUrl");
    let redirect_addr = account.leaf("RedirectAddr");
    let has_protocols = !account.protocols.is_empty();
    match action {
        "settings" => {
            if !has_protocols {
                ctx.push(Finding::new(
                    "settings-without-protocol",
                    action_leaf.value_span(),
                    "Action is settings, but the Account has no <Protocol>: there are no settings to apply",
                ));
            }
            for target in [redirect_url, redirect_addr].into_iter().flatten() {
                ctx.push(Finding::new(
                    "redirect-target-mismatch",
                    target.tag_span(),
                    format!(
                        "<{}> is ignored: Action is settings, not a redirect",
                        target.name()
                    ),
                ));
            }
        }
        "redirectAddr" | "redirectUrl" => {
            let (wanted, wanted_leaf, other) = if action == "redirectAddr" {
                ("RedirectAddr", redirect_addr, redirect_url)
            } else {
                ("RedirectUrl", redirect_url, redirect_addr)
            };
            if wanted_leaf.is_none_or(|l| l.value().is_empty()) {
                let mut finding = Finding::new(
                    "redirect-without-target",
                    action_leaf.value_span(),
                    format!("Action is {action}, but there is no <{wanted}> to redirect to"),
                );
                if let Some(other) = other {
                    finding = finding.with_help(format!(
                        "the Account has <{}> instead; use the Action that matches it",
                        other.name()
                    ));
                }
                ctx.push(finding);
            }
            if let Some(other) = other {
                ctx.push(Finding::new(
                    "redirect-target-mismatch",
                    other.tag_span(),
                    format!(
                        "<{}> does not match Action {action}; clients ignore it",
                        other.name()
                    ),
                ));
            }
            if has_protocols {
                ctx.push(Finding::new(
                    "redirect-with-protocols",
                    account.protocols[0].tag_span(),
                    format!("Action is {action}, so clients follow the redirect and ignore these Protocols"),
                ));
            }
        }
        _ => {} // invalid-action reports it
    }
    if let Some(url) = redirect_url {
        let value = url.value();
        if is_absolute_url(value) && !is_https_url(value) {
            ctx.push(
                Finding::new(
                    "redirect-url-not-https",
                    url.value_span(),
                    "RedirectUrl is not https: clients refuse to follow an Autodiscover redirect over plain HTTP",
                )
                .with_help(format!("write {}", value.replacen("http://", "https://", 1))),
            );
        }
    }
}

/// One Protocol against its Account: UsePOPAuth's POP3 source, EcpUrl fragments, the domain
/// in LoginName, IP ranges.
pub fn check_protocol(ctx: &mut Context<'_, '_>, account: &Account<'_>, protocol: &Protocol<'_>) {
    if let Some(SmtpCredentials::FromPop3(leaf, None)) = protocol.smtp_credentials(account) {
        ctx.push(
            Finding::new(
                "use-pop-auth-without-pop3",
                leaf.value_span(),
                "UsePOPAuth is on, but the Account has no POP3 Protocol to take the credentials from",
            )
            .with_help("write <UsePOPAuth>off</UsePOPAuth> (SMTP then uses its own login) or add the POP3 Protocol"),
        );
    }
    check_ecp(ctx, protocol);
    check_domain_required(ctx, protocol);
    check_ip_ranges(ctx, protocol);
}

fn check_ecp(ctx: &mut Context<'_, '_>, protocol: &Protocol<'_>) {
    if protocol.get(Slot::EcpUrl).is_some() {
        return;
    }
    if let Some(fragment) = protocol.first_ecp_fragment() {
        ctx.push(Finding::new(
            "ecp-fragment-without-ecp-url",
            fragment.tag_span(),
            format!(
                "<{}> is a fragment appended to <EcpUrl>, but this Protocol has no EcpUrl",
                fragment.name()
            ),
        ));
    }
}

fn check_domain_required(ctx: &mut Context<'_, '_>, protocol: &Protocol<'_>) {
    let Some(required) = protocol.get(Slot::DomainRequired) else {
        return;
    };
    if required.on_off() != Some(true) {
        return;
    }
    let login = protocol.get(Slot::LoginName);
    // An empty LoginName is reported as such (empty-setting): one defect, one finding.
    if login.is_some_and(|l| l.value().is_empty()) {
        return;
    }
    let login_has_domain =
        login.is_some_and(|l| l.value().contains('\\') || l.value().contains('@'));
    if !login_has_domain {
        ctx.push(Finding::new(
            "domain-required-without-domain",
            required.tag_span(),
            "DomainRequired is on but LoginName carries no domain: the user will be asked to type it",
        ));
    }
}

fn check_ip_ranges(ctx: &mut Context<'_, '_>, protocol: &Protocol<'_>) {
    let Some(requirements) = protocol.network_requirements() else {
        return;
    };
    let leaf = |name: &str| requirements.leaves.iter().find(|l| l.name() == name);
    for (start_name, end_name) in [("IPv4Start", "IPv4End"), ("IPv6Start", "IPv6End")] {
        match (leaf(start_name), leaf(end_name)) {
            (Some(start), Some(end)) => {
                let reversed = match (
                    start.value().parse::<std::net::IpAddr>(),
                    end.value().parse::<std::net::IpAddr>(),
                ) {
                    (Ok(a), Ok(b)) => a > b,
                    _ => false,
                };
                if reversed {
                    ctx.push(Finding::new(
                        "invalid-ip-range",
                        start.value_span(),
                        format!(
                            "{start_name} {} is after {end_name} {}: the range is empty",
                            start.value(),
                            end.value()
                        ),
                    ));
                }
            }
            (Some(only), None) | (None, Some(only)) => ctx.push(Finding::new(
                "invalid-ip-range",
                only.tag_span(),
                format!(
                    "<{}> without its pair: a range needs both {start_name} and {end_name}",
                    only.name()
                ),
            )),
            (None, None) => {}
        }
    }
}

/// Codes that blame the address, next to a message that blames the server.
fn check_error_meaning(ctx: &mut Context<'_, '_>, error: &ErrorInfo<'_>) {
    let (Some(code), Some(message)) = (error.leaf("ErrorCode"), error.leaf("Message")) else {
        return;
    };
    if !matches!(code.value(), "500" | "501" | "602") {
        return;
    }
    let text = message.value().to_ascii_lowercase();
    let server_side = [
        "database",
        "internal",
        "exception",
        "server error",
        "timeout",
        "timed out",
        "unavailable",
    ]
    .iter()
    .any(|word| text.contains(word));
    if server_side {
        ctx.push(
            Finding::new(
                "error-code-contradicts-message",
                code.value_span(),
                format!(
                    "ErrorCode {} tells the client the address is the problem, but the message {:?} describes a server failure",
                    code.value(),
                    message.value()
                ),
            )
            .with_help("use <ErrorCode>603</ErrorCode> (internal server error)"),
        );
    }
}
