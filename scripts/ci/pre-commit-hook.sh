#!/usr/bin/env bash
# Runs this repository's pre-commit hook with pre-commit itself on a scratch repository that
# holds SVGs, a Maven pom and an Autodiscover template: it must pass without configuration, and
# fail with the findings once a defective template is added. Needs pre-commit and cargo.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q project
cd project
git config user.email ci@example.invalid
git config user.name ci
mkdir -p templates assets
cp "$root/fixtures/documents/isp-pop3-smtp-usepopauth.xml" templates/autodiscover.xml
printf '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n' > assets/logo.svg
printf '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n' > assets/icon.xml
printf '<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion></project>\n' > pom.xml
# The hook at this repository's HEAD (the clone CI runs in has it committed), installed once.
cat > .pre-commit-config.yaml <<CONFIG
repos:
  - repo: $root
    rev: $(git -C "$root" rev-parse HEAD)
    hooks:
      - id: adinspect
CONFIG
git add -A
git commit -qm "a repository with other XML"
# pre-commit builds the hook with cargo install: a quicker release build is enough here.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export PRE_COMMIT_HOME="$work/cache"

echo "-- pre-commit on SVGs, a pom.xml and a good template: must pass"
pre-commit run --all-files

echo "-- with a defective template: must fail with its findings"
cp "$root/fixtures/rules/invalid-on-off/bad.xml" templates/broken.xml
git add -A
status=0
pre-commit run --all-files > "$work/output.txt" 2>&1 || status=$?
cat "$work/output.txt"
if [ "$status" -eq 0 ]; then
  echo "the hook passed a defective template" >&2
  exit 1
fi
grep -q "templates/broken.xml:13:14: error\[invalid-on-off\]" "$work/output.txt" || {
  echo "the hook's output does not name the finding" >&2
  exit 1
}

echo "-- the adinspect-fix hook repairs the template (pre-commit fails: it changed a file)"
cat > .pre-commit-config.yaml <<CONFIG
repos:
  - repo: $root
    rev: $(git -C "$root" rev-parse HEAD)
    hooks:
      - id: adinspect-fix
CONFIG
git add -A
status=0
pre-commit run --all-files > "$work/output.txt" 2>&1 || status=$?
cat "$work/output.txt"
if [ "$status" -eq 0 ]; then
  echo "pre-commit did not notice the fix hook's change" >&2
  exit 1
fi
cmp templates/broken.xml "$root/fixtures/rules/invalid-on-off/ok.xml" || {
  echo "the fix hook did not turn bad.xml into ok.xml" >&2
  exit 1
}
git add -A
pre-commit run --all-files
echo "-- pre-commit hooks: ok"
