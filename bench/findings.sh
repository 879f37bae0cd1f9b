#!/usr/bin/env bash
# The cost of findings (issue 15): realistic responses (about 4.7 findings each, a third with
# non-ASCII names), a 100 MB response with about 100,000 findings and a 10 MB one where every
# Protocol is wrong, in every output format, against the same floor as bench/run.sh; peak memory
# of `show` (JSON and human). Writes bench/results/findings-*.json and memory-findings.txt, then the
# "Findings" section of BENCHMARKS.md (bench/findings_report.py). Run by bench/run.sh; alone:
#   bash bench/findings.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine xmllint python3; do
  command -v "$tool" >/dev/null || { echo "bench/findings.sh needs $tool (apt-get install hyperfine libxml2-utils)" >&2; exit 1; }
done
cargo build --release --locked -q --bin adinspect --examples
release=${CARGO_TARGET_DIR:-target}/$(rustc -vV | sed -n 's/^host: //p')/release
data=bench/data
[ -d "$data/realistic" ] && [ -f "$data/findings-100mb.xml" ] || cargo run --release --locked -q --example generate -- "$data"
bin="$release"/adinspect
floor="$release"/examples/floor
threads=$(nproc)
out=bench/results
mkdir -p "$out"
run() { local name=$1 runs=$2 warmup=$3; shift 3
  hyperfine --warmup "$warmup" --runs "$runs" --export-json "$out/$name.json" "$@" >/dev/null; }

for round in 1 2 3; do
  run findings-realistic.round$round 5 1 -N \
    -n "floor (-j $threads)" "$floor -j $threads $data/realistic" \
    -n "adinspect check --format jsonl" "$bin check --format jsonl --fail-level never $data/realistic" \
    -n "adinspect check (human)" "$bin check --color never --fail-level never $data/realistic" \
    -n "xmllint --noout" "bash -c 'find $data/realistic -name \"*.xml\" -print0 | xargs -0 xmllint --noout'"
done
for round in 1 2; do
  run findings-100mb.round$round 3 1 -N \
    -n "floor 100 MB" "$floor $data/findings-100mb.xml" \
    -n "adinspect 100 MB, ~100k findings (jsonl)" "$bin check --format jsonl --fail-level never $data/findings-100mb.xml" \
    -n "adinspect show --format json 100 MB" "$bin show --format json --fail-level never $data/findings-100mb.xml"
done
wrong="$data/wrong-10mb.xml"
run findings-dense 5 1 -N \
  -n "floor 10 MB, every Protocol wrong" "$floor $wrong" \
  -n "jsonl" "$bin check --format jsonl --fail-level never $wrong" \
  -n "json" "$bin check --format json --fail-level never $wrong" \
  -n "concise" "$bin check --format concise --fail-level never $wrong" \
  -n "human" "$bin check --color never --fail-level never $wrong" \
  -n "sarif" "$bin check --format sarif --fail-level never $wrong" \
  -n "github" "$bin check --format github --fail-level never $wrong" \
  -n "gitlab" "$bin check --format gitlab --fail-level never $wrong"

timing=$(mktemp)
peak() { /usr/bin/time -f %M "$@" >/dev/null 2>"$timing" || true; tail -1 "$timing"; }
{
  echo "realistic_findings=$("$bin" check --format jsonl --fail-level never "$data/realistic" | wc -l)"
  echo "realistic_bytes=$(du -sb "$data/realistic" | cut -f1)"
  echo "findings100_findings=$("$bin" check --format jsonl --fail-level never "$data/findings-100mb.xml" | wc -l)"
  echo "findings100_bytes=$(stat -c %s "$data/findings-100mb.xml")"
  echo "wrong_findings=$("$bin" check --format jsonl --fail-level never "$wrong" | wc -l)"
  echo "wrong_bytes=$(stat -c %s "$wrong")"
  echo "show_json_wrong_kb=$(peak "$bin" show --format json --fail-level never "$wrong")"
  echo "check_jsonl_wrong_kb=$(peak "$bin" check --format jsonl --fail-level never "$wrong")"
  echo "show_json_100_kb=$(peak "$bin" show --format json --fail-level never "$data/findings-100mb.xml")"
  echo "check_jsonl_100_kb=$(peak "$bin" check --format jsonl --fail-level never "$data/findings-100mb.xml")"
  echo "show_human_wrong_kb=$(peak "$bin" show --color never --fail-level never "$wrong")"
  echo "check_human_wrong_kb=$(peak "$bin" check --color never --fail-level never "$wrong")"
  echo "show_human_100_kb=$(peak "$bin" show --color never --fail-level never "$data/findings-100mb.xml")"
  echo "check_human_100_kb=$(peak "$bin" check --color never --fail-level never "$data/findings-100mb.xml")"
} > "$out/memory-findings.txt"
rm -f "$timing"
python3 bench/findings_report.py "$out" BENCHMARKS.md
echo "BENCHMARKS.md: Findings section written"
