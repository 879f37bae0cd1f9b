//! The words of a finding (message, help, fix): a fixed sentence, a sentence made for the
//! finding, or a template with the one value it needs, put together only when the finding is
//! written. A document where every Protocol is wrong raises hundreds of thousands of findings;
//! building and holding a sentence for each of them was about a quarter of the time and of
//! the memory of checking it.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// Small (24 bytes, the variants sharing the space of `Held`'s tag): findings are many, and
/// each holds a message and a help.
#[derive(Clone)]
pub struct Text(Repr);

/// Writes a template's sentence with its word (fixed by the code that reports: an element's
/// name) and its value. It must write the same sentence for the same word and value: sentences
/// put together are kept and handed out again (`Text::with_str`).
pub type Template = fn(&mut fmt::Formatter<'_>, &'static str, Part<'_>) -> fmt::Result;

/// A template's word, by a reference to where it is kept (`&def.name`, `&""`): one pointer
/// instead of two keeps a [`Text`] at 24 bytes.
pub type Word = &'static &'static str;

#[derive(Clone)]
enum Repr {
    Fixed(&'static str),
    /// Boxed rather than a `String`: 16 bytes, so the variants fit in `Held`'s 24.
    Made(Box<str>),
    Held {
        template: Template,
        word: Word,
        value: Held,
    },
}

/// The value a template is given: a number, or a text (usually from the document).
#[derive(Clone, Copy, Debug)]
pub enum Part<'a> {
    Number(u64),
    Text(&'a str),
}

impl fmt::Display for Part<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Number(number) => write!(f, "{number}"),
            Part::Text(text) => f.write_str(text),
        }
    }
}

impl Part<'_> {
    /// The text (a number's is empty).
    pub fn text(&self) -> &str {
        match self {
            Part::Number(_) => "",
            Part::Text(text) => text,
        }
    }
}

/// A template's value held in place: most values documents get wrong are short ("yes",
/// "IMAP", a port number). A longer text is written out at once instead.
#[derive(Clone, Copy)]
enum Held {
    Number(u32),
    Short { len: u8, bytes: [u8; SHORT] },
}

const SHORT: usize = 6;

/// How many sentences put together each thread keeps.
const RECENT_SLOTS: usize = 16;

/// Sentences recently put together, by (template, word's address, value's key), and the slot
/// to fill next.
struct Recent {
    slots: [(usize, usize, u64, String); RECENT_SLOTS],
    next: usize,
}

impl Held {
    /// Different for every value.
    fn key(&self) -> u64 {
        match self {
            Held::Number(number) => 1 << 63 | u64::from(*number),
            Held::Short { len, bytes } => {
                let mut key = [0; 8];
                key[..SHORT].copy_from_slice(bytes);
                key[SHORT] = *len;
                u64::from_le_bytes(key)
            }
        }
    }

    fn part(&self) -> Part<'_> {
        match self {
            Held::Number(number) => Part::Number(u64::from(*number)),
            // Copied whole from a `&str` in `Text::template`: still UTF-8.
            Held::Short { len, bytes } => {
                Part::Text(std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default())
            }
        }
    }
}

/// A template with its word and value, as something to format.
struct Filled<'a> {
    template: Template,
    word: Word,
    part: Part<'a>,
}

impl fmt::Display for Filled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.template)(f, self.word, self.part)
    }
}

impl Filled<'_> {
    /// The sentence written out now (a value that cannot be held in place).
    fn written(&self) -> Text {
        Text(Repr::Made(self.to_string().into_boxed_str()))
    }
}

impl Text {
    /// The sentence `template` writes with `word` and `value`, put together when it is
    /// written (now, when the value is too long to hold in place).
    pub fn template(template: Template, word: Word, value: &str) -> Text {
        let mut bytes = [0; SHORT];
        match bytes.get_mut(..value.len()) {
            Some(held) => {
                held.copy_from_slice(value.as_bytes());
                let len = value.len() as u8;
                Text(Repr::Held {
                    template,
                    word,
                    value: Held::Short { len, bytes },
                })
            }
            None => Filled {
                template,
                word,
                part: Part::Text(value),
            }
            .written(),
        }
    }

