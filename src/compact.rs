//! The indentation between elements, taken out before parsing. roxmltree keeps every run of
//! whitespace between two tags as a text node: in an indented document that is about a third
//! of the tree (measured: 2.9 of 7.7 million nodes on a 100 MB response), and no check reads
//! them. Taking them out of the text (in place) makes the tree smaller and the parse, the walk
//! and the free faster. What was taken out is logged (`RunLog`): offsets in the compacted text
//! are mapped back to the input wherever a finding or a report value is placed, and the input
//! is put back together when something quotes it, so nothing a user sees changes.
//!
//! A run is taken out only when it is a whole text of XML whitespace (space, tab, CR, LF)
//! that touches the tag of a child element: after an end tag or an empty element, or before a
//! start tag or an empty element. Its parent therefore holds elements, so it is not a value:
//! the whitespace of a value (`<Server> x </Server>`, `<SSL> </SSL>`) and text next to
//! comments, CDATA or processing instructions stay as written. (In a text with none of those,
//! the whitespace between the XML declaration and the root goes too: it is not a node.) When
//! the markup must be followed, anything unexpected (a DOCTYPE, an unterminated comment or tag)
//! ends the scan: what follows is kept as is, and the parser reports the problem.

use std::ops::Range;
use std::sync::OnceLock;

/// The scan for the runs to take out, in document order. It holds positions rather than the
/// text, so that the text can be compacted behind it as it goes.
struct Scanner {
    /// The text holds no comment, CDATA section, processing instruction (but an XML
    /// declaration at its start) or DOCTYPE: every `<` starts a tag, and the runs can be found
    /// from each `>` without following the markup (`next_plain_run`).
    plain: bool,
    /// Where a plain scan is (unused when the markup is followed).
    block: Block,
    /// Where the text before the next markup starts (when the markup is followed).
    at: usize,
    /// Elements open around `at`.
    depth: usize,
    /// The markup before `at` closed a child element (end tag or empty element).
    after_child: bool,
    /// The markup before `at` was a CDATA section.
    after_cdata: bool,
}

/// A plain scan's position: one 64-byte block of the text as bit masks (bit `i` is the byte
/// at `base + i`), so that finding a run, its end and the tag before it are a few word
/// operations instead of a byte loop.
#[derive(Default)]
struct Block {
    base: usize,
    /// `<` and `>`.
    markup: u64,
    /// XML whitespace.
    space: u64,
    /// Whitespace right after a `>` not yet looked at: where runs may start.
    starts: u64,
    /// The last `<` or `>` before the block, and the one before that.
    last: Option<usize>,
    second: Option<usize>,
}

const BLOCK: usize = 64;

impl Block {
    /// The block at `base`; `last` and `second` must already describe what comes before it.
    fn load(&mut self, bytes: &[u8], base: usize) {
        let (lt, gt, space) = match bytes.get(base..base + BLOCK) {
            Some(chunk) => masks(chunk.try_into().unwrap_or(&[0; BLOCK])),
            None => {
                let mut chunk = [0u8; BLOCK]; // past the end: no markup, no whitespace
                let rest = &bytes[base.min(bytes.len())..];
                chunk[..rest.len()].copy_from_slice(rest);
                masks(&chunk)
            }
        };
        // A run may start at the block's first byte when the previous block ended with `>`.
        // (`last` is at or after the end of the last run taken out, so it was not written over.)
        let gt_before = self
            .last
            .is_some_and(|at| at + 1 == base && bytes[at] == b'>');
        self.base = base;
        self.markup = lt | gt;
        self.space = space;
        self.starts = space & (gt << 1 | u64::from(gt_before));
    }

    /// Moves to the block holding `offset`; the blocks in between must hold no markup.
    fn advance(&mut self, bytes: &[u8], offset: usize) {
        let highest = |mask: u64| self.base + BLOCK - 1 - mask.leading_zeros() as usize;
        if self.markup != 0 {
            let last = highest(self.markup);
            let rest = self.markup & !(1 << (last - self.base));
            self.second = if rest != 0 {
                Some(highest(rest))
            } else {
                self.last
            };
            self.last = Some(last);
        }
        self.load(bytes, offset - offset % BLOCK);
    }

    /// The `<` or `>` nearest before `offset`, which lies in this block (or just before it).
    fn markup_before(&self, offset: usize) -> Option<usize> {
        if offset < self.base {
            // The `>` just before the block is `last`; what precedes it is `second`.
            return self.second;
        }
        let below = self.markup & ((1u64 << (offset - self.base)) - 1);
        if below == 0 {
            return self.last;
        }
        Some(self.base + BLOCK - 1 - below.leading_zeros() as usize)
    }
}

/// What a piece of markup is, as far as the runs are concerned.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Markup {
    Start,
    Empty,
    End,
    /// Comment, CDATA section, processing instruction.
    Other,
}

