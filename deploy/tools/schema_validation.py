"""What validate-manifests.py and validate-arm.py share: a JSON Schema validator
whose `$ref`s reach other checked-in schema files, and the run over files that
prints one line per document (or one per error) and returns the exit status
(0 valid, 1 a document is not, 2 a file does not parse or has no schema).
"""
import json
import os

import jsonschema


def load(folder, name):
    with open(os.path.join(folder, name)) as f:
        return json.load(f)


def validator(schema, resources, draft4=False):
    """A validator of `schema` whose `$ref`s resolve in `resources`, a list of (uri, schema document)."""
    cls = jsonschema.validators.validator_for(schema)
    try:
        from referencing import Registry, Resource
        if draft4:
            from referencing.jsonschema import DRAFT4
            made = [(uri, Resource.from_contents(doc, default_specification=DRAFT4)) for uri, doc in resources]
        else:
            made = [(uri, Resource.from_contents(doc)) for uri, doc in resources]
        return cls(schema, registry=Registry().with_resources(made))
    except ImportError:  # jsonschema before 4.18 (Debian 12's 4.10)
        return cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=dict(resources)))


def report(name, validator, instance, whole):
    """Prints `name: valid`, or one line per error with its path (`whole` when at the root); 0 or 1."""
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if not errors:
        print(f"{name}: valid")
        return 0
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or whole
        print(f"{name}: {where}: {e.message}")
    return 1


def run(paths, parse, parse_errors, check):
    """`parse(path)` gives a file's documents (raising one of `parse_errors` when it cannot);
    `check(path, index, document)` validates one and returns 0, 1 or 2 (2 ends the run)."""
    status = 0
    for path in paths:
        try:
            documents = parse(path)
        except parse_errors as e:
            print(f"{path}: does not parse: {str(e).splitlines()[0]}")
            return 2
        for i, document in enumerate(documents):
            result = check(path, i, document)
            if result == 2:
                return 2
            status = max(status, result)
    return status
