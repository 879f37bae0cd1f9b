//! What to read: the paths given, directories walked the way ripgrep walks them (ignore files
//! honoured, hidden entries skipped, a deterministic order), stdin; and reading one input with
//! as few system calls as possible.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::messages::Messages;

/// One input to read, in the order the output lists it.
#[derive(Debug, Clone)]
pub(super) enum Input {
    /// A file named on the command line (`found: false`: always judged) or found by walking a
    /// directory (`found: true`: another kind of XML file is skipped, not judged).
    File { path: PathBuf, found: bool },
    /// Stdin, under its display name.
    Stdin(String),
    /// A path that could not be listed or opened as a file: reported in its place.
    Unreadable { path: String, message: String },
}

impl Input {
    /// `display`, and the path itself when it is not UTF-8 (then `display` replaced some of
    /// its bytes). No copy when the path is UTF-8, the usual case.
    pub(super) fn into_display_and_raw(self) -> (String, Option<PathBuf>) {
        match self {
            Input::File { path, .. } => match path.into_os_string().into_string() {
                Ok(text) => (text, None),
                Err(raw) => {
                    let raw = PathBuf::from(raw);
                    (raw.to_string_lossy().into_owned(), Some(raw))
                }
            },
            other => (other.into_display(), None),
        }
    }

    /// `display` without a copy when the path is UTF-8 (the same text either way).
    pub(super) fn into_display(self) -> String {
        match self {
            Input::File { path, .. } => path
                .into_os_string()
                .into_string()
                .unwrap_or_else(|path| path.to_string_lossy().into_owned()),
            Input::Stdin(name) => name,
            Input::Unreadable { path, .. } => path,
        }
    }
}

/// What identifies a file whatever the path to it (links, `..`): device and inode on Unix, the
/// canonical path elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileId {
    #[cfg(unix)]
    id: (u64, u64),
    #[cfg(not(unix))]
    id: PathBuf,
}

impl FileId {
    /// The file `path` names (links followed); None when there is none.
    pub(super) fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let metadata = fs::metadata(path).ok()?;
            Some(FileId {
                id: (metadata.dev(), metadata.ino()),
            })
        }
        #[cfg(not(unix))]
        {
            Some(FileId {
                id: fs::canonicalize(path).ok()?,
            })
        }
    }

    /// Whether a directory entry may be this file, from what the listing already says (its
    /// inode on Unix), so that the walk asks nothing more of entries that cannot be.
    fn may_be(&self, entry: &ignore::DirEntry) -> bool {
        #[cfg(unix)]
        {
            entry.path_is_symlink() || entry.ino() == Some(self.id.1)
        }
        #[cfg(not(unix))]
        {
            let _ = entry;
            true
        }
    }
}

/// `exclude` patterns (gitignore syntax), each set relative to the directory it was given for:
/// the working directory for `--exclude`, the configuration file's directory for the file's.
#[derive(Debug, Default, Clone)]
pub(super) struct Excludes {
    sets: Vec<ExcludeSet>,
}

#[derive(Debug, Clone)]
struct ExcludeSet {
    /// The patterns, each checked when added.
    builder: GitignoreBuilder,
    /// Compiled on first use: a run on files named on the command line never matches them
    /// (compiling the default set was a tenth of the instructions of checking one small file).
    matcher: std::sync::OnceLock<Gitignore>,
    /// The working directory relative to the set's root when it lies below it (empty when it
    /// is the root): a relative path is then matched as `prefix/path`, with no allocation in the
    /// usual case. None: other paths are made absolute first.
    prefix: Option<PathBuf>,
}

impl ExcludeSet {
    fn matcher(&self) -> &Gitignore {
        // Only the built-in set is compiled here (see `add_defaults`): its few patterns always
        // compile, and a failure would exclude nothing rather than everything.
        self.matcher
            .get_or_init(|| self.builder.build().unwrap_or_else(|_| Gitignore::empty()))
    }

