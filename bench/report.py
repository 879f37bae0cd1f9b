#!/usr/bin/env python3
"""Turns bench/results (hyperfine JSON + memory.txt) into BENCHMARKS.md on stdout."""
import glob, json, os, platform, statistics, subprocess, sys

out = sys.argv[1]

def load(name):
    """One hyperfine export, or the rounds name.round1.json, name.round2.json… merged: each command's runs
    pooled, then median, spread and extremes computed over all of them."""
    paths = sorted(glob.glob(os.path.join(out, name + ".round*.json"))) or [os.path.join(out, name + ".json")]
    pooled = {}
    for path in paths:
        with open(path) as f:
            for r in json.load(f)["results"]:
                pooled.setdefault(r["command"], []).extend(r["times"])
    return {
        command: {
            "command": command,
            "median": statistics.median(times),
            "min": min(times),
            "max": max(times),
            "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
            "runs": len(times),
        }
        for command, times in pooled.items()
    }

def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

memory = dict(line.split("=", 1) for line in open(os.path.join(out, "memory.txt")).read().split())
memory = {k: int(v) for k, v in memory.items()}

def row(r, base=None):
    med = r["median"]
    spread = f'{r["min"]*1000:.1f}–{r["max"]*1000:.1f}'
    ratio = f'{med / base:.2f}×' if base else "—"
    return f'| {r["command"]} | {med*1000:.1f} | {r["stddev"]*1000:.1f} | {spread} | {ratio} |'

def table(results, base_name=None):
    base = results[base_name]["median"] if base_name else None
    lines = ["| command | median ms | stddev ms | min–max ms | vs first |", "|---|---|---|---|---|"]
    lines += [row(r, base) for r in results.values()]
    return "\n".join(lines)

files = load("files"); one = load("files-1thread"); big = load("big"); find = load("findings"); start = load("startup")
def med(results, prefix):
    return next(r["median"] for k, r in results.items() if k.startswith(prefix))

def least(results, prefix):
    return next(r["min"] for k, r in results.items() if k.startswith(prefix))

# The fastest run of each command as a second statistic: on a shared machine noise only ever
# adds time, and the medians of two commands timed a minute apart can see different noise.
min_files = least(files, "adinspect") / least(files, "floor")
min_xml = least(files, "adinspect") / least(files, "xmllint")
min_big = least(big, "adinspect 100 MB") / least(big, "floor 100")

floor_files = med(files, "floor"); ad_files = med(files, "adinspect"); xml_files = med(files, "xmllint")
floor_big = med(big, "floor 100"); ad_big = med(big, "adinspect 100"); ad_10 = med(big, "adinspect 10 ")
floor_10 = med(big, "floor 10 ")
true_ = med(start, "/bin/true"); ad_start = med(start, "adinspect")
bytes100 = memory["big_100mb_bytes"]; bytes10 = memory["big_10mb_bytes"]
per_byte = memory["adinspect_100mb_kb"] * 1024 / bytes100
floor_per_byte = memory["floor_100mb_kb"] * 1024 / bytes100

def verdict(ok):
    return "met" if ok else "**not met**"

# A time target counts as met only when both the medians and the fastest runs meet it: on a
# shared machine one of the two can be thrown by noise falling on one command more than another.
def both(median_ratio, fastest_ratio, limit):
    return median_ratio <= limit and fastest_ratio <= limit

