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

import schema_validation

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "..", "schemas", "azure-network-2024-05-01")
DEFINITIONS = {
    "Microsoft.Network/firewallPolicies/ruleCollectionGroups": "firewallPolicies_ruleCollectionGroups",
    "Microsoft.Network/networkSecurityGroups": "networkSecurityGroups",
}


def main(paths):
    nrp = schema_validation.load(SCHEMAS, "Microsoft.Network.NRP.json")
    common = schema_validation.load(SCHEMAS, "common-definitions.json")
    base = nrp["id"].rstrip("#")
    resources = [(base, nrp), (common["id"].rstrip("#"), common)]

    def parse(path):
        with open(path) as f:
            return json.load(f).get("resources", [])

    def check(path, i, resource):
        kind = resource.get("type", "?")
        name = f"{path} resources[{i}] {kind}"
        if kind not in DEFINITIONS:
            print(f"{name}: no schema for this type in deploy/schemas")
            return 2
        schema = {"$schema": nrp["$schema"], "$ref": base + "#/resourceDefinitions/" + DEFINITIONS[kind]}
        return schema_validation.report(name, schema_validation.validator(schema, resources, draft4=True), resource, "(resource)")

    return schema_validation.run(paths, parse, (OSError, ValueError), check)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