    fn matches(&self, path: &Path, is_dir: bool) -> bool {
        // Relative and without `..` (a byte search: parsing components costs more than the
        // match): the usual path of a walk.
        let plain = path.is_relative()
            && memchr::memmem::find(path.as_os_str().as_encoded_bytes(), b"..").is_none();
        match &self.prefix {
            Some(prefix) if plain && prefix.as_os_str().is_empty() => {
                self.matcher().matched(path, is_dir).is_ignore()
            }
            Some(prefix) if plain => self
                .matcher()
                .matched(prefix.join(path), is_dir)
                .is_ignore(),
            _ => self.matcher().matched(absolute(path), is_dir).is_ignore(),
        }
    }
}

impl Excludes {
    /// Adds `patterns` relative to `root` (absolute). A pattern that is not a valid glob is an
    /// error naming it, and so is a set that does not compile.
    pub(super) fn add(&mut self, root: &Path, patterns: &[String]) -> Result<(), String> {
        self.add_set(root, patterns, true)
    }

    /// Adds the built-in patterns, compiled only when first matched.
    pub(super) fn add_defaults(&mut self, root: &Path, patterns: &[String]) -> Result<(), String> {
        self.add_set(root, patterns, false)
    }

    fn add_set(&mut self, root: &Path, patterns: &[String], compile: bool) -> Result<(), String> {
        if patterns.is_empty() {
            return Ok(());
        }
        let mut builder = GitignoreBuilder::new(root);
        for pattern in patterns {
            builder
                .add_line(None, pattern)
                .map_err(|err| format!("exclude pattern {pattern:?}: {err}"))?;
        }
        let here = absolute(Path::new("."));
        let matcher = std::sync::OnceLock::new();
        if compile {
            let _ = matcher.set(builder.build().map_err(|err| err.to_string())?);
        }
        self.sets.push(ExcludeSet {
            builder,
            matcher,
            prefix: here.strip_prefix(root).ok().map(Path::to_path_buf),
        });
        Ok(())
    }

    pub(super) fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Whether `path` itself matches (a walk never enters an excluded directory, so its
    /// parents need no look).
    fn matches(&self, path: &Path, is_dir: bool) -> bool {
        self.sets.iter().any(|set| set.matches(path, is_dir))
    }

    /// Whether `path` or a directory above it matches (for paths named on the command line).
    fn matches_here_or_above(&self, path: &Path) -> bool {
        let absolute = absolute(path);
        let is_dir = absolute.is_dir();
        self.sets.iter().any(|set| {
            let matcher = set.matcher();
            let root = matcher.path();
            matcher.matched(&absolute, is_dir).is_ignore()
                || absolute
                    .ancestors()
                    .skip(1)
                    .take_while(|dir| dir.starts_with(root) && *dir != root)
                    .any(|dir| matcher.matched(dir, true).is_ignore())
        })
    }
}

/// `path` made absolute against the working directory, `.` and `..` resolved by their names
/// (as the user wrote them: patterns match what was typed, not where links lead).
pub(super) fn absolute(path: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut clean = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

/// How directories are walked, and what is never an input.
#[derive(Debug, Default)]
pub(super) struct WalkOptions {
    /// Enter hidden directories and read hidden files (`--hidden`).
    pub hidden: bool,
    /// Do not honour .gitignore, .ignore and git's exclude files (`--no-ignore`).
    pub no_ignore: bool,
    pub excludes: Excludes,
    /// Treat paths named on the command line as found by a walk: excluded patterns apply, and
    /// another kind of XML file is skipped (`--force-exclude`, for pre-commit and editors).
    pub force_exclude: bool,
    /// The file `-o` writes: never an input of the run that writes it.
    pub report: Option<FileId>,
}

/// Lists the inputs `paths` name, in order, handing each to `emit` as soon as it is known
/// (`-` is stdin, once; no paths at all is stdin too). A path that cannot be listed becomes an
/// `Unreadable` input in its place; a named directory holding no *.xml is warned about.
pub(super) fn list_inputs(
    paths: &[PathBuf],
    stdin_name: &str,
    options: &WalkOptions,
    messages: &mut Messages<'_>,
    emit: &mut dyn FnMut(Input),
) {
    if paths.is_empty() {
        emit(Input::Stdin(stdin_name.to_string()));
    }
    let mut stdin_used = false;
    for path in paths {
        if path.as_os_str() == "-" {
            if !stdin_used {
                emit(Input::Stdin(stdin_name.to_string()));
                stdin_used = true;
            }
            continue;
        }
        let metadata = match fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) => {
                emit(unreadable(path, &err));
                continue;
            }
        };
        if options.force_exclude
            && !options.excludes.is_empty()
            && options.excludes.matches_here_or_above(path)
        {
            continue;
        }
        if !metadata.is_dir() {
            emit(Input::File {
                path: path.to_path_buf(),
                found: options.force_exclude,
            });
            continue;
        }
        let mut found = false;
        walk(path, options, messages, &mut |input| {
            found |= matches!(input, Input::File { .. });
            emit(input);
        });
        if !found {
            // Not an error (exit code unchanged), but a CI job pointed at the wrong folder
            // should not pass in silence.
            messages.warning(format_args!("{}: no *.xml files found", path.display()));
        }
    }
}

