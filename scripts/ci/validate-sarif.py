#!/usr/bin/env python3
"""Validates SARIF logs against the SARIF 2.1.0 JSON schema.

Usage: validate-sarif.py SCHEMA LOG...   (exit 1 if any log is invalid)

.ci/run fetches the schema from the npm registry (the @microsoft/jest-sarif package ships it)
and feeds this the logs adinspect writes for the fixtures, the corpus, a missing path and
suppressed findings."""
import json
import sys

import jsonschema


def main():
    schema_path, logs = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.validators.validator_for(schema)(schema)
    failed = 0
    for path in logs:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        for error in errors[:10]:
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{path}: {where}: {error.message[:300]}")
        failed += bool(errors)
        results = sum(len(run.get("results", [])) for run in log.get("runs", []))
        print(f"{path}: {'INVALID' if errors else 'valid'} ({results} results)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
