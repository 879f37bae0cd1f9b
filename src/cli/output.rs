//! Where the report goes: stdout, or the `-o` file written through a temporary file that
//! replaces it only when the run is complete. Write errors never stop the run: the first one is
//! remembered, later output is dropped, and the verdict is decided as if the reader were there.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::inputs::{FileId, describe_io};

/// Remembers the first write error and drops every later write, so that renderers never see an
/// error and the run goes on to its verdict (`set -o pipefail; adinspect check … | head` still
/// fails when there are errors).
pub(super) struct Latch<W: Write> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Latch<W> {
    pub(super) fn new(inner: W) -> Latch<W> {
        Latch { inner, error: None }
    }

    /// Whether output is still being written (nothing has failed yet).
    pub(super) fn is_open(&self) -> bool {
        self.error.is_none()
    }

    /// The first error, if any.
    pub(super) fn into_error(self) -> Option<io::Error> {
        self.error
    }

    #[cfg(test)]
    fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }
}

impl<W: Write> Write for Latch<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Ok(buf.len());
        }
        loop {
            match self.inner.write(buf) {
                Ok(0) if !buf.is_empty() => {
                    self.error = Some(io::ErrorKind::WriteZero.into());
                    return Ok(buf.len());
                }
                Ok(n) => return Ok(n),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    self.error = Some(err);
                    return Ok(buf.len());
                }
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.error.is_none()
            && let Err(err) = self.inner.flush()
        {
            self.error = Some(err);
        }
        Ok(())
    }
}

/// The `-o` target. A regular file (or a new one) is written as a temporary file next to it,
/// renamed over it by [`ReportFile::commit`]: an interrupted or failed run leaves the previous
/// report as it was. Anything else (a FIFO, `/dev/stdout`, a terminal) is written directly.
pub(super) struct ReportFile {
    file: fs::File,
    /// (temporary path, final path) when writing through a temporary file.
    rename: Option<(PathBuf, PathBuf)>,
}

impl ReportFile {
    /// Opens the report for writing. The error is the message to show.
    pub(super) fn create(target: &Path) -> Result<ReportFile, String> {
        let cannot =
            |err: &io::Error| format!("cannot write {}: {}", target.display(), describe_io(err));
        match fs::metadata(target) {
            Ok(metadata) if !metadata.is_file() => {
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(target)
                    .map_err(|e| cannot(&e))?;
                return Ok(ReportFile { file, rename: None });
            }
            Ok(_) | Err(_) => {}
        }
        // Through a link, the file it leads to is replaced (the link stays a link).
        let destination = fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
        let directory = match destination.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| format!("cannot write {}: not a file name", target.display()))?;
        // Hidden and not *.xml: never listed as an input, even by a walk of that directory.
        for attempt in 0..100u32 {
            let temporary = directory.join(format!(
                ".{name}.adinspect-{}-{attempt}.tmp",
                std::process::id()
            ));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temporary)
            {
                Ok(file) => {
                    if let Ok(previous) = fs::metadata(&destination) {
                        // The report keeps the permissions the old one had.
                        let _ = file.set_permissions(previous.permissions());
                    }
                    return Ok(ReportFile {
                        file,
                        rename: Some((temporary, destination)),
                    });
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(cannot(&err)),
            }
        }
        Err(format!(
            "cannot write {}: no free temporary name next to it",
            target.display()
        ))
    }

    /// Puts the complete report in place (the rename), after making sure its bytes are on disk.
    pub(super) fn commit(mut self) -> io::Result<()> {
        let Some((temporary, destination)) = self.rename.take() else {
            return self.file.flush();
        };
        let result = self
            .file
            .sync_all()
            .and_then(|()| fs::rename(&temporary, &destination));
        if result.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        result
    }
}

impl Write for ReportFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for ReportFile {
    /// A report that was not committed (the run failed to write it) is removed; the previous
    /// one stays.
    fn drop(&mut self) {
        if let Some((temporary, _)) = &self.rename {
            let _ = fs::remove_file(temporary);
        }
    }
}

/// The `-o` target's identity, and the named input that is the same file, if any: writing the
/// report would destroy that input, so the run is refused before anything is opened for writing.
pub(super) fn report_collides<'p>(
    target: &Path,
    inputs: &'p [PathBuf],
) -> (Option<FileId>, Option<&'p Path>) {
    let Some(id) = FileId::of(target) else {
        return (None, None);
    };
    let same = inputs
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .find(|p| FileId::of(p).as_ref() == Some(&id))
        .map(PathBuf::as_path);
    (Some(id), same)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing {
        writes: usize,
    }

    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.writes += 1;
            if self.writes > 1 {
                Err(io::ErrorKind::BrokenPipe.into())
            } else {
                Ok(buf.len())
            }
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn latch_keeps_the_first_error_and_drops_the_rest() {
        let mut latch = Latch::new(Failing { writes: 0 });
        latch.write_all(b"first").unwrap();
        assert!(latch.is_open());
        latch.write_all(b"second").unwrap();
        latch.write_all(b"third").unwrap();
        assert!(!latch.is_open());
        assert_eq!(
            latch.get_mut().writes,
            2,
            "nothing is written after the failure"
        );
        assert_eq!(
            latch.into_error().map(|e| e.kind()),
            Some(io::ErrorKind::BrokenPipe)
        );
    }

    #[test]
    fn report_replaces_the_old_one_only_when_committed() {
        let dir =
            std::env::temp_dir().join(format!("adinspect-unit-report-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("report.json");
        fs::write(&target, "old report").unwrap();
        {
            let mut report = ReportFile::create(&target).unwrap();
            report.write_all(b"half a rep").unwrap();
            // Dropped without commit: an interrupted run.
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "old report");
        let mut report = ReportFile::create(&target).unwrap();
        report.write_all(b"new report").unwrap();
        report.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new report");
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