fn is_xml_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

impl Scanner {
    fn new(bytes: &[u8]) -> Scanner {
        // `!` and `?` are rare in Autodiscover documents (a `?` in a URL now and then), so
        // this costs one vector search.
        let declaration = if bytes.starts_with(b"<?xml") { 2 } else { 0 };
        let plain = memchr::memchr2_iter(b'!', b'?', &bytes[declaration.min(bytes.len())..])
            .all(|at| at + declaration == 0 || bytes[at + declaration - 1] != b'<');
        let mut block = Block::default();
        if plain {
            block.load(bytes, 0);
        }
        Scanner {
            plain,
            block,
            at: 0,
            depth: 0,
            after_child: false,
            after_cdata: false,
        }
    }

    /// `next_run` for a plain text (see `plain`): a text of whitespace only between a tag's
    /// `>` and a `<` goes when the `<` starts a child's tag, or when the tag before it is an
    /// end tag or an empty element. Either way its parent holds elements, so it is not a
    /// value. A `>` in text is never taken for a tag's end (the nearest markup before it must
    /// be a `<` with no other `>` between); a `<` in text or in an attribute value is an error
    /// the parser reports.
    fn next_plain_run(&mut self, bytes: &[u8]) -> Option<Range<usize>> {
        let block = &mut self.block;
        loop {
            if block.starts == 0 {
                let next = block.base + BLOCK;
                if next >= bytes.len() {
                    return None;
                }
                block.advance(bytes, next);
                continue;
            }
            let start = block.base + block.starts.trailing_zeros() as usize;
            block.starts &= block.starts - 1;
            let gt = start - 1;
            // The `>` must end a tag (the nearest markup before it is a `<`), so that the run
            // is a whole text node; a `>` in a value's text is not one.
            let Some(open) = block.markup_before(gt).filter(|&at| bytes[at] == b'<') else {
                continue;
            };
            let beyond = !block.space & (u64::MAX << (start - block.base));
            let end = if beyond != 0 {
                block.base + beyond.trailing_zeros() as usize
            } else {
                // The run goes on past this block (deep indentation): the blocks it covers
                // are whitespace, with no markup to remember.
                let mut end = block.base + BLOCK;
                while bytes.get(end).is_some_and(|&b| is_xml_space(b)) {
                    end += 1;
                }
                if end >= bytes.len() {
                    return None;
                }
                block.advance(bytes, end);
                end
            };
            if bytes.get(end) != Some(&b'<') {
                continue;
            }
            let before_child = bytes
                .get(end + 1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b >= 0x80);
            let after_child = bytes[open + 1] == b'/' || bytes[gt - 1] == b'/';
            if before_child || after_child {
                return Some(start..end);
            }
        }
    }

    /// The markup starting at `start` (a `<`): its kind and where it ends (past its `>`).
    /// None for anything unexpected, which ends the scan. Tags are short, so they are read
    /// byte by byte (cheaper than setting up a vector search for a dozen bytes).
    fn markup(bytes: &[u8], start: usize) -> Option<(Markup, usize)> {
        let rest = &bytes[start..];
        let after = |from: usize, needle: &[u8]| {
            memchr::memmem::find(&bytes[from..], needle).map(|p| from + p + needle.len())
        };
        match rest.get(1)? {
            b'/' => find(bytes, start + 2, b">").map(|end| (Markup::End, end + 1)),
            b'?' => after(start + 2, b"?>").map(|end| (Markup::Other, end)),
            b'!' if rest.starts_with(b"<!--") => {
                after(start + 4, b"-->").map(|end| (Markup::Other, end))
            }
            b'!' if rest.starts_with(b"<![CDATA[") => {
                after(start + 9, b"]]>").map(|end| (Markup::Other, end))
            }
            b'!' => None, // a DOCTYPE: the parser refuses it
            first if first.is_ascii_alphabetic() || *first == b'_' || *first >= 0x80 => {
                // A start tag: its `>` is the first one outside quoted attribute values.
                let mut j = start + 1;
                loop {
                    j = find(bytes, j, b">\"'")?;
                    let found = bytes[j];
                    if found == b'>' {
                        let kind = if bytes[j - 1] == b'/' {
                            Markup::Empty
                        } else {
                            Markup::Start
                        };
                        return Some((kind, j + 1));
                    }
                    j = find(bytes, j + 1, &[found])? + 1;
                }
            }
            _ => None,
        }
    }

