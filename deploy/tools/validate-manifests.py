#!/usr/bin/env python3
"""Validates Kubernetes manifests against the JSON schemas in deploy/schemas.

    python3 deploy/tools/validate-manifests.py deploy/kubernetes/*.yaml deploy/openshift/*.yaml

Each document is checked against the strict schema of its kind and apiVersion
(Kubernetes v1.34.0, deploy/schemas/README.md). Kinds without a schema there
(OpenShift's SecurityContextConstraints) are listed as skipped, never passed
silently. Prints one line per document; exit 0 when every checked document is
valid, 1 when one is not, 2 when a file does not parse or a schema is missing.
"""
import os
import re
import sys

import yaml

import schema_validation

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "..", "schemas", "kubernetes-v1.34.0")
# CRDs the exports write (export --format cilium), beside Kubernetes' own kinds.
CRD_SCHEMAS = os.path.join(HERE, "..", "schemas", "cilium")
NO_SCHEMA = {("security.openshift.io/v1", "SecurityContextConstraints")}


def main(paths):
    definitions = schema_validation.load(SCHEMAS, "_definitions.json")

    def parse(path):
        with open(path) as f:
            return [d for d in yaml.safe_load_all(f) if d is not None]

    def check(path, i, doc):
        kind, api = doc.get("kind", "?"), doc.get("apiVersion", "?")
        name = f"{path}[{i}] {kind} {(doc.get('metadata') or {}).get('name', '?')}"
        if (api, kind) in NO_SCHEMA:
            print(f"{name}: skipped (no schema for {api} {kind})")
            return 0
        group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api)
        schema_file = f"{kind.lower()}-{group}.json"
        folder = next((f for f in (SCHEMAS, CRD_SCHEMAS) if os.path.exists(os.path.join(f, schema_file))), None)
        if folder is None:
            print(f"{name}: no schema {schema_file} in deploy/schemas")
            return 2
        schema = schema_validation.load(folder, schema_file)
        if "$id" in schema:
            v = schema_validation.validator(schema, [(definitions["$id"], definitions), (schema["$id"], schema)])
        else:  # a self-contained CRD schema: no shared definitions
            v = schema_validation.validator(schema, [])
        return schema_validation.report(name, v, doc, "(document)")

    return schema_validation.run(paths, parse, (OSError, yaml.YAMLError), check)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
