#!/usr/bin/env python3
"""Generates src/patch/builtin_schema.txt, the merge-key table of Kubernetes' own kinds.

kustomize v5.5 (kyaml v0.18.1) merges strategic patches with the Kubernetes v1.21.2 OpenAPI
document compiled into kyaml (openapi/kubernetesapi/v1_21_2/swagger.pb, a gnostic
openapi_v2.Document protobuf). This script reads that file with a minimal protobuf decoder (no
dependencies) and keeps only what kyaml's merge walk consults: each GVK's root definition, and
the properties leading to lists whose x-kubernetes-patch-strategy contains "merge", with their
merge keys (x-kubernetes-list-map-keys when present, else x-kubernetes-patch-merge-key).

Regenerate (Go is used only to fetch the module):

    go mod download sigs.k8s.io/kustomize/kyaml@v0.18.1
    python3 crates/kustomize/gen/openapi_merge_keys.py \
        "$(go env GOMODCACHE)/sigs.k8s.io/kustomize/kyaml@v0.18.1/openapi/kubernetesapi/v1_21_2/swagger.pb" \
        > crates/kustomize/src/patch/builtin_schema.txt
"""

import sys

# gnostic OpenAPIv2.proto field numbers.
DOCUMENT_DEFINITIONS = 9
DEFINITIONS_ENTRY = 1  # repeated NamedSchema (also Properties' entries)
NAMED_NAME, NAMED_VALUE = 1, 2
SCHEMA_REF = 1
SCHEMA_ADDITIONAL = 21  # AdditionalPropertiesItem { Schema schema = 1; bool boolean = 2; }
SCHEMA_TYPE = 22  # TypeItem { repeated string value = 1; }
SCHEMA_ITEMS = 23  # ItemsItem { repeated Schema schema = 1; }
SCHEMA_PROPERTIES = 25
SCHEMA_EXTENSION = 31  # repeated NamedAny; Any { google.protobuf.Any value = 1; string yaml = 2; }
ANY_YAML = 2


def fields(buf):
    """Yields (field number, value) of a protobuf message; length-delimited values as bytes."""
    i, n = 0, len(buf)
    while i < n:
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 2:
            length, i = varint(buf, i)
            value, i = buf[i : i + length], i + length
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, value


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def named(buf):
    name = value = None
    for number, v in fields(buf):
        if number == NAMED_NAME:
            name = v.decode()
        elif number == NAMED_VALUE:
            value = v
    return name, value


def schema(buf):
    s = {"ref": "", "type": [], "items": None, "props": {}, "additional": None, "ext": {}}
    for number, v in fields(buf):
        if number == SCHEMA_REF:
            s["ref"] = v.decode()
        elif number == SCHEMA_TYPE:
            s["type"] += [t.decode() for n, t in fields(v) if n == 1]
        elif number == SCHEMA_ITEMS:
            items = [schema(t) for n, t in fields(v) if n == 1]
            s["items"] = items[0] if items else None
        elif number == SCHEMA_PROPERTIES:
            for n, entry in fields(v):
                if n == DEFINITIONS_ENTRY:
                    name, value = named(entry)
                    s["props"][name] = schema(value)
        elif number == SCHEMA_ADDITIONAL:
            for n, t in fields(v):
                if n == 1:
                    s["additional"] = schema(t)
        elif number == SCHEMA_EXTENSION:
            name, value = named(v)
            text = "".join(t.decode() for n, t in fields(value) if n == ANY_YAML)
            s["ext"][name] = text
    return s


def scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def yaml_list(text):
    """The block sequences of scalars or flat maps that the swagger extensions hold."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("- "):
            line = line[2:]
            items.append({} if ":" in line and not line.lstrip().startswith(("'", '"')) else None)
            if items[-1] is None:
                items[-1] = scalar(line)
                continue
        elif not line.startswith("  "):
            continue
        key, _, value = line.strip().partition(":")
        items[-1][key.strip()] = scalar(value)
    return items


def ref_name(ref):
    prefix = "#/definitions/"
    return ref[len(prefix) :] if ref.startswith(prefix) else None


def merge_keys(s):
    """The merge keys of a list kyaml merges by key, or None for a list it replaces."""
    strategy = scalar(s["ext"].get("x-kubernetes-patch-strategy", ""))
    if "merge" not in strategy.split(","):
        return None
    if "x-kubernetes-list-map-keys" in s["ext"]:
        return yaml_list(s["ext"]["x-kubernetes-list-map-keys"])
    key = s["ext"].get("x-kubernetes-patch-merge-key")
    return [scalar(key)] if key else []


def main(path):
    with open(path, "rb") as f:
        doc = f.read()
    definitions = {}
    for number, v in fields(doc):
        if number == DOCUMENT_DEFINITIONS:
            for n, entry in fields(v):
                if n == DEFINITIONS_ENTRY:
                    name, value = named(entry)
                    definitions[name] = schema(value)

    # A property as kyaml walks it: ("ref", def) for a nested object, ("map", def) for a map
    # of objects, ("list", keys, def-or-None) for a list merged by key.
    def edges(d):
        out = {}
        for field, p in sorted(d["props"].items()):
            if p["type"] == ["array"] and p["items"] is not None:
                keys = merge_keys(p)
                if keys is not None:
                    out[field] = ("list", keys, ref_name(p["items"]["ref"]))
            elif ref_name(p["ref"]):
                out[field] = ("ref", ref_name(p["ref"]))
            elif p["additional"] is not None and ref_name(p["additional"]["ref"]):
                out[field] = ("map", ref_name(p["additional"]["ref"]))
        return out

    all_edges = {name: edges(d) for name, d in definitions.items()}
    useful = set()
    changed = True
    while changed:
        changed = False
        for name, es in all_edges.items():
            if name in useful:
                continue
            if any(e[0] == "list" or e[-1] in useful for e in es.values()):
                useful.add(name)
                changed = True

    gvks = []
    for name, d in definitions.items():
        ext = d["ext"].get("x-kubernetes-group-version-kind")
        if not ext:
            continue
        for gvk in yaml_list(ext):
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            api_version = f"{group}/{version}" if group else version
            gvks.append((api_version, kind, name if name in useful else "-"))

    out = sys.stdout
    out.write("# Generated by crates/kustomize/gen/openapi_merge_keys.py from kyaml v0.18.1's\n")
    out.write("# Kubernetes v1.21.2 OpenAPI document (its swagger.pb); do not edit. To regenerate,\n")
    out.write("# run the script as its docstring shows. Lines:\n")
    out.write("#   G <apiVersion> <kind> <definition|->   a kind's root definition\n")
    out.write("#   D <definition>                         starts a definition\n")
    out.write("#   R <field> <definition>                 nested object\n")
    out.write("#   M <field> <definition>                 map of objects\n")
    out.write("#   L <field> <keys|-> <definition|->      list merged by key (comma-separated keys)\n")
    for api_version, kind, name in sorted(set(gvks)):
        out.write(f"G {api_version} {kind} {name}\n")
    for name in sorted(useful):
        out.write(f"D {name}\n")
        for field, e in all_edges[name].items():
            if e[0] == "list":
                keys = ",".join(e[1]) or "-"
                target = e[2] if e[2] in useful else "-"
                out.write(f"L {field} {keys} {target}\n")
            elif e[1] in useful:
                out.write(f"{'R' if e[0] == 'ref' else 'M'} {field} {e[1]}\n")


if __name__ == "__main__":
    main(sys.argv[1])
