#!/usr/bin/python3
"""Validates ext --json documents against docs/schema (python3-jsonschema, draft 2020-12).

usage: validate_json.py SCHEMA_DIR FILE...   each FILE holds one document; its "schema" field
("ext.dev/<name>/v1") names SCHEMA_DIR/<name>.json. Prints one line per problem; exit 1 if any.
"""
import json
import os
import re
import sys

import jsonschema


def main():
    schema_dir, files = sys.argv[1], sys.argv[2:]
    problems = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            doc = json.loads(text)
        except ValueError as e:
            print(f"{path}: not JSON: {e}")
            problems += 1
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("schema"), str):
            print(f"{path}: no \"schema\" field")
            problems += 1
            continue
        m = re.fullmatch(r"ext\.dev/([a-z-]+)/v([0-9]+)", doc["schema"])
        if not m:
            print(f"{path}: schema {doc['schema']!r} is not ext.dev/<name>/v<N>")
            problems += 1
            continue
        schema_file = os.path.join(schema_dir, m.group(1) + ".json")
        if not os.path.exists(schema_file):
            print(f"{path}: no schema file {schema_file}")
            problems += 1
            continue
        with open(schema_file, encoding="utf-8") as f:
            schema = json.load(f)
        validator = jsonschema.Draft202012Validator(schema)
        for err in validator.iter_errors(doc):
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            print(f"{path}: {doc['schema']}: {where}: {err.message[:300]}")
            problems += 1
    print(f"{len(files)} document(s), {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
