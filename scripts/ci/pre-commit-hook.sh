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
git add -A
git commit -qm "a repository with other XML"

echo "-- pre-commit on SVGs, a pom.xml and a good template: must pass"
pre-commit try-repo "$root" adinspect --all-files

echo "-- with a defective template: must fail with its findings"
cp "$root/fixtures/rules/invalid-on-off/bad.xml" templates/broken.xml
git add -A
status=0
pre-commit try-repo "$root" adinspect --all-files > output.txt 2>&1 || status=$?
cat output.txt
if [ "$status" -eq 0 ]; then
  echo "the hook passed a defective template" >&2
  exit 1
fi
grep -q "templates/broken.xml:13:14: error\[invalid-on-off\]" output.txt || {
  echo "the hook's output does not name the finding" >&2
  exit 1
}
echo "-- pre-commit hook: ok"