fn unreadable(path: &Path, err: &io::Error) -> Input {
    Input::Unreadable {
        path: path.display().to_string(),
        message: describe_io(err),
    }
}

/// Every *.xml below `root`, depth first, each directory's entries in name order (the order of
/// sorting the whole paths). Ignore files, hidden entries and excluded patterns are honoured as
/// `options` says; symbolic links to directories are not followed (no loops), linked files are
/// read, and a link that leads nowhere is reported. Each directory or file that cannot be read
/// is reported under its own path, and the walk goes on.
fn walk(
    root: &Path,
    options: &WalkOptions,
    messages: &mut Messages<'_>,
    emit: &mut dyn FnMut(Input),
) {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(!options.hidden)
        .parents(!options.no_ignore)
        .ignore(!options.no_ignore)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b));
    if !options.excludes.is_empty() {
        // The filter must be 'static + Send + Sync: it gets its own copy of the patterns.
        let excludes = options.excludes.clone();
        builder.filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !excludes.matches(entry.path(), is_dir)
        });
    }
    for entry in builder.build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                emit(walk_error(root, err));
                continue;
            }
        };
        if let Some(err) = entry.error() {
            // A .gitignore that could not be read or has a bad pattern: the walk goes on.
            messages.warning(err);
        }
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() || !is_xml(entry.path()) {
            continue;
        }
        if let Some(report) = &options.report
            && report.may_be(&entry)
            && FileId::of(entry.path()).as_ref() == Some(report)
        {
            continue; // the report this run writes
        }
        if file_type.is_file() {
            emit(Input::File {
                path: entry.into_path(),
                found: true,
            });
        } else if file_type.is_symlink() {
            match fs::metadata(entry.path()) {
                Ok(target) if target.is_file() => emit(Input::File {
                    path: entry.into_path(),
                    found: true,
                }),
                Ok(_) => {} // a directory (not followed) or a device
                Err(err) => emit(Input::Unreadable {
                    path: entry.path().display().to_string(),
                    message: match err.kind() {
                        io::ErrorKind::NotFound => "a symbolic link to nothing".to_string(),
                        _ => describe_io(&err),
                    },
                }),
            }
        }
        // FIFOs, sockets and devices are not documents: skipped.
    }
}

/// A walk error as an input of its own: the path it concerns and what went wrong.
fn walk_error(root: &Path, err: ignore::Error) -> Input {
    let mut path = None;
    let mut current = &err;
    loop {
        match current {
            ignore::Error::WithPath { path: at, err } => {
                path.get_or_insert_with(|| at.display().to_string());
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err;
            }
            _ => break,
        }
    }
    let message = match current {
        ignore::Error::Io(io) => describe_io(io),
        ignore::Error::Loop { child, .. } => {
            path.get_or_insert_with(|| child.display().to_string());
            "a symbolic link loop".to_string()
        }
        other => other.to_string(),
    };
    Input::Unreadable {
        path: path.unwrap_or_else(|| root.display().to_string()),
        message,
    }
}

fn is_xml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
}

/// Opens input files, one per thread. Inputs come in listing order, so consecutive files
/// usually share a directory: on Unix that directory is opened once and each file relative to
/// it, which spares the kernel resolving the whole path again for every file (about a tenth
/// of the cost of reading a small file). One directory handle at a time, whatever the tree.
#[derive(Default)]
pub(super) struct Opener {
    #[cfg(unix)]
    directory: Option<(PathBuf, rustix::fd::OwnedFd)>,
}