    /// The next run at or after the scan's position. `bytes` from that position on must be
    /// the input's.
    fn next_run(&mut self, bytes: &[u8]) -> Option<Range<usize>> {
        if self.plain {
            return self.next_plain_run(bytes);
        }
        loop {
            // The text up to the next markup; whether it is all whitespace is asked only when
            // it could be taken out.
            let text_start = self.at;
            let Some(i) = find(bytes, text_start, b"<") else {
                self.at = bytes.len();
                return None;
            };
            let Some((kind, end)) = Scanner::markup(bytes, i) else {
                self.at = bytes.len();
                return None;
            };
            let inside = self.depth > 0;
            let touches_child = self.after_child || matches!(kind, Markup::Start | Markup::Empty);
            // The parser joins a CDATA section with the text beside it into one text node:
            // whitespace touching one is part of that text (found by the structured fuzzer).
            let cdata = matches!(kind, Markup::Other) && bytes[i..].starts_with(b"<![CDATA[");
            let touches_cdata = self.after_cdata || cdata;
            self.after_cdata = cdata;
            match kind {
                Markup::Start => self.depth += 1,
                Markup::End => self.depth = self.depth.saturating_sub(1),
                Markup::Empty | Markup::Other => {}
            }
            self.after_child = matches!(kind, Markup::End | Markup::Empty);
            self.at = end;
            if inside
                && touches_child
                && !touches_cdata
                && i > text_start
                && bytes[text_start..i]
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            {
                return Some(text_start..i);
            }
        }
    }
}

/// Which bytes of a block are `<`, `>` and XML whitespace, as bit masks (bit `i`: byte `i`).
#[cfg(target_arch = "x86_64")]
fn masks(chunk: &[u8; BLOCK]) -> (u64, u64, u64) {
    // SAFETY: SSE2 is part of x86-64 itself; every x86-64 processor has it.
    unsafe { masks_sse2(chunk) }
}

/// `masks`, sixteen bytes per compare.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn masks_sse2(chunk: &[u8; BLOCK]) -> (u64, u64, u64) {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    let (mut lt, mut gt, mut space) = (0u64, 0u64, 0u64);
    for (i, part) in chunk.chunks_exact(16).enumerate() {
        let mut low = [0u8; 8];
        let mut high = [0u8; 8];
        low.copy_from_slice(&part[..8]);
        high.copy_from_slice(&part[8..]);
        let v = _mm_set_epi64x(i64::from_le_bytes(high), i64::from_le_bytes(low));
        let lt_here = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'<' as i8));
        let gt_here = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'>' as i8));
        let space_here = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
            ),
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
            ),
        );
        // movemask sets the low 16 bits, one per byte.
        let shift = 16 * i;
        lt |= u64::from(_mm_movemask_epi8(lt_here) as u16) << shift;
        gt |= u64::from(_mm_movemask_epi8(gt_here) as u16) << shift;
        space |= u64::from(_mm_movemask_epi8(space_here) as u16) << shift;
    }
    (lt, gt, space)
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(chunk: &[u8; BLOCK]) -> (u64, u64, u64) {
    masks_portable(chunk)
}

/// `masks` a byte at a time (other processors; the reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn masks_portable(chunk: &[u8; BLOCK]) -> (u64, u64, u64) {
    let (mut lt, mut gt, mut space) = (0u64, 0u64, 0u64);
    for (i, &b) in chunk.iter().enumerate() {
        lt |= u64::from(b == b'<') << i;
        gt |= u64::from(b == b'>') << i;
        space |= u64::from(is_xml_space(b)) << i;
    }
    (lt, gt, space)
}

