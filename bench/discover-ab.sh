#!/usr/bin/env bash
# Does the `discover` feature (rustls, the trust store, httparse) cost `check` anything? Builds the
# tool with and without it and times both on the start-up file and the 10,000-file corpus; run
# after bench/run.sh has generated bench/data.  bash bench/discover-ab.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
host=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --locked -q --bin adinspect
cargo build --release --locked -q --bin adinspect --no-default-features --target-dir target/no-discover
with=${CARGO_TARGET_DIR:-target}/$host/release/adinspect
without=target/no-discover/$host/release/adinspect
data=bench/data
[ -f "$data/small.xml" ] || cargo run --release --locked -q --example generate -- "$data"
out=bench/results
mkdir -p "$out"
echo "binary size: with discover $(stat -c %s "$with") bytes, without $(stat -c %s "$without") bytes" | tee "$out/discover-ab.txt"
for round in 1 2; do
  hyperfine -N --warmup 20 --runs 300 --export-markdown "$out/discover-ab-startup.$round.md" \
    -n "without discover: check 1 KB" "$without check --fail-level never $data/small.xml" \
    -n "with discover: check 1 KB" "$with check --fail-level never $data/small.xml"
  hyperfine -N --warmup 1 --runs 8 --export-markdown "$out/discover-ab-files.$round.md" \
    -n "without discover: check 10,000 files" "$without check --format jsonl --fail-level never $data/files" \
    -n "with discover: check 10,000 files" "$with check --format jsonl --fail-level never $data/files"
done