impl Opener {
    /// Opens `path` for reading. A file found by a walk (`found`) is opened without blocking:
    /// if it is a FIFO or a device after all (replaced since it was listed), opening and reading
    /// it can then never hang the run.
    #[cfg(unix)]
    fn open(&mut self, path: &Path, found: bool) -> io::Result<fs::File> {
        use rustix::fs::{Mode, OFlags};
        let flags = if found {
            OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK
        } else {
            OFlags::RDONLY | OFlags::CLOEXEC
        };
        let plain = |path: &Path| -> io::Result<fs::File> {
            Ok(fs::File::from(rustix::fs::open(
                path,
                flags,
                Mode::empty(),
            )?))
        };
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return plain(path);
        };
        if parent.as_os_str().is_empty() {
            return plain(path);
        }
        if self
            .directory
            .as_ref()
            .is_none_or(|(open, _)| open != parent)
        {
            // A directory that cannot be opened this way (no search permission, …) is left
            // to the plain open below, which gives the error users expect.
            self.directory = rustix::fs::open(
                parent,
                OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::RDONLY,
                Mode::empty(),
            )
            .ok()
            .map(|fd| (parent.to_path_buf(), fd));
        }
        match &self.directory {
            Some((_, dir)) => Ok(fs::File::from(rustix::fs::openat(
                dir,
                name,
                flags,
                Mode::empty(),
            )?)),
            None => plain(path),
        }
    }

    #[cfg(not(unix))]
    fn open(&mut self, path: &Path, _found: bool) -> io::Result<fs::File> {
        fs::File::open(path)
    }
}

/// Reads at most `max + 1` bytes, so an oversized input is detected without loading it.
/// A file is first read into a small buffer without asking its size: most inputs fit, and
/// the `statx` saved is a tenth of the cost of reading a small file. Only a file that fills
/// the buffer is asked its size, so a large one is allocated once rather than grown.
///
/// A file found by a walk (`found`) that turns out not to be a regular file gives `None`: it
/// is skipped. Such a file is opened without blocking, and told apart when it yields nothing,
/// would block, or fills the first buffer (a regular file's usual read needs no extra call).
pub(super) fn read_limited(
    opener: &mut Opener,
    path: &Path,
    max: u64,
    found: bool,
) -> Result<Option<Vec<u8>>, String> {
    const FIRST_READ: u64 = 16 * 1024;
    let file = opener.open(path, found).map_err(|e| describe_io(&e))?;
    let not_regular = || file.metadata().is_ok_and(|m| !m.is_file());
    let limit = max.saturating_add(1);
    let first = FIRST_READ.min(limit);
    let mut bytes = Vec::with_capacity(first as usize);
    match fill(&file, &mut bytes) {
        Ok(()) => {}
        Err(err) if found && err.kind() == io::ErrorKind::WouldBlock => return Ok(None),
        Err(err) => return Err(describe_io(&err)),
    }
    let filled = bytes.len();
    if found && (filled == 0 || filled as u64 == first) && not_regular() {
        return Ok(None);
    }
    if (filled as u64) < first {
        return Ok(Some(bytes));
    }
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > max {
        return Err(format!(
            "{size} bytes, larger than --max-size {} MiB; raise it to check this input",
            max / (1024 * 1024)
        ));
    }
    bytes.reserve((size.min(limit) as usize).saturating_sub(bytes.len()) + 1);
    file.take(limit - bytes.len() as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| describe_io(&e))?;
    Ok(Some(bytes))
}

