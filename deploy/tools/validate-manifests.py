#!/usr/bin/env python3
"""Validates Kubernetes manifests against the JSON schemas in deploy/schemas.

    python3 deploy/tools/validate-manifests.py deploy/kubernetes/*.yaml deploy/openshift/*.yaml

Each document is checked against the strict schema of its kind and apiVersion
(Kubernetes v1.34.0, deploy/schemas/README.md). Kinds without a schema there
(OpenShift's SecurityContextConstraints) are listed as skipped, never passed
silently. Prints one line per document; exit 0 when every checked document is
valid, 1 when one is not, 2 when a file does not parse or a schema is missing.
"""
import json
import os
import re
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "..", "schemas", "kubernetes-v1.34.0")
# CRDs the exports write (export --format cilium), beside Kubernetes' own kinds.
CRD_SCHEMAS = os.path.join(HERE, "..", "schemas", "cilium")
NO_SCHEMA = {("security.openshift.io/v1", "SecurityContextConstraints")}


def load(name, folder=SCHEMAS):
    with open(os.path.join(folder, name)) as f:
        return json.load(f)


def validator(schema, definitions):
    cls = jsonschema.validators.validator_for(schema)
    if "$id" not in schema:  # a self-contained CRD schema: no shared definitions
        return cls(schema)
    try:
        from referencing import Registry, Resource
        registry = Registry().with_resources([(definitions["$id"], Resource.from_contents(definitions)),
                                              (schema["$id"], Resource.from_contents(schema))])
        return cls(schema, registry=registry)
    except ImportError:  # jsonschema before 4.18 (Debian 12's 4.10)
        resolver = jsonschema.RefResolver.from_schema(schema, store={definitions["$id"]: definitions})
        return cls(schema, resolver=resolver)


def main(paths):
    definitions = load("_definitions.json")
    status = 0
    for path in paths:
        try:
            docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            print(f"{path}: does not parse: {str(e).splitlines()[0]}")
            return 2
        for i, doc in enumerate(docs):
            kind, api = doc.get("kind", "?"), doc.get("apiVersion", "?")
            name = f"{path}[{i}] {kind} {(doc.get('metadata') or {}).get('name', '?')}"
            if (api, kind) in NO_SCHEMA:
                print(f"{name}: skipped (no schema for {api} {kind})")
                continue
            group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api)
            schema_file = f"{kind.lower()}-{group}.json"
            folder = next((f for f in (SCHEMAS, CRD_SCHEMAS) if os.path.exists(os.path.join(f, schema_file))), None)
            if folder is None:
                print(f"{name}: no schema {schema_file} in deploy/schemas")
                return 2
            errors = sorted(validator(load(schema_file, folder), definitions).iter_errors(doc), key=lambda e: list(e.absolute_path))
            if errors:
                status = 1
                for e in errors:
                    where = "/".join(str(p) for p in e.absolute_path) or "(document)"
                    print(f"{name}: {where}: {e.message}")
            else:
                print(f"{name}: valid")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