/// Eight bytes at a time: the gaps between markup are short (an indentation, a value, a tag
/// name), too short for a vector search to pay for its set-up, but long enough that reading
/// them byte by byte costs more than a word-wide test.
const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that equals `byte` (and possibly of a byte after it,
/// which does not matter: only the lowest match is used).
fn matches(word: u64, byte: u8) -> u64 {
    let x = word ^ (LOW_BITS * u64::from(byte));
    x.wrapping_sub(LOW_BITS) & !x & HIGH_BITS
}

/// The first offset at or after `from` whose byte is one of `needles` (one to three bytes).
fn find(bytes: &[u8], from: usize, needles: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let hits = needles.iter().fold(0, |hits, &n| hits | matches(word, n));
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    bytes[i.min(bytes.len())..]
        .iter()
        .position(|b| needles.contains(b))
        .map(|p| i + p)
}

/// Inputs longer than this are parsed as they are: the log holds 32-bit offsets.
const MAX_COMPACTED: usize = 1 << 30;

/// Takes the indentation runs out of `text`, in place; the log says what they were. None (and
/// `text` untouched) when there is nothing to take out.
pub fn compact_in_place(text: &mut String) -> Option<RunLog> {
    if text.len() > MAX_COMPACTED {
        return None;
    }
    let mut scanner = Scanner::new(text.as_bytes());
    let first = scanner.next_run(text.as_bytes())?;
    let mut bytes = std::mem::take(text).into_bytes();
    let mut log = RunLog::default();
    // About one run per 32 bytes of an indented document: room made once, not doubled a
    // dozen times (the log of a small document is built thousands of times a second).
    log.at.reserve(bytes.len() / 32);
    log.sizes.reserve(bytes.len() / 32);
    let (mut kept, mut write) = (0, 0);
    let mut run = Some(first);
    while let Some(taken) = run {
        // The scan reads ahead of `taken.end`; everything written lies before `taken.start`.
        bytes.copy_within(kept..taken.start, write);
        write += taken.start - kept;
        log.push(write, &bytes[taken.clone()]);
        kept = taken.end;
        run = scanner.next_run(&bytes);
    }
    bytes.copy_within(kept.., write);
    bytes.truncate(write + (bytes.len() - kept));
    if bytes.capacity() >= 1 << 20 {
        bytes.shrink_to_fit(); // a large buffer gives its tail back (realloc, no copy)
    }
    // Only ASCII whitespace was taken out, between characters, so this is still UTF-8; were it
    // not, the input is put back and parsed as it was.
    match String::from_utf8(bytes) {
        Ok(compacted) => {
            *text = compacted;
            Some(log)
        }
        Err(e) => {
            *text = log.restore_bytes(e.into_bytes());
            None
        }
    }
}

/// The runs `compact_in_place` took out: where each was in the compacted text and what it held.
/// Maps offsets in the compacted text back to the input and puts the input back together. An
/// empty log is the identity (a text parsed as it was). Six bytes a run: a 100 MB response has
/// nearly three million.
#[derive(Debug, Default)]
pub struct RunLog {
    /// Per run: its offset in the compacted text (ascending; a long run is logged in pieces
    /// at the same offset).
    at: Vec<u32>,
    /// Per run: its length (low bits) and shape (`SHAPE_SHIFT` and up).
    sizes: Vec<u16>,
    /// The bytes of the runs of no common shape, in order.
    pool: Vec<u8>,
    /// Bytes taken out up to and including each run: built when the first offset is mapped.
    through: OnceLock<Vec<u32>>,
    /// How many runs lay before the last offset mapped (where the next search starts).
    last_count: std::sync::atomic::AtomicUsize,
}

/// How far `RunLog::line_starts` has gone through the log.
#[derive(Default)]
struct LineCursor {
    /// The next run.
    run: usize,
    /// Where the next pooled run's bytes start in the pool.
    pool: usize,
    /// Bytes taken out before the next run.
    removed: usize,
}

/// What a run held: a line break then spaces or tabs (nearly every run of an indented document,
/// logged in two bits), or anything else (kept in the pool).
const LF_SPACES: u16 = 0;
const CRLF_SPACES: u16 = 1;
const LF_TABS: u16 = 2;
const POOLED: u16 = 3;
const SHAPE_SHIFT: u32 = 14;
const MAX_PIECE: usize = (1 << SHAPE_SHIFT) - 1;

fn shape_of(run: &[u8]) -> u16 {
    let (shape, rest) = match run {
        [b'\r', b'\n', rest @ ..] => (CRLF_SPACES, rest),
        [b'\n', rest @ ..] => (LF_SPACES, rest),
        _ => return POOLED,
    };
    if all_equal(rest, b' ') {
        shape
    } else if shape == LF_SPACES && all_equal(rest, b'\t') {
        LF_TABS
    } else {
        POOLED
    }
}

/// Whether every byte of `bytes` is `byte`, eight at a time (an indentation is a dozen bytes).
fn all_equal(bytes: &[u8], byte: u8) -> bool {
    let word = u64::from_le_bytes([byte; 8]);
    let mut words = bytes.chunks_exact(8);
    words
        .by_ref()
        .all(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()) == word)
        && words.remainder().iter().all(|&b| b == byte)
}

impl RunLog {
    /// The log of a text parsed as it was.
    pub fn identity() -> RunLog {
        RunLog::default()
    }

    fn push(&mut self, at: usize, run: &[u8]) {
        // Fits: the text is at most MAX_COMPACTED bytes long.
        let at = at as u32;
        for piece in run.chunks(MAX_PIECE) {
            let shape = shape_of(piece);
            if shape == POOLED {
                self.pool.extend_from_slice(piece);
            }
            self.at.push(at);
            self.sizes.push(shape << SHAPE_SHIFT | piece.len() as u16);
        }
    }

    fn len_of(&self, i: usize) -> usize {
        usize::from(self.sizes[i] & MAX_PIECE as u16)
    }

    fn through(&self) -> &[u32] {
        self.through.get_or_init(|| {
            let mut removed = 0;
            (0..self.sizes.len())
                .map(|i| {
                    removed += self.len_of(i) as u32;
                    removed
                })
                .collect()
        })
    }

