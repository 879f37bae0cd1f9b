#!/usr/bin/env bash
# Reproducible benchmark: generates the corpus (deterministic), times adinspect against the
# floor (read + roxmltree parse + walk every node, same thread count) and xmllint, measures
# peak memory, and writes BENCHMARKS.md. Needs hyperfine and xmllint (Debian: hyperfine,
# libxml2-utils); run from anywhere:  bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine xmllint python3; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh needs $tool (apt-get install hyperfine libxml2-utils)" >&2; exit 1; }
done

cargo build --release --locked -q --bin adinspect --examples
# Where cargo puts release builds: .cargo/config.toml names the host target explicitly.
release=${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release
data=bench/data
[ -f "$data/small.xml" ] || cargo run --release --locked -q --example generate -- "$data"
bin="$release"/adinspect
floor="$release"/examples/floor
threads=$(nproc)
out=bench/results
mkdir -p "$out"

run() { # name, runs, warm-up runs, hyperfine arguments…
  local name=$1 runs=$2 warmup=$3; shift 3
  hyperfine --warmup "$warmup" --runs "$runs" --export-json "$out/$name.json" "$@" >/dev/null
}

# The floor, adinspect and xmllint take turns, a few runs each, over several rounds: on a shared
# machine the noise drifts, and commands timed minutes apart would see different noise.
for round in 1 2 3 4; do
  run files.round$round 5 1 -N \
    -n "floor (-j $threads)" "$floor -j $threads $data/files" \
    -n "adinspect check --format jsonl" "$bin check --format jsonl --fail-level never $data/files" \
    -n "xmllint --noout" "bash -c 'find $data/files -name \"*.xml\" -print0 | xargs -0 xmllint --noout'"
done
run files-1thread 10 2 -N \
  -n "floor (-j 1)" "$floor -j 1 $data/files" \
  -n "adinspect check -j 1" "$bin check -j 1 --format jsonl --fail-level never $data/files"
for round in 1 2; do
  run big.round$round 5 1 -N \
    -n "floor 100 MB" "$floor $data/big-100mb.xml" \
    -n "adinspect 100 MB" "$bin check --format jsonl --fail-level never $data/big-100mb.xml" \
    -n "adinspect 100 MB, one thread (-j 1)" "$bin check -j 1 --format jsonl --fail-level never $data/big-100mb.xml" \
    -n "floor 10 MB" "$floor $data/big-10mb.xml" \
    -n "adinspect 10 MB" "$bin check --format jsonl --fail-level never $data/big-10mb.xml"
done
run findings 10 2 -N \
  -n "floor 10 MB, every Protocol wrong" "$floor $data/wrong-10mb.xml" \
  -n "adinspect 10 MB, every Protocol wrong (jsonl)" "$bin check --format jsonl --fail-level never $data/wrong-10mb.xml" \
  -n "adinspect 10 MB, every Protocol wrong (human)" "$bin check --color never --fail-level never $data/wrong-10mb.xml"
run startup 300 20 -N \
  -n "/bin/true" "/bin/true" \
  -n "adinspect check 1 KB" "$bin check --fail-level never $data/small.xml"

timing=$(mktemp)
peak() { /usr/bin/time -f %M "$@" >/dev/null 2>"$timing" || true; tail -1 "$timing"; }
{
  echo "floor_100mb_kb=$(peak "$floor" "$data/big-100mb.xml")"
  echo "adinspect_100mb_kb=$(peak "$bin" check --format jsonl --fail-level never "$data/big-100mb.xml")"
  echo "adinspect_10mb_kb=$(peak "$bin" check --format jsonl --fail-level never "$data/big-10mb.xml")"
  echo "adinspect_wrong_kb=$(peak "$bin" check --format jsonl --fail-level never "$data/wrong-10mb.xml")"
  echo "big_100mb_bytes=$(stat -c %s "$data/big-100mb.xml")"
  echo "big_10mb_bytes=$(stat -c %s "$data/big-10mb.xml")"
  echo "wrong_findings=$("$bin" check --format jsonl --fail-level never "$data/wrong-10mb.xml" | wc -l)"
  echo "files_bytes=$(du -sb "$data/files" | cut -f1)"
} > "$out/memory.txt"

rm -f "$timing"
rm -f "$out"/files.json "$out"/big.json # from before results came in rounds
python3 bench/report.py "$out" > BENCHMARKS.md
bash bench/findings.sh
echo "BENCHMARKS.md written"