/// Reads into the spare room of `bytes` until it is full or the file ends, in as few reads as
/// the kernel allows (std's `read_to_end` cuts the first one at 8 KiB). On Unix the room is
/// read into as it is, not zeroed first.
#[cfg(unix)]
fn fill(file: &fs::File, bytes: &mut Vec<u8>) -> io::Result<()> {
    while bytes.len() < bytes.capacity() {
        match rustix::io::read(file, rustix::buffer::spare_capacity(bytes)) {
            Ok(0) => break,
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn fill(mut file: &fs::File, bytes: &mut Vec<u8>) -> io::Result<()> {
    let mut filled = bytes.len();
    bytes.resize(bytes.capacity(), 0);
    while filled < bytes.len() {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                bytes.truncate(filled);
                return Err(e);
            }
        }
    }
    bytes.truncate(filled);
    Ok(())
}

pub(super) fn describe_io(err: &io::Error) -> String {
    match err.raw_os_error() {
        _ if err.kind() == io::ErrorKind::NotFound => "no such file or directory".to_string(),
        _ if err.kind() == io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        #[cfg(unix)]
        Some(code) if code == rustix::io::Errno::LOOP.raw_os_error() => {
            "too many levels of symbolic links (a loop?)".to_string()
        }
        _ => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A named file read whole (never skipped).
    fn read_named(opener: &mut Opener, path: &Path, max: u64) -> Result<Vec<u8>, String> {
        read_limited(opener, path, max, false).map(|bytes| bytes.expect("a named file is read"))
    }

    /// A fresh directory under the system's temporary one, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("adinspect-unit-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn read_limited_reads_whole_files_around_the_first_buffer_and_refuses_oversized_ones() {
        let scratch = Scratch::new("read");
        let mut opener = Opener::default();
        // Sizes around the first read's 16 KiB, and far past it.
        for size in [0, 1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 200_003] {
            let path = scratch.0.join(format!("{size}.xml"));
            let content: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            fs::write(&path, &content).unwrap();
            let read = read_named(&mut opener, &path, 1 << 20).unwrap();
            assert!(read == content, "{size} bytes read back as {}", read.len());
            // Exactly at the limit is fine; one byte over is not, whichever read sees it.
            if size > 0 {
                assert_eq!(
                    read_named(&mut opener, &path, size as u64).unwrap().len(),
                    size
                );
                let refused = read_named(&mut opener, &path, size as u64 - 1).unwrap_err();
                assert!(refused.contains("larger than --max-size"), "{refused}");
            }
        }
    }

    #[test]
    fn opener_switches_directories_and_reports_missing_files() {
        let scratch = Scratch::new("opener");
        let (a, b) = (scratch.0.join("a"), scratch.0.join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        fs::write(a.join("same.xml"), "from a").unwrap();
        fs::write(b.join("same.xml"), "from b").unwrap();
        let mut opener = Opener::default();
        // Same file name in two directories, visited back and forth: each read must come from
        // the directory its path names, not the one opened last.
        for (dir, expected) in [
            (&a, "from a"),
            (&b, "from b"),
            (&a, "from a"),
            (&a, "from a"),
        ] {
            let read = read_named(&mut opener, &dir.join("same.xml"), 1024).unwrap();
            assert_eq!(read, expected.as_bytes());
        }
        let missing = read_named(&mut opener, &a.join("missing.xml"), 1024).unwrap_err();
        assert_eq!(missing, "no such file or directory");
        let no_directory = read_named(&mut opener, &scratch.0.join("c/x.xml"), 1024).unwrap_err();
        assert_eq!(no_directory, "no such file or directory");
        // The directory it had open is still used correctly after the failures.
        assert_eq!(
            read_named(&mut opener, &b.join("same.xml"), 1024).unwrap(),
            b"from b"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_found_by_a_walk_is_skipped_without_waiting() {
        let scratch = Scratch::new("fifo");
        let fifo = scratch.0.join("pipe.xml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: nothing to test
        }
        let mut opener = Opener::default();
        // No writer: a blocking open would wait forever.
        assert_eq!(read_limited(&mut opener, &fifo, 1024, true), Ok(None));
        // A regular file found by a walk is read as usual, empty or not.
        let empty = scratch.0.join("empty.xml");
        fs::write(&empty, "").unwrap();
        assert_eq!(
            read_limited(&mut opener, &empty, 1024, true),
            Ok(Some(Vec::new()))
        );
        let full = scratch.0.join("full.xml");
        fs::write(&full, vec![b'x'; 20_000]).unwrap();
        assert_eq!(
            read_limited(&mut opener, &full, 1 << 20, true).map(|b| b.map(|b| b.len())),
            Ok(Some(20_000))
        );
    }
}