    /// Taken out before or at `offset` (`at_too`) or strictly before it.
    fn removed_before(&self, offset: usize, at_too: bool) -> usize {
        if self.at.is_empty() {
            return 0;
        }
        let before = |at: &u32| {
            let at = *at as usize;
            at < offset || (at_too && at == offset)
        };
        // Offsets come mostly in document order: the search starts where the last one ended,
        // looks a few runs ahead, and only then halves what is left.
        use std::sync::atomic::Ordering::Relaxed;
        let hint = self.last_count.load(Relaxed).min(self.at.len());
        let count = if hint == 0 || before(&self.at[hint - 1]) {
            let ahead = &self.at[hint..];
            match ahead.iter().take(8).position(|at| !before(at)) {
                Some(steps) => hint + steps,
                None => hint + ahead.partition_point(before),
            }
        } else {
            self.at[..hint].partition_point(before)
        };
        self.last_count.store(count, Relaxed);
        count
            .checked_sub(1)
            .map_or(0, |i| self.through()[i] as usize)
    }

    /// Where something starting at `offset` of the compacted text starts in the input (after
    /// a run taken out right there).
    pub fn start(&self, offset: usize) -> usize {
        offset + self.removed_before(offset, true)
    }

    /// Where something ending at `offset` of the compacted text ends in the input (before a
    /// run taken out right there).
    pub fn end(&self, offset: usize) -> usize {
        offset + self.removed_before(offset, false)
    }

    pub fn span(&self, span: Range<usize>) -> Range<usize> {
        let start = self.start(span.start);
        start..self.end(span.end).max(start)
    }

    /// Where the input's lines start (offsets in the input, the first being 0), counted from
    /// the compacted text and the log without putting the input back together: one search for
    /// line breaks in the compacted text (an indented document keeps few), and the line break
    /// that opens nearly every run is known from its shape.
    pub fn line_starts(&self, compacted: &str) -> Vec<usize> {
        let mut starts = Vec::with_capacity(self.at.len() + 1);
        starts.push(0);
        let mut cursor = LineCursor::default();
        for line_break in memchr::memchr_iter(b'\n', compacted.as_bytes()) {
            self.runs_through(line_break, &mut cursor, &mut starts);
            starts.push(line_break + cursor.removed + 1);
        }
        self.runs_through(usize::MAX, &mut cursor, &mut starts);
        starts
    }

    /// Adds the line starts of the runs logged at or before `compacted_offset` (a run logged
    /// at an offset was taken out just before the byte there).
    fn runs_through(
        &self,
        compacted_offset: usize,
        cursor: &mut LineCursor,
        starts: &mut Vec<usize>,
    ) {
        while let Some(&at) = self.at.get(cursor.run) {
            let at = at as usize;
            if at > compacted_offset {
                break;
            }
            let len = self.len_of(cursor.run);
            let in_input = at + cursor.removed;
            match self.sizes[cursor.run] >> SHAPE_SHIFT {
                LF_SPACES | LF_TABS => starts.push(in_input + 1),
                CRLF_SPACES => starts.push(in_input + 2),
                _ => {
                    let held = &self.pool[cursor.pool..cursor.pool + len];
                    starts.extend(memchr::memchr_iter(b'\n', held).map(|i| in_input + i + 1));
                    cursor.pool += len;
                }
            }
            cursor.removed += len;
            cursor.run += 1;
        }
    }

