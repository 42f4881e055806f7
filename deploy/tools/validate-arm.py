#!/usr/bin/env python3
"""Validates the resources of ARM templates against Azure's ARM JSON schemas in deploy/schemas.

    python3 deploy/tools/validate-arm.py TEMPLATE.json...

Each resource of a template's `resources` is checked against the resource
definition of its type in deploy/schemas/azure-network-2024-05-01 (Azure's
Microsoft.Network.NRP.json for API 2024-05-01, see deploy/schemas/README.md):
firewallPolicies/ruleCollectionGroups and networkSecurityGroups. Prints one line
per resource; exit 0 when every resource is valid, 1 when one is not, 2 when a
file does not parse or a type has no schema here.
"""
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "..", "schemas", "azure-network-2024-05-01")
DEFINITIONS = {
    "Microsoft.Network/firewallPolicies/ruleCollectionGroups": "firewallPolicies_ruleCollectionGroups",
    "Microsoft.Network/networkSecurityGroups": "networkSecurityGroups",
}


def load(name):
    with open(os.path.join(SCHEMAS, name)) as f:
        return json.load(f)


def validator(nrp, common, definition):
    schema = {"$schema": nrp["$schema"], "$ref": nrp["id"].rstrip("#") + "#/resourceDefinitions/" + definition}
    cls = jsonschema.validators.validator_for(nrp)
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4
        registry = Registry().with_resources([(nrp["id"].rstrip("#"), Resource.from_contents(nrp, default_specification=DRAFT4)),
                                              (common["id"].rstrip("#"), Resource.from_contents(common, default_specification=DRAFT4))])
        return cls(schema, registry=registry)
    except ImportError:  # jsonschema before 4.18
        resolver = jsonschema.RefResolver.from_schema(schema, store={nrp["id"].rstrip("#"): nrp, common["id"].rstrip("#"): common})
        return cls(schema, resolver=resolver)


def main(paths):
    nrp, common = load("Microsoft.Network.NRP.json"), load("common-definitions.json")
    status = 0
    for path in paths:
        try:
            template = json.load(open(path))
        except (OSError, ValueError) as e:
            print(f"{path}: does not parse: {str(e).splitlines()[0]}")
            return 2
        for i, resource in enumerate(template.get("resources", [])):
            kind = resource.get("type", "?")
            name = f"{path} resources[{i}] {kind}"
            if kind not in DEFINITIONS:
                print(f"{name}: no schema for this type in deploy/schemas")
                return 2
            errors = sorted(validator(nrp, common, DEFINITIONS[kind]).iter_errors(resource), key=lambda e: list(e.absolute_path))
            if errors:
                status = 1
                for e in errors:
                    where = "/".join(str(p) for p in e.absolute_path) or "(resource)"
                    print(f"{name}: {where}: {e.message}")
            else:
                print(f"{name}: valid")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
