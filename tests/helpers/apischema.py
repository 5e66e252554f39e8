#!/usr/bin/python3
"""Checks one answer of rig's REST API against JupyterHub's rest-api.yml.

    apischema.py SPEC METHOD PATH STATUS BODYFILE

PATH is the request's path (/hub/api/users/alice/tokens?x=1); it is matched
to the spec's templates (/users/{name}/tokens). The answer must be one the
spec describes: a 2xx status the operation lists (but for the gaps below),
and a JSON body valid against the operation's response schema (jsonschema,
Draft 7, from Debian's python3-jsonschema). An error answer must be
JupyterHub's error model, {"status": N, "message": "..."}. Objects must not
carry keys their schema does not name, but for the ones JupyterHub 3.0 itself
adds (EXTRA below). Exit status 0 valid, 1 not (the reasons on stderr), 2
for a path or method the spec does not have (but for a refusal, which is
checked as one).

The spec (tests/data/jupyterhub-rest-api.yml) is OpenAPI 3.0, whose schemas
are close to JSON Schema; what differs is turned over here: "nullable", a
oneOf chosen by a discriminator, and the fields JupyterHub answers null for
although their schema gives only a type (NULLABLE below, each with where the
spec says so in words).
"""
import json
import re
import sys

import jsonschema
import yaml

# Fields JupyterHub 3.0 answers null for, which the spec's types leave out
# (its descriptions say "null if not", "None otherwise", "Can be null").
NULLABLE = {
    "User": {"server", "pending", "last_activity", "auth_state"},
    "Server": {"pending", "started", "last_activity", "state"},
    "Token": {"expires_at", "last_activity"},
}

# Keys JupyterHub 3.0's own models carry beyond their schema
# (apihandlers/base.py: user_model, token_model).
EXTRA = {
    "User": {"kind", "created"},
    "Server": set(),
    "Token": {"kind", "oauth_client"},
    "Service": {"kind", "display"},
}

# Answers JupyterHub gives that the spec does not list, with why.
GAPS = {
    # JupyterHub answers 200 (its later specs list it).
    ("post", "/users/{name}/activity", 200): None,
}

DATE_TIME = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def convert(node, name=None):
    """An OpenAPI 3.0 schema as JSON Schema (Draft 7)."""
    if isinstance(node, list):
        return [convert(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in ("example", "discriminator", "nullable", "description"):
            continue
        if k == "properties":
            out[k] = {}
            for p, s in v.items():
                s = convert(s)
                if p in NULLABLE.get(name, ()):
                    s = {"anyOf": [s, {"type": "null"}]}
                out[k][p] = s
            continue
        out[k] = convert(v)
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    disc = node.get("discriminator")
    if disc and "oneOf" in node:
        # The discriminator picks the one schema; the others would match
        # as well (all their properties are optional).
        prop = disc["propertyName"]
        rules = {}
        for value, ref in disc["mapping"].items():
            rules = ({"if": {"properties": {prop: {"const": value}},
                             "required": [prop]},
                      "then": {"$ref": ref}, "else": rules}
                     if rules else {"$ref": ref})
        del out["oneOf"]
        out.update(rules)
    return out


def load(spec_path):
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    comps = {n: convert(s, n)
             for n, s in spec["components"]["schemas"].items()}
    return spec, comps


def find_operation(spec, method, path):
    path = path.split("?", 1)[0]
    if path.startswith("/hub/api"):
        path = path[len("/hub/api"):] or "/"
    for template, ops in spec["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+",
                               re.escape(template)) + "$"
        if re.match(pattern, path) and method in ops:
            return template, ops[method]
    return None, None


def date_time(value):
    return not isinstance(value, str) or bool(DATE_TIME.match(value))


def extra_keys(value, schema, comps, where, errors):
    """Keys of objects that their component schema does not name."""
    if isinstance(value, list):
        for i, v in enumerate(value):
            extra_keys(v, schema.get("items", {}), comps, f"{where}[{i}]",
                       errors)
        return
    if not isinstance(value, dict):
        return
    ref = schema.get("$ref", "")
    name = ref.rsplit("/", 1)[-1] if ref else None
    if name == "RequestIdentity":
        allowed = (set(comps["User"]["properties"]) | EXTRA["User"]
                   | {"session_id", "scopes"})
        for k in set(value) - allowed:
            errors.append(f"{where}: key {k!r} is not in the User model")
        extra_keys(value.get("servers", {}),
                   comps["User"]["properties"]["servers"], comps,
                   where + ".servers", errors)
        return
    if name in EXTRA:
        props = comps[name]["properties"]
        for k in set(value) - set(props) - EXTRA[name]:
            errors.append(f"{where}: key {k!r} is not in the {name} model")
        if name == "User" and isinstance(value.get("servers"), dict):
            for s, m in value["servers"].items():
                extra_keys(m, {"$ref": "#/components/schemas/Server"},
                           comps, f"{where}.servers[{s!r}]", errors)
        return
    add = schema.get("additionalProperties")
    if isinstance(add, dict):
        for k, v in value.items():
            extra_keys(v, add, comps, f"{where}[{k!r}]", errors)


def main():
    spec_path, method, path, status, body_path = sys.argv[1:6]
    method = method.lower()
    status = int(status)
    spec, comps = load(spec_path)
    with open(body_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    errors = []
    template, op = find_operation(spec, method, path)
    if op is None and status < 400:
        print(f"{method.upper()} {path}: not in the spec", file=sys.stderr)
        return 2
    what = f"{method.upper()} {template or path} {status}"
    responses = {int(k): v for k, v in (op or {}).get("responses",
                                                      {}).items()}
    if status >= 400:
        try:
            d = json.loads(text)
        except ValueError:
            d = None
        if not (isinstance(d, dict) and d.get("status") == status
                and isinstance(d.get("message"), str)):
            errors.append(f"{what}: not JupyterHub's error model: {text!r}")
    elif status not in responses and (method, template, status) not in GAPS:
        errors.append(f"{what}: the spec lists {sorted(responses)}")
    else:
        content = (responses.get(status) or {}).get("content") or {}
        schema = (content.get("application/json") or {}).get("schema")
        if schema is None:
            if text.strip() not in ("", "{}"):
                errors.append(f"{what}: a body where the spec has none: "
                              f"{text[:200]!r}")
        else:
            try:
                d = json.loads(text)
            except ValueError as e:
                errors.append(f"{what}: not JSON ({e}): {text[:200]!r}")
                d = None
            if d is not None:
                schema = convert(schema)
                if template == "/users/{name}/tokens" and method == "get":
                    # JupyterHub 3 answers {"api_tokens": [...]}, where
                    # its spec says a list of Token.
                    if not isinstance(d, dict) or "api_tokens" not in d:
                        errors.append(f"{what}: no api_tokens: {text!r}")
                    d = d.get("api_tokens", []) if isinstance(d, dict) else d
                root = {"allOf": [schema],
                        "components": {"schemas": comps}}
                checker = jsonschema.FormatChecker(formats=())
                checker.checks("date-time")(date_time)
                v = jsonschema.Draft7Validator(root, format_checker=checker)
                for e in v.iter_errors(d):
                    loc = "/".join(str(p) for p in e.absolute_path)
                    errors.append(f"{what}: at /{loc}: {e.message}")
                extra_keys(d, schema, comps, "body", errors)
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