    /// The sentence `template` writes with `word` and `number`, put together when it is
    /// written (now, when the number is too large to hold in place).
    pub fn template_number(template: Template, word: Word, number: u64) -> Text {
        match u32::try_from(number) {
            Ok(held) => Text(Repr::Held {
                template,
                word,
                value: Held::Number(held),
            }),
            Err(_) => Filled {
                template,
                word,
                part: Part::Number(number),
            }
            .written(),
        }
    }

    /// The sentence: borrowed unless it is a template, which is put together here.
    pub fn to_str(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Fixed(text) => Cow::Borrowed(text),
            Repr::Made(text) => Cow::Borrowed(text),
            Repr::Held { .. } => {
                // Room for a typical sentence at once, not grown a few bytes at a time.
                let mut text = String::with_capacity(128);
                let _ = fmt::Write::write_fmt(&mut text, format_args!("{self}"));
                Cow::Owned(text)
            }
        }
    }

    /// Calls `use_text` with the sentence; a template is put together in a buffer this thread
    /// keeps for the purpose, so writing a finding allocates nothing. The last sentences put
    /// together are kept: a document that gets one thing wrong gets it wrong in every
    /// Protocol, and then the same few sentences are written over and over.
    pub fn with_str<R>(&self, use_text: impl FnOnce(&str) -> R) -> R {
        thread_local! {
            static RECENT: std::cell::RefCell<Recent> = const {
                std::cell::RefCell::new(Recent {
                    slots: [const { (0, 0, 0, String::new()) }; RECENT_SLOTS],
                    next: 0,
                })
            };
        }
        match &self.0 {
            Repr::Fixed(text) => use_text(text),
            Repr::Made(text) => use_text(text),
            Repr::Held {
                template,
                word,
                value,
            } => RECENT.with(|recent| match recent.try_borrow_mut() {
                Ok(mut recent) => {
                    // Addresses: two templates compiled to one address write the same sentence
                    // anyway, and one compiled twice (or a word kept in two places) only misses.
                    let key = (
                        *template as usize,
                        std::ptr::from_ref(*word) as usize,
                        value.key(),
                    );
                    let Recent { slots, next } = &mut *recent;
                    // A template's address is never 0, so an empty slot never matches.
                    let found = slots.iter().position(|s| (s.0, s.1, s.2) == key);
                    let slot = match found {
                        Some(at) => &mut slots[at],
                        None => {
                            // The oldest sentence makes room.
                            let slot = &mut slots[*next];
                            *next = (*next + 1) % RECENT_SLOTS;
                            slot.3.clear();
                            // Writing into a String cannot fail.
                            let _ = fmt::Write::write_fmt(&mut slot.3, format_args!("{self}"));
                            (slot.0, slot.1, slot.2) = key;
                            slot
                        }
                    };
                    use_text(&slot.3)
                }
                // Asked again while the sentences are in use: a buffer of its own.
                Err(_) => use_text(&self.to_string()),
            }),
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Fixed(text) => f.write_str(text),
            Repr::Made(text) => f.write_str(text),
            Repr::Held {
                template,
                word,
                value,
            } => template(f, word, value.part()),
        }
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.to_str(), f)
    }
}

impl From<&'static str> for Text {
    fn from(text: &'static str) -> Text {
        Text(Repr::Fixed(text))
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Repr::Made(text.into_boxed_str()))
    }
}

impl From<Cow<'static, str>> for Text {
    fn from(text: Cow<'static, str>) -> Text {
        match text {
            Cow::Borrowed(text) => text.into(),
            Cow::Owned(text) => text.into(),
        }
    }
}

