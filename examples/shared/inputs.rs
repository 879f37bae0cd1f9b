//! The *.xml files below the given paths, in sorted order (shared by the benchmark examples).
//! Each directory's entries are sorted by name and visited depth first, and an entry's type
//! comes from the directory listing (no extra `stat` per entry), as adinspect lists them.

use std::path::{Path, PathBuf};

pub fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if !path.is_dir() {
        if path.extension().is_some_and(|e| e == "xml") {
            out.push(path.to_path_buf());
        }
        return;
    }
    let mut entries: Vec<(PathBuf, bool)> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.path(), e.file_type().unwrap().is_dir())
        })
        .collect();
    entries.sort();
    for (entry, is_dir) in entries {
        if is_dir {
            collect(&entry, out);
        } else if entry.extension().is_some_and(|e| e == "xml") {
            out.push(entry);
        }
    }
}