    /// Where an offset of the input is in the compacted text: the offset less the bytes taken
    /// out before it (a place inside a run taken out is where that run was).
    pub fn compacted_offset(&self, offset: usize) -> usize {
        if self.at.is_empty() {
            return offset;
        }
        let through = self.through();
        let input_start = |i: usize| self.at[i] as usize + through[i] as usize - self.len_of(i);
        // The runs that start in the input before `offset`: [0, low).
        let (mut low, mut high) = (0, self.at.len());
        while low < high {
            let middle = low + (high - low) / 2;
            if input_start(middle) < offset {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let Some(last) = low.checked_sub(1) else {
            return offset;
        };
        let len = self.len_of(last);
        let before = through[last] as usize - len;
        offset - before - len.min(offset - input_start(last))
    }

    /// The input, from the compacted text (in place: the buffer grows back to the input's
    /// length and each piece moves once, from the last to the first).
    pub fn restore(&self, compacted: String) -> String {
        if self.at.is_empty() {
            return compacted;
        }
        self.restore_bytes(compacted.into_bytes())
    }

    fn restore_bytes(&self, mut bytes: Vec<u8>) -> String {
        let compact_len = bytes.len();
        let mut through: usize = (0..self.sizes.len()).map(|i| self.len_of(i)).sum();
        bytes.resize(compact_len + through, 0);
        let mut pool_end = self.pool.len();
        let mut piece_end = compact_len;
        for i in (0..self.at.len()).rev() {
            let at = self.at[i] as usize;
            let before = through - self.len_of(i);
            bytes.copy_within(at..piece_end, at + through);
            let run = &mut bytes[at + before..at + through];
            match self.sizes[i] >> SHAPE_SHIFT {
                POOLED => {
                    run.copy_from_slice(&self.pool[pool_end - run.len()..pool_end]);
                    pool_end -= run.len();
                }
                shape => {
                    let (line_break, fill): (&[u8], u8) = match shape {
                        CRLF_SPACES => (b"\r\n", b' '),
                        LF_TABS => (b"\n", b'\t'),
                        _ => (b"\n", b' '),
                    };
                    run[..line_break.len()].copy_from_slice(line_break);
                    run[line_break.len()..].fill(fill);
                }
            }
            piece_end = at;
            through = before;
        }
        // The input was UTF-8 (it was decoded into a String), and this is that input again.
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineIndex;

    fn runs(text: &str) -> Vec<&str> {
        let mut scanner = Scanner::new(text.as_bytes());
        std::iter::from_fn(|| scanner.next_run(text.as_bytes()))
            .map(|r| &text[r])
            .collect()
    }

    /// The compacted text, checking on the way that the log puts the input back together and
    /// places every offset of the input as the input itself would.
    fn compact(text: &str) -> Option<String> {
        let mut copy = text.to_string();
        let log = compact_in_place(&mut copy)?;
        assert_eq!(log.restore(copy.clone()), text);
        assert_places_agree(text, &copy, &log);
        Some(copy)
    }

    /// Lines, positions and compacted offsets counted through the log equal those counted on
    /// the input, at every character boundary.
    fn assert_places_agree(text: &str, compacted: &str, log: &RunLog) {
        let direct = LineIndex::new(text);
        let through = LineIndex::of_compacted(compacted, log);
        assert_eq!(through.line_count(), direct.line_count(), "{text:?}");
        for line in 1..=direct.line_count() {
            assert_eq!(
                through.line_start(line),
                direct.line_start(line),
                "{text:?}"
            );
        }
        let mut taken_out = vec![false; text.len()];
        let mut scanner = Scanner::new(text.as_bytes());
        while let Some(run) = scanner.next_run(text.as_bytes()) {
            taken_out[run].fill(true);
        }
        let mut kept_before = 0;
        for offset in 0..=text.len() {
            if text.is_char_boundary(offset) {
                assert_eq!(
                    through.position_compacted(compacted, log, text.len(), offset),
                    direct.position(text, offset),
                    "{text:?} at {offset}"
                );
            }
            assert_eq!(
                log.compacted_offset(offset),
                kept_before,
                "{text:?} at {offset}"
            );
            kept_before += usize::from(!taken_out.get(offset).copied().unwrap_or(true));
        }
        // Offsets of the compacted text map to the same bytes of the input whatever the order
        // they are asked in (the search starts from the last one).
        let forward: Vec<(usize, usize)> = (0..=compacted.len())
            .map(|at| (log.start(at), log.end(at)))
            .collect();
        for (at, &(start, _)) in forward.iter().enumerate().take(compacted.len()) {
            assert_eq!(
                text.as_bytes()[start],
                compacted.as_bytes()[at],
                "{text:?} at {at}"
            );
            assert!(!taken_out[start]);
        }
        for at in (0..=compacted.len()).rev() {
            assert_eq!(
                (log.start(at), log.end(at)),
                forward[at],
                "{text:?} at {at}"
            );
        }
        for step in 0..=compacted.len() {
            let at = step * 7919 % (compacted.len() + 1);
            assert_eq!(
                (log.start(at), log.end(at)),
                forward[at],
                "{text:?} at {at}"
            );
        }
    }

    #[test]
    fn takes_out_indentation_between_elements_only() {
        // Plain (no comment, CDATA, instruction or DOCTYPE): found from each `>`; the
        // whitespace after the declaration (not a node) goes too.
        let text = "<?xml version=\"1.0\"?>\n<A>\n  <B>x</B>\n  <C/>\n  <D> </D>\n</A>\n";
        assert!(Scanner::new(text.as_bytes()).plain);
        assert_eq!(runs(text), ["\n", "\n  ", "\n  ", "\n  ", "\n"]);
        assert_eq!(
            compact(text).unwrap(),
            "<?xml version=\"1.0\"?><A><B>x</B><C/><D> </D></A>\n"
        );
        // The same with a comment: the markup is followed from the start.
        let text = "<?xml version=\"1.0\"?>\n<A>\n  <B>x</B>\n  <C/>\n  <D> </D>\n</A>\n<!---->";
        assert!(!Scanner::new(text.as_bytes()).plain);
        assert_eq!(runs(text), ["\n  ", "\n  ", "\n  ", "\n"]);
    }

    /// The plain scan's rule, one byte at a time: a `>` that ends a tag (the markup before it is
    /// a `<`), whitespace, then a `<`; the tag before is an end tag or an empty element, or
    /// the `<` starts a child's tag.
    fn plain_runs_one_byte_at_a_time(bytes: &[u8]) -> Vec<Range<usize>> {
        let mut runs = Vec::new();
        for (gt, _) in bytes.iter().enumerate().filter(|(_, b)| **b == b'>') {
            let start = gt + 1;
            let end = start
                + bytes[start..]
                    .iter()
                    .take_while(|b| is_xml_space(**b))
                    .count();
            let open = bytes[..gt].iter().rposition(|&b| b == b'<' || b == b'>');
            let Some(open) = open.filter(|&at| bytes[at] == b'<') else {
                continue;
            };
            if end == start || bytes.get(end) != Some(&b'<') {
                continue;
            }
            let before_child = bytes
                .get(end + 1)
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b >= 0x80);
            if before_child || bytes[open + 1] == b'/' || bytes[gt - 1] == b'/' {
                runs.push(start..end);
            }
        }
        runs
    }

    #[test]
    fn plain_scan_finds_what_a_byte_loop_finds_across_blocks() {
        // Pieces put together at random, so that tags, values and runs of every length fall
        // across the scan's 64-byte blocks.
        let long_value = format!("<L a='{}'>", "v".repeat(70));
        let long_run = format!("\n{}", " ".repeat(130));
        let pieces = [
            "<A>",
            "</A>",
            "<B/>",
            "<C x='>'>",
            "<D x='a'/>",
            "</C>",
            ">",
            "/>",
            "x",
            "é",
            " ",
            "\n",
            "\t",
            "\r\n",
            "\n    ",
            "\n\t\t",
            "text > ",
            long_value.as_str(),
            long_run.as_str(),
            "< A>",
            "<_u>",
            "<é>",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        for _ in 0..3000 {
            let count = next(120);
            let text: String = (0..count).map(|_| pieces[next(pieces.len())]).collect();
            let scanner = Scanner::new(text.as_bytes());
            assert!(scanner.plain, "{text:?}");
            let expected: Vec<&str> = plain_runs_one_byte_at_a_time(text.as_bytes())
                .into_iter()
                .map(|r| &text[r])
                .collect();
            assert_eq!(runs(&text), expected, "{text:?}");
            if let Some(compacted) = compact(&text) {
                assert_eq!(compacted.len(), text.len() - expected.concat().len());
            }
        }
    }

    #[test]
    fn all_equal_looks_at_every_byte() {
        for len in 0..20 {
            assert!(all_equal(&vec![b' '; len], b' '));
            for odd in 0..len {
                let mut bytes = vec![b' '; len];
                bytes[odd] = b'\t';
                assert!(!all_equal(&bytes, b' '), "{len} {odd}");
            }
        }
    }

    #[test]
    fn block_masks_agree_with_a_byte_loop() {
        let mut chunk = [0u8; BLOCK];
        for shift in 0..=255u8 {
            for (i, b) in chunk.iter_mut().enumerate() {
                *b = (i as u8).wrapping_mul(37).wrapping_add(shift);
            }
            chunk[shift as usize % BLOCK] = b'<';
            chunk[(shift as usize + 7) % BLOCK] = b'>';
            chunk[(shift as usize + 13) % BLOCK] = b'\r';
            assert_eq!(masks(&chunk), masks_portable(&chunk));
        }
    }

    #[test]
    fn plain_texts_never_take_a_value_apart() {
        for kept in [
            "<A>x>  </A>",
            "<A>a/>  </A>",
            "<A><B>x>  </B></A>",
            "<A x='>'>  </A>",
            "<A x='a'/>",
            "<A>  <\n/A>",
        ] {
            assert!(Scanner::new(kept.as_bytes()).plain, "{kept}");
            assert_eq!(compact(kept), None, "{kept}");
        }
        // Text ending in `>` keeps its whitespace, even beside a child's tag: some elements
        // holding both text and elements are reported with their text (found by the fuzzer).
        assert_eq!(compact("<A>x>  <B/></A>"), None);
        assert_eq!(
            compact("<A>u?>\n<B/>\n</A>").as_deref(),
            Some("<A>u?>\n<B/></A>")
        );
        assert_eq!(compact("<A><B/>  </A>").as_deref(), Some("<A><B/></A>"));
        // A `?` or `!` elsewhere than after `<` keeps a text plain.
        assert!(Scanner::new(b"<A>?x=!</A>").plain);
        assert!(!Scanner::new(b"<A><?pi?></A>").plain);
        assert!(!Scanner::new(b"<A><!---->").plain);
    }

    #[test]
    fn keeps_values_and_text_beside_comments_cdata_and_instructions() {
        for kept in [
            "<A> </A>",
            "<A><B>  </B></A>",
            "<A><B> x </B></A>",
            "<A><B> <!-- c --> </B></A>",
            "<A><B><![CDATA[ ]]> </B></A>",
            "<A><B> <?pi x?> </B></A>",
            "<A> text <B/></A>",
            // Whitespace beside CDATA is part of the CDATA's text node, even between elements.
            "<A><B/>\n  <![CDATA[x]]></A>",
            "<A><![CDATA[x]]>\n  <B/></A>",
        ] {
            assert_eq!(compact(kept), None, "{kept}");
        }
        // Beside a child's tag, even after a comment, it goes.
        assert_eq!(
            compact("<A><!-- c --> <B/></A>").as_deref(),
            Some("<A><!-- c --><B/></A>")
        );
    }

    #[test]
    fn quoted_attribute_values_may_hold_markup() {
        // Followed markup (not plain: a comment) skips quoted values.
        let text = "<!----><A x='>' y=\"<B>\">\n <B/>\n</A>";
        assert_eq!(runs(text), ["\n ", "\n"]);
        // Plain, a `>` in a value is never a tag's end (and a `<` in one is a parse error).
        let text = "<A x='a>b'>\n <B/>\n</A>";
        assert_eq!(runs(text), ["\n"]);
    }

    #[test]
    fn stops_at_what_it_does_not_expect() {
        // Followed markup (a comment makes the text not plain): the scan ends at the surprise.
        assert_eq!(runs("<!DOCTYPE a>\n<A>\n <B/>\n</A>"), Vec::<&str>::new());
        assert_eq!(runs("<A>\n <B/>\n <!-- never closed"), ["\n "]);
        assert_eq!(
            runs("<!----><A>\n <B x='never closed/>\n</A>"),
            Vec::<&str>::new()
        );
        assert_eq!(runs("<!----><A>\n < B/>\n</A>"), Vec::<&str>::new());
        // Plain: malformed markup may let runs go; the parser reports it, and the input is
        // then parsed as written.
        assert_eq!(runs("<A>\n < B/>\n</A>"), ["\n"]);
        assert_eq!(runs(""), Vec::<&str>::new());
        assert_eq!(runs("<"), Vec::<&str>::new());
        assert_eq!(runs(">"), Vec::<&str>::new());
        assert_eq!(runs("> <"), Vec::<&str>::new());
    }

    /// A long non-ASCII line with runs taken out along it (a one-line document with spaces
    /// between its tags): columns far from the line start are counted through the compacted
    /// text's checkpoints, and still equal the input's.
    #[test]
    fn columns_on_long_non_ascii_lines_are_the_inputs() {
        let element = "<B>Zoë Ångström 山田</B>  ";
        let text = format!("<A>\n{}<C/>\n</A>", element.repeat(600));
        assert!(text.len() > 4 * 4096);
        let compacted = compact(&text).unwrap();
        assert!(compacted.len() < text.len());
    }

    #[test]
    fn every_shape_of_run_is_put_back() {
        let text = "<A>\r\n  <B/>\n\t\t<C/>\n  <D/> \n <E/>\t<F/>\n</A>";
        assert_eq!(compact(text).unwrap(), "<A><B/><C/><D/><E/><F/></A>");
        // A run longer than a log entry holds is logged in pieces.
        let long = format!(
            "<A>\n{}<B/>{}<C/></A>",
            " ".repeat(40_000),
            "\t \n".repeat(9_000)
        );
        assert_eq!(compact(&long).unwrap(), "<A><B/><C/></A>");
        let mut compacted = long.clone();
        let log = compact_in_place(&mut compacted).unwrap();
        let at = compacted.find("<C/>").unwrap();
        assert_eq!(&long[log.span(at..at + 4)], "<C/>");
        let text = "<A>\n  <B>é</B>\n  <C>ü</C>\r\n</A>";
        assert_eq!(compact(text).unwrap(), "<A><B>é</B><C>ü</C></A>");
    }

    #[test]
    fn offsets_map_back_to_the_input() {
        let text = "<A>\n  <B>x</B>\n  <C/>\n</A>";
        let copy = compact(text).unwrap();
        assert_eq!(copy, "<A><B>x</B><C/></A>");
        let mut compacted = text.to_string();
        let map = compact_in_place(&mut compacted).unwrap();
        for needle in ["<B>", "x", "</B>", "<C/>", "</A>"] {
            let at = copy.find(needle).unwrap();
            let span = map.span(at..at + needle.len());
            assert_eq!(&text[span], needle);
        }
        // A span over runs taken out covers them again.
        assert_eq!(&text[map.span(0..copy.len())], text);
        assert_eq!(map.start(copy.len()), text.len());
        assert_eq!(RunLog::identity().span(3..5), 3..5);
    }
}