/// Texts compare as the sentences they write.
impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.to_str() == other.to_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> Ordering {
        self.to_str().cmp(&other.to_str())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.to_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.to_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_off(f: &mut fmt::Formatter<'_>, name: &str, value: Part<'_>) -> fmt::Result {
        write!(f, "<{name}> must be on or off, not {:?}", value.text())
    }

    #[test]
    fn templates_write_what_format_would() {
        let long = "long value ".repeat(10);
        for value in [
            "yes",
            "",
            "é\"\n",
            "sixsix",
            "seven77",
            "Zoë \"quoted\"\n",
            &long,
        ] {
            let text = Text::template(on_off, &"SSL", value);
            let expected = format!("<SSL> must be on or off, not {value:?}");
            assert_eq!(text.to_string(), expected);
            assert_eq!(text.to_str(), expected);
            assert_eq!(text.with_str(str::to_string), expected);
            assert_eq!(format!("{text:?}"), format!("{expected:?}"));
            assert_eq!(text, Text::from(expected.clone()));
            // Held in place only when short enough.
            assert_eq!(
                matches!(text.0, Repr::Held { .. }),
                value.len() <= SHORT,
                "{value:?}"
            );
        }
        let port = |f: &mut fmt::Formatter<'_>, name: &str, value: Part<'_>| {
            write!(f, "<{name}> is {value}")
        };
        assert_eq!(
            Text::template_number(port, &"Port", 0).to_string(),
            "<Port> is 0"
        );
        for number in [4_000_000_000, 40_000_000_000, u64::MAX] {
            assert_eq!(
                Text::template_number(port, &"Port", number).to_string(),
                format!("<Port> is {number}")
            );
        }
    }

    #[test]
    fn texts_compare_as_their_sentences() {
        let fixed = Text::from("b");
        assert!(Text::from("a".to_string()) < fixed);
        assert_eq!(fixed, "b");
        assert_eq!(
            Text::template(on_off, &"SSL", "x"),
            Text::from("<SSL> must be on or off, not \"x\"")
        );
        assert!(Text::template(on_off, &"SSL", "a") < Text::template(on_off, &"SSL", "b"));
    }

    #[test]
    fn a_template_written_inside_another_gets_its_own_buffer() {
        let outer = Text::template(on_off, &"SSL", "x");
        let inner = Text::template(on_off, &"SSL", "y");
        let both = outer.with_str(|a| inner.with_str(|b| format!("{a}|{b}")));
        assert_eq!(
            both,
            "<SSL> must be on or off, not \"x\"|<SSL> must be on or off, not \"y\""
        );
    }

    fn port(f: &mut fmt::Formatter<'_>, name: &str, value: Part<'_>) -> fmt::Result {
        write!(f, "<{name}> is {value}")
    }

    /// Sentences kept from earlier are only ever the sentence asked for: texts that differ in
    /// template, word, value (text or number, same bytes or not) or length, asked for in
    /// cycles shorter and longer than the number kept, in order and out of it.
    #[test]
    fn kept_sentences_are_the_ones_asked_for() {
        static WORDS: [&str; 3] = ["SSL", "SPA", "SS"];
        let mut texts = Vec::new();
        for word in &WORDS {
            for value in ["yes", "no", "1", "", "ye", "yés", "sixsix"] {
                texts.push(Text::template(on_off, word, value));
                texts.push(Text::template(port, word, value));
            }
            for number in [0, 1, 49, 65536, u64::from(u32::MAX)] {
                texts.push(Text::template_number(port, word, number));
            }
        }
        let expected: Vec<String> = texts.iter().map(|t| format!("{t}")).collect();
        let mut seed = 7u64;
        for cycle in [
            1,
            3,
            RECENT_SLOTS - 1,
            RECENT_SLOTS,
            RECENT_SLOTS + 1,
            texts.len(),
        ] {
            for round in 0..200 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let at = if round % 2 == 0 {
                    round % cycle
                } else {
                    (seed >> 33) as usize % cycle
                };
                texts[at].with_str(|text| assert_eq!(text, expected[at], "cycle {cycle}"));
            }
        }
    }

    #[test]
    fn a_text_is_small() {
        assert_eq!(std::mem::size_of::<Text>(), 24);
        assert_eq!(std::mem::size_of::<Option<Text>>(), 24);
    }
}
