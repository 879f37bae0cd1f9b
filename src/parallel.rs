//! Sharing one large document's checks among threads. The parse is sequential (roxmltree), but
//! the model and the rules handle thousands of independent Protocols; above a size where a
//! thread pays for itself, they are split into contiguous chunks, one per thread, and the
//! results are put back together in chunk order, so the outcome never depends on scheduling.

/// Inputs smaller than this are checked on the calling thread whatever `--threads` says.
pub const MIN_PARALLEL_BYTES: usize = 4 << 20;

/// A list shorter than this many items per thread is not split: starting a thread costs tens
/// of microseconds, about what a few thousand small items take.
pub const MIN_ITEMS_PER_THREAD: usize = 2048;

/// How many threads may work on one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threads(usize);

impl Threads {
    pub const ONE: Threads = Threads(1);

    pub fn new(count: usize) -> Threads {
        Threads(count.max(1))
    }

    /// The threads worth using on `items` items.
    fn for_items(self, items: usize) -> usize {
        self.0.min(items / MIN_ITEMS_PER_THREAD).max(1)
    }

    pub fn is_one(self) -> bool {
        self.0 == 1
    }

    pub fn count(self) -> usize {
        self.0
    }
}

impl Default for Threads {
    fn default() -> Threads {
        Threads::ONE
    }
}

/// `work` over `items` in contiguous chunks (one per thread, the calling thread takes the
/// first); the results come back in the order of the chunks. A panic in a chunk is passed on.
pub fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: Threads,
    work: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let count = threads.for_items(items.len());
    if count == 1 {
        return vec![work(items)];
    }
    let size = items.len().div_ceil(count);
    let work = &work;
    std::thread::scope(|scope| {
        let others: Vec<_> = items[size..]
            .chunks(size)
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        let mut results = vec![work(&items[..size])];
        for handle in others {
            match handle.join() {
                Ok(result) => results.push(result),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    })
}

/// `work` on each item on a thread of its own (the calling thread takes the first); results
/// in item order. For a few large pieces of work already sized for the threads.
pub fn map_each<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let Some((first, rest)) = items.split_first() else {
        return Vec::new();
    };
    if rest.is_empty() {
        return vec![work(first)]; // no scope to set up: the usual case, a small input
    }
    let work = &work;
    std::thread::scope(|scope| {
        let others: Vec<_> = rest
            .iter()
            .map(|item| scope.spawn(move || work(item)))
            .collect();
        let mut results = vec![work(first)];
        for handle in others {
            match handle.join() {
                Ok(result) => results.push(result),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    })
}

/// `0..len` cut into `threads` contiguous ranges (fewer when `len` is small), in order.
pub fn ranges(len: usize, threads: Threads) -> Vec<std::ops::Range<usize>> {
    let count = threads.for_items(len);
    let size = len.div_ceil(count).max(1);
    (0..count)
        .map(|i| (i * size).min(len)..((i + 1) * size).min(len))
        .filter(|r| !r.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_item_once_in_order() {
        let items: Vec<usize> = (0..10_000).collect();
        for threads in [1, 2, 3, 8] {
            let parts = map_chunks(&items, Threads::new(threads), <[usize]>::to_vec);
            assert_eq!(parts.len(), threads.min(items.len() / MIN_ITEMS_PER_THREAD));
            assert_eq!(parts.concat(), items);
        }
    }

    #[test]
    fn ranges_cover_everything_in_order() {
        for (len, threads) in [(0, 4), (5, 4), (10_000, 1), (10_000, 3), (100_000, 8)] {
            let parts = ranges(len, Threads::new(threads));
            let flat: Vec<usize> = parts.iter().flat_map(Clone::clone).collect();
            assert_eq!(flat, (0..len).collect::<Vec<_>>(), "{len} {threads}");
            assert!(parts.len() <= threads);
        }
        assert_eq!(ranges(100_000, Threads::new(3)).len(), 3);
        let each = map_each(&ranges(100_000, Threads::new(3)), |r| r.len());
        assert_eq!(each.iter().sum::<usize>(), 100_000);
    }

    #[test]
    fn short_lists_stay_on_the_calling_thread() {
        let caller = std::thread::current().id();
        let items = [1, 2, 3];
        let ids = map_chunks(&items, Threads::new(8), |_| std::thread::current().id());
        assert_eq!(ids, vec![caller]);
    }
}
