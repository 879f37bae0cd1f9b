//! What the document is: Autodiscover or not, whole or a fragment, with the root children it
//! needs.

use crate::finding::Finding;
use crate::model::DocKind;
use crate::xml::{child_elements, local_name, tag_span};

use super::Context;

pub fn check(ctx: &mut Context<'_, '_>) {
    let model = ctx.model;
    if model.kind == DocKind::NotAutodiscover {
        let span = match model.root {
            Some(root) => tag_span(root),
            None => first_line(ctx.text),
        };
        let what = model.looks_like.as_deref().unwrap_or("something else");
        ctx.push(
            Finding::new(
                "not-autodiscover",
                span,
                format!("not an Autodiscover document: this is {what}"),
            )
            .with_help(
                "an Autodiscover POX document starts with <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/…\">",
            ),
        );
        return;
    }
    let Some(root) = model.root else { return };
    let name = local_name(root);
    if model.fragment {
        let wrapper = match name {
            "Request" => "<Autodiscover>",
            "Response" => "<Autodiscover>",
            "Account" => "<Autodiscover><Response>",
            _ => "<Autodiscover><Response><Account>",
        };
        ctx.push(
            Finding::new(
                "missing-autodiscover-root",
                tag_span(root),
                format!("the document's root is <{name}>, a piece of an Autodiscover document: the {wrapper} wrapper is missing"),
            )
            .with_help("clients reject a document whose root is not <Autodiscover>"),
        );
        return;
    }
    if !child_elements(root).any(|c| matches!(local_name(c), "Request" | "Response")) {
        let wanted = match model.kind {
            DocKind::OutlookRequest | DocKind::MobilesyncRequest => "<Request>",
            _ => "<Response>",
        };
        ctx.push(Finding::new(
            "missing-element",
            tag_span(root),
            format!("<{name}> holds no {wanted}: the document says nothing"),
        ));
    }
}

fn first_line(text: &str) -> std::ops::Range<usize> {
    let end = text.find('\n').unwrap_or(text.len());
    let end = text[..end].trim_end().len();
    0..end.max(
        text.chars()
            .next()
            .map_or(0, char::len_utf8)
            .min(text.len()),
    )
}