cpu = sh("lscpu | sed -n 's/^Model name: *//p' | head -1") or platform.processor()
print(f"""# Benchmarks

Reproduce with `bash bench/run.sh` (needs `hyperfine` and `xmllint`: `apt-get install hyperfine
libxml2-utils`). It builds the release binary and two helpers, generates a deterministic corpus
(`cargo run --release --example generate -- bench/data`), runs every command with hyperfine
(warm-up runs, then 20 timed runs for the 10,000 files and the large responses, 10 for the rest,
300 for start-up) and rewrites this file. The commands compared in the first two tables take
turns, five runs each, over four (files) or two (large responses) rounds, so that noise drifting
on a shared machine falls on all of them alike. Times are wall-clock medians over all runs; the
targets also give the ratio of the fastest runs (\"fastest:\"), which noise disturbs least; a
time target is marked met only when both ratios meet it.

- **floor**: `examples/floor.rs` lists the files (each directory's entries typed from the
  listing, sorted by name, as adinspect lists them), reads each file, parses it with roxmltree
  (DTDs off, as adinspect) and visits every node, on the same number of threads: what a
  roxmltree-based tool pays when it parses its input as written. adinspect first takes the
  indentation between elements out of the text, in place (`src/compact.rs`), so its tree is
  smaller than the floor's (4.8 instead of 7.7 million nodes for the 100 MB response); it then
  adds decoding checks, the model, ~85 rules and output. For one large input the parse is
  sequential in both; adinspect then shares the model and the checks among the cores (an input
  of 4 MiB or more), so the 100 MB table also shows it on one thread. Both are static binaries
  (as built by `cargo build --release` here). The floor reads with `fs::read` and lists
  before it parses; adinspect reads with fewer system calls and lists while it checks (see
  below): part of what the floor measures is I/O, and that part is fair game. Until
  2026-11-27 the floor asked for each
  entry's type with a `stat` of its own, which cost it about 26 ms of the 10,000-file run
  (adinspect's listing: 6 ms); the ratios before that date flattered adinspect by about 0.1.
- **corpus**: 10,000 responses of 3–8 KB in 200 nested folders ({memory['files_bytes']/1e6:.0f} MB),
  one {bytes100/1e6:.0f} MB and one {bytes10/1e6:.0f} MB response with many Protocols, and a
  {bytes10/1e6:.0f} MB response where every Protocol is wrong ({memory['wrong_findings']:,} findings).

Machine: {cpu}, {sh('nproc')} cores, {sh("free -g | awk '/Mem:/ {print $2}'")} GiB RAM,
{sh('uname -sr')}; {sh('rustc --version')}; {sh('hyperfine --version')};
{sh("xmllint --version 2>&1 | head -1")}. Measured {sh('date -u +%Y-%m-%d')}.

## Targets

| target | measured | |
|---|---|---|
| 10,000 files: at most 1.25× the floor (same threads) | {ad_files/floor_files:.2f}× ({ad_files*1000:.0f} ms vs {floor_files*1000:.0f} ms; fastest: {min_files:.2f}×) | {verdict(both(ad_files/floor_files, min_files, 1.25))} |
| 10,000 files: at most half of `xmllint --noout` | {ad_files/xml_files:.2f}× ({ad_files*1000:.0f} ms vs {xml_files*1000:.0f} ms; fastest: {min_xml:.2f}×) | {verdict(both(ad_files/xml_files, min_xml, 0.5))} |
| 100 MB file: at most 1.3× the floor | {ad_big/floor_big:.2f}× ({ad_big*1000:.0f} ms vs {floor_big*1000:.0f} ms; fastest: {min_big:.2f}×) | {verdict(both(ad_big/floor_big, min_big, 1.3))} |
| 100 MB file: peak memory at most 6 bytes per input byte | {per_byte:.1f} B/B ({memory['adinspect_100mb_kb']/1024:.0f} MiB); the floor alone: {floor_per_byte:.1f} B/B | {verdict(per_byte <= 6)} |
| linear: 100 MB costs about 10× the 10 MB file | {ad_big/ad_10:.1f}× (floor: {floor_big/floor_10:.1f}×) | {verdict(ad_big/ad_10 <= 12)} |
| every Protocol wrong stays linear (buffered output, no rescans) | {med(find, 'adinspect 10 MB, every Protocol wrong (jsonl)')*1000:.0f} ms for {memory['wrong_findings']:,} findings, {memory['adinspect_wrong_kb']/1024:.0f} MiB | see table |
| start-up on a 1 KB file at most 2× `/bin/true` | {ad_start/true_:.2f}× ({ad_start*1000:.2f} ms vs {true_*1000:.2f} ms) | {verdict(ad_start <= 2*true_)} |

## 10,000 files

{table(files, next(iter(files)))}

Single thread:

{table(one, next(iter(one)))}

## One large response

{table(big, next(iter(big)))}

## Hundreds of thousands of findings

{table(find, next(iter(find)))}

## Start-up

{table(start, next(iter(start)))}

## Where the time and the memory go (`cargo run --release --example phases -- [-j N] PATH...`)

- **100 MB response.** Reading about 70 ms; taking out the indentation about 65 ms (64-byte
  blocks turned into bit masks of `<`, `>` and whitespace with SSE2, then each kept piece moved
  once); the parse about 420 ms instead of about 600 ms as written; then the structure walk and
  the model side by side (about 70 and 155 ms on one thread) and the Protocol checks about 60 ms
  (shared among the cores); freeing the tree about 55 ms.
- **Memory, 100 MB response.** The compacted text (about 80 MB, in the input's own buffer),
  roxmltree's tree (4.8 million nodes of about 72 bytes: about 350 MB), the log of what was
  taken out (six bytes a run, 2.9 million runs: 17 MB) and the model (2.2 million settings of
  40 bytes, 350,000 Protocols of 80 bytes, the parts only some Protocols have boxed apart: about
  140 MB). The input is not kept a second time: it is put back together from the compacted
  text and the log only when something quotes it (findings, `show`).
- **10,000 files.** Per 3–8 KB file (5.8 KB on average), on one thread: reading about 5 µs,
  decoding 0.6 µs, taking out the indentation about 3.3 µs, the parse about 15 µs (about
  19.5 µs as written), the model about 3.6 µs, the structure walk about 4.5 µs (about 30 ns
  per element) and the other checks about 1.7 µs. The floor pays the listing, reading and
  the 19.5 µs parse. Reading: a file is opened relative to its directory (one directory
  handle per thread, `openat`), so the kernel does not resolve the whole path again for each
  file, and read straight into a 16 KiB buffer without asking its size first (no `statx`;
  only a file that fills the buffer is asked): about 1 µs less a file than `fs::read`,
  which the floor uses. Listing: the calling thread lists the tree and hands files on in
  chunks (1, 2, 4, … 32) as they are found, so the other threads start on the first files
  while the rest is still listed; then it checks files too and writes the results in input
  order between its chunks.
- **Start-up.** A static binary: no dynamic loader, libc or libgcc_s to map at each start.
- **10,000 files at 1.25×: met, with little room.** Over the session that reached it
  (2026-11-27, this machine): 1.26× by the median (1.25× by the fastest runs) before the
  last three small changes, then 1.21×, 1.23× and 1.20× (1.21×–1.23× by the fastest runs) in
  the three runs after them, the last of which is shown here; on one thread 1.16×–1.33×, the
  spread being the machine's. Per file adinspect spends about
  35 µs against the floor's 27 µs: the checks (model, walk, Protocol checks: about 10 µs)
  cost more than taking out the indentation saves the parse (about 4.5 µs less for 3.3 µs);
  reading with fewer system calls and listing while checking make up the rest. Measured with
  valgrind's instruction counts (stable on this noisy machine): 1.40× the floor's
  instructions two sessions ago, 1.21× now. Tried and not kept (measured, no gain): handing
  the Protocols' children from the structure walk to the model so that the model does not
  visit them again (3% more instructions: the per-setting work, not the visit, is the cost),
  a dispatch on length and first byte for the setting slots (more instructions than the
  `match`), checking files phase by phase in batches to keep the code in the instruction
  cache (no change in time), a faster-looking test for `<!`/`<?` (vector blocks or prebuilt
  searchers), copying kept pieces sixteen bytes at a time instead of `copy_within`, sets of
  element ids as two words instead of a `u128`, a separate fast path for values that are
  fine, smaller or larger chunks of files per claim, and mimalloc as the allocator (1.4% fewer
  instructions, no change in time; not worth a C dependency).

## Peak memory (max RSS)

| input | adinspect | floor |
|---|---|---|
| 100 MB response | {memory['adinspect_100mb_kb']/1024:.0f} MiB ({per_byte:.1f} B/B) | {memory['floor_100mb_kb']/1024:.0f} MiB ({floor_per_byte:.1f} B/B) |
| 10 MB response | {memory['adinspect_10mb_kb']/1024:.0f} MiB | |
| 10 MB, every Protocol wrong | {memory['adinspect_wrong_kb']/1024:.0f} MiB | |
""")
