//! What to read: the paths given, directories walked in a deterministic order, stdin; and
//! reading one input with as few system calls as possible.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// One input to read: a path, or stdin under a display name.
#[derive(Debug, Clone)]
pub(super) enum Input {
    File(PathBuf),
    Stdin(String),
}

impl Input {
    pub(super) fn display(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin(name) => name.clone(),
        }
    }

    /// `display` without a copy when the path is UTF-8 (the same text either way).
    pub(super) fn into_display(self) -> String {
        match self {
            Input::File(path) => path
                .into_os_string()
                .into_string()
                .unwrap_or_else(|path| path.to_string_lossy().into_owned()),
            Input::Stdin(name) => name,
        }
    }
}

/// usually share a directory: on Unix that directory is opened once and each file relative to
/// it, which spares the kernel resolving the whole path again for every file (about a tenth
/// of the cost of reading a small file). One directory handle at a time, whatever the tree.
#[derive(Default)]
pub(super) struct Opener {
    #[cfg(unix)]
    directory: Option<(PathBuf, rustix::fd::OwnedFd)>,
}

impl Opener {
    #[cfg(unix)]
    fn open(&mut self, path: &Path) -> io::Result<fs::File> {
        use rustix::fs::{Mode, OFlags};
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return fs::File::open(path);
        };
        if parent.as_os_str().is_empty() {
            return fs::File::open(path);
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
            Some((_, dir)) => {
                let fd =
                    rustix::fs::openat(dir, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
                Ok(fs::File::from(fd))
            }
            None => fs::File::open(path),
        }
    }

    #[cfg(not(unix))]
    fn open(&mut self, path: &Path) -> io::Result<fs::File> {
        fs::File::open(path)
    }
}

/// Reads at most `max + 1` bytes, so an oversized input is detected without loading it.
/// A file is first read into a small buffer without asking its size: most inputs fit, and
/// the `statx` saved is a tenth of the cost of reading a small file. Only a file that fills
/// the buffer is asked its size, so a large one is allocated once rather than grown.
pub(super) fn read_limited(opener: &mut Opener, path: &Path, max: u64) -> Result<Vec<u8>, String> {
    const FIRST_READ: u64 = 16 * 1024;
    let file = opener.open(path).map_err(|e| describe_io(&e))?;
    let limit = max.saturating_add(1);
    let first = FIRST_READ.min(limit);
    let mut bytes = Vec::with_capacity(first as usize);
    fill(&file, &mut bytes).map_err(|e| describe_io(&e))?;
    let filled = bytes.len();
    if (filled as u64) < first {
        return Ok(bytes);
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
    Ok(bytes)
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
    match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

/// Lists the inputs `paths` name, in order, handing each to `emit` as soon as it is known
/// (`-` is stdin, once; no paths at all is stdin too). A path that cannot be listed is
/// reported on `stderr`, and so is one holding no *.xml; whether any could not be listed.
pub(super) fn list_inputs(
    paths: &[PathBuf],
    stdin_name: &str,
    stderr: &mut dyn Write,
    emit: &mut dyn FnMut(Input),
) -> io::Result<bool> {
    if paths.is_empty() {
        emit(Input::Stdin(stdin_name.to_string()));
    }
    let (mut trouble, mut stdin_used) = (false, false);
    for path in paths {
        if path.as_os_str() == "-" {
            if !stdin_used {
                emit(Input::Stdin(stdin_name.to_string()));
                stdin_used = true;
            }
            continue;
        }
        let mut found = false;
        let listed = collect(path, &mut |input| {
            found = true;
            emit(input);
        });
        match listed {
            Ok(()) if !found => {
                // Not an error (exit code unchanged), but a CI job pointed at the wrong folder
                // should not pass in silence.
                writeln!(
                    stderr,
                    "adinspect: warning: {}: no *.xml files found",
                    path.display()
                )?;
            }
            Ok(()) => {}
            Err(err) => {
                writeln!(
                    stderr,
                    "adinspect: {}: {}",
                    path.display(),
                    describe_io(&err)
                )?;
                trouble = true;
            }
        }
    }
    Ok(trouble)
}

/// A file as given, or every *.xml below a directory in sorted order. Symbolic links to
/// directories are not followed inside a walk (no loops); linked files are read.
fn collect(path: &Path, emit: &mut dyn FnMut(Input)) -> io::Result<()> {
    let metadata = fs::metadata(path)?;
    if !metadata.is_dir() {
        emit(Input::File(path.to_path_buf()));
        return Ok(());
    }
    // Depth first, each directory's entries in name order: the order of sorting the whole
    // paths (they compare component by component), without comparing whole paths. `pending`
    // holds what is left to visit, the next last; `true` marks a directory.
    let mut pending = vec![(path.to_path_buf(), true)];
    let mut entries = Vec::new();
    let mut first_error = None;
    while let Some((entry_path, is_dir)) = pending.pop() {
        if !is_dir {
            emit(Input::File(entry_path));
            continue;
        }
        let listing = match fs::read_dir(&entry_path) {
            Ok(listing) => listing,
            Err(err) => {
                first_error.get_or_insert(io::Error::new(
                    err.kind(),
                    format!("{}: {}", entry_path.display(), describe_io(&err)),
                ));
                continue;
            }
        };
        entries.clear();
        for entry in listing.flatten() {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let entry_path = entry.path();
            if file_type.is_dir() {
                entries.push((entry_path, true));
            } else if is_xml(&entry_path)
                && (file_type.is_file() || fs::metadata(&entry_path).is_ok_and(|m| m.is_file()))
            {
                entries.push((entry_path, false));
            }
        }
        // The paths differ only in their last component (same directory): comparing them as
        // strings orders them by name.
        entries.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
        pending.extend(entries.drain(..).rev());
    }
    match first_error {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

fn is_xml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let read = read_limited(&mut opener, &path, 1 << 20).unwrap();
            assert!(read == content, "{size} bytes read back as {}", read.len());
            // Exactly at the limit is fine; one byte over is not, whichever read sees it.
            if size > 0 {
                assert_eq!(
                    read_limited(&mut opener, &path, size as u64).unwrap().len(),
                    size
                );
                let refused = read_limited(&mut opener, &path, size as u64 - 1).unwrap_err();
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
            let read = read_limited(&mut opener, &dir.join("same.xml"), 1024).unwrap();
            assert_eq!(read, expected.as_bytes());
        }
        let missing = read_limited(&mut opener, &a.join("missing.xml"), 1024).unwrap_err();
        assert_eq!(missing, "no such file or directory");
        let no_directory = read_limited(&mut opener, &scratch.0.join("c/x.xml"), 1024).unwrap_err();
        assert_eq!(no_directory, "no such file or directory");
        // The directory it had open is still used correctly after the failures.
        assert_eq!(
            read_limited(&mut opener, &b.join("same.xml"), 1024).unwrap(),
            b"from b"
        );
    }
}
