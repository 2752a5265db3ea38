#!/usr/bin/env python3
"""Generates the Swift `Codable` protocol types from schema/protocol.schema.json (stdlib only).

    scripts/gen_types.py                 # writes Sources/CodexSDK/Generated/Protocol.swift
    scripts/gen_types.py --out DIR       # writes DIR/Protocol.swift (the drift check diffs it)

The schema is generated from the Rust protocol types, so it is the single source of every protocol type the
Swift package sees. Shapes understood (anything else fails loudly):
- a string alias (`ConversationId`)                              -> `typealias X = String`
- `oneOf` string constants (`AskForApproval`)                    -> `enum X: String, Codable`
- `oneOf` objects with a constant tag (`EventMsg`, `Op`, ...)    -> `enum X` with associated values and a
  hand-rolled internally-tagged coding (payload structs are flattened beside the tag, as serde does)
- an object with properties                                      -> `struct X`

`build_model` is importable: the Python proof suite checks real events against the same model (every field
the Swift decoder requires is present with the right JSON kind; every tag is known).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
REPO = PACKAGE.parent.parent
SCHEMA = REPO / "schema" / "protocol.schema.json"
OUTPUT = PACKAGE / "Sources" / "CodexSDK" / "Generated" / "Protocol.swift"

SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
    "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
    "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
    "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw",
    "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws",
    "true", "try",
}

INTEGERS = {"uint64": "UInt64", "int64": "Int64", "uint32": "UInt32", "int32": "Int32", "uint": "UInt"}


# ----------------------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class TypeRef:
    """A field's type: kind is ref, string, integer, number, boolean, array, map or json."""

    kind: str
    name: str = ""  # ref: the type's name; integer: the Swift integer type
    item: "TypeRef | None" = None  # array and map: the element type

    def swift(self) -> str:
        if self.kind == "ref":
            return self.name
        if self.kind == "array":
            return f"[{self.item.swift()}]"
        if self.kind == "map":
            return f"[String: {self.item.swift()}]"
        if self.kind == "integer":
            return self.name
        return {"string": "String", "number": "Double", "boolean": "Bool", "json": "JSONValue"}[self.kind]


@dataclass
class Field:
    json_name: str
    swift_name: str
    type: TypeRef
    optional: bool
    default: str | None  # a Swift literal, for absent-but-defaulted fields
    doc: str


@dataclass
class Alias:
    name: str
    target: TypeRef
    doc: str


@dataclass
class StringEnum:
    name: str
    doc: str
    cases: list[tuple[str, str, str]]  # (swift case, raw value, doc)


@dataclass
class Struct:
    name: str
    doc: str
    fields: list[Field]


@dataclass
class Variant:
    tag: str
    case: str
    doc: str
    ref: str | None = None  # a newtype variant: the payload struct, flattened beside the tag
    fields: list[Field] = field(default_factory=list)  # an inline struct variant (empty: a unit variant)


@dataclass
class Union:
    name: str
    doc: str
    tag_key: str
    variants: list[Variant]


def camel(name: str) -> str:
    parts = [p for p in re.split(r"[_\-\s]+", name) if p]
    if not parts:
        raise ValueError(f"cannot name {name!r}")
    return parts[0][:1].lower() + parts[0][1:] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def ident(name: str) -> str:
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def ref_name(ref: str) -> str:
    prefix = "#/$defs/"
    if not ref.startswith(prefix):
        raise ValueError(f"unsupported $ref {ref!r}")
    return ref[len(prefix):]


def type_of(schema: dict, where: str) -> tuple[TypeRef, bool]:
    """The type of a property schema, and whether it admits null."""
    if "$ref" in schema:
        return TypeRef("ref", ref_name(schema["$ref"])), False
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        if len(options) != 1 or len(options) == len(schema["anyOf"]):
            raise ValueError(f"{where}: only `X or null` anyOf is supported")
        inner, _ = type_of(options[0], where)
        return inner, True
    kind = schema.get("type")
    nullable = False
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        nullable = len(kinds) != len(kind)
        if len(kinds) != 1:
            raise ValueError(f"{where}: unsupported type list {kind}")
        kind = kinds[0]
    if kind is None:
        if set(schema) - {"description", "default", "writeOnly", "readOnly"}:
            raise ValueError(f"{where}: unsupported schema {schema}")
        return TypeRef("json"), False
    if kind == "string":
        return TypeRef("string"), nullable
    if kind == "boolean":
        return TypeRef("boolean"), nullable
    if kind == "number":
        return TypeRef("number"), nullable
    if kind == "integer":
        return TypeRef("integer", INTEGERS.get(schema.get("format", ""), "Int64")), nullable
    if kind == "array":
        item, _ = type_of(schema.get("items", {}), where + "[]")
        return TypeRef("array", item=item), nullable
    if kind == "object":
        extra = schema.get("additionalProperties")
        item = type_of(extra, where + "{}")[0] if isinstance(extra, dict) else TypeRef("json")
        return TypeRef("map", item=item), nullable
    raise ValueError(f"{where}: unsupported type {kind!r}")


def default_literal(value, type_: TypeRef, defs: dict) -> str | None:
    """A Swift literal for a schema default, or None when it has no simple literal."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, list) and not value:
        return "[]"
    if isinstance(value, dict) and not value:
        return "[:]"
    if isinstance(value, str):
        if type_.kind == "ref" and is_string_enum(defs.get(type_.name, {})):
            return "." + ident(camel(value))
        if type_.kind == "string":
            return json.dumps(value)
    return None


def is_string_enum(schema: dict) -> bool:
    variants = schema.get("oneOf") or []
    return bool(variants) and all(v.get("type") == "string" and "const" in v for v in variants)


def doc_of(schema: dict) -> str:
    return (schema.get("description") or "").strip()


def fields_of(schema: dict, where: str, defs: dict, skip: str | None = None) -> list[Field]:
    required = set(schema.get("required", []))
    fields = []
    for json_name, prop in sorted(schema.get("properties", {}).items()):
        if json_name == skip:
            continue
        type_, nullable = type_of(prop, f"{where}.{json_name}")
        default = default_literal(prop.get("default"), type_, defs) if "default" in prop else None
        optional = nullable or (json_name not in required and default is None)
        fields.append(Field(json_name, camel(json_name), type_, optional, None if optional else default,
                            doc_of(prop)))
    # Required fields first, then defaulted ones, then optional ones (each alphabetical, as the schema is):
    # Swift initializers and enum cases take them in this order, with defaults for the last two groups.
    return sorted(fields, key=lambda f: (f.optional, f.default is not None))


def tag_key_of(variants: list[dict], name: str) -> str:
    keys = None
    for v in variants:
        consts = {k for k, p in v.get("properties", {}).items() if isinstance(p, dict) and "const" in p}
        keys = consts if keys is None else keys & consts
    if not keys or len(keys) != 1:
        raise ValueError(f"{name}: cannot find the tag of the union")
    return keys.pop()


def build_model(schema: dict) -> dict:
    """Every `$defs` entry as an Alias, StringEnum, Struct or Union, by name."""
    defs = schema["$defs"]
    model = {}
    for name, sch in sorted(defs.items()):
        doc = doc_of(sch)
        if "oneOf" in sch and is_string_enum(sch):
            cases = [(ident(camel(v["const"])), v["const"], doc_of(v)) for v in sch["oneOf"]]
            model[name] = StringEnum(name, doc, cases)
        elif "oneOf" in sch:
            tag_key = tag_key_of(sch["oneOf"], name)
            variants = []
            for v in sch["oneOf"]:
                tag = v["properties"][tag_key]["const"]
                variant = Variant(tag, ident(camel(tag)), doc_of(v))
                if "$ref" in v:
                    variant.ref = ref_name(v["$ref"])
                else:
                    variant.fields = fields_of(v, f"{name}.{tag}", defs, skip=tag_key)
                variants.append(variant)
            model[name] = Union(name, doc, tag_key, variants)
        elif sch.get("type") == "object":
            model[name] = Struct(name, doc, fields_of(sch, name, defs))
        elif sch.get("type") == "string":
            model[name] = Alias(name, TypeRef("string"), doc)
        else:
            raise ValueError(f"{name}: unsupported definition {sch}")
    return model


# ----------------------------------------------------------------------------------------------- rendering

PRELUDE = '''\
// Generated by bindings/swift/scripts/gen_types.py from schema/protocol.schema.json. Do not edit.
// The protocol types of codex-sdk as Swift values. They cross the FFI as their JSON (uniffi custom types,
// see uniffi.toml), decoded and encoded here.

import Foundation

/// JSON coding of the protocol values that cross the FFI (used by the generated uniffi converters).
public enum CodexJSON {
    /// Decodes a protocol value from its JSON text.
    public static func decode<T: Decodable>(_ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// Encodes a protocol value as JSON text (`null` if it cannot be encoded; the SDK then rejects it as
    /// invalid input).
    public static func encode<T: Encodable>(_ value: T) -> String {
        guard let data = try? JSONEncoder().encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Any JSON value (for schema-less fields such as an output schema).
public enum JSONValue: Codable, Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let v = try? c.decode(Bool.self) {
            self = .bool(v)
        } else if let v = try? c.decode(Double.self) {
            self = .number(v)
        } else if let v = try? c.decode(String.self) {
            self = .string(v)
        } else if let v = try? c.decode([JSONValue].self) {
            self = .array(v)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(v): try c.encode(v)
        case let .number(v): try c.encode(v)
        case let .string(v): try c.encode(v)
        case let .array(v): try c.encode(v)
        case let .object(v): try c.encode(v)
        }
    }
}
'''


def doc_lines(doc: str, indent: str) -> list[str]:
    return [f"{indent}///{' ' + line if line else ''}" for line in doc.splitlines()] if doc else []


def field_type(f: Field) -> str:
    return f.type.swift() + ("?" if f.optional else "")


def parameter(f: Field) -> str:
    """A field as an initializer or enum-case parameter: its type and default."""
    default = " = nil" if f.optional else (f" = {f.default}" if f.default is not None else "")
    return field_type(f) + default


def decode_expr(f: Field, container: str) -> str:
    if f.optional:
        return f"try {container}.decodeIfPresent({f.type.swift()}.self, forKey: .{f.swift_name})"
    if f.default is not None:
        return (f"try {container}.decodeIfPresent({f.type.swift()}.self, forKey: .{f.swift_name}) "
                f"?? {f.default}")
    return f"try {container}.decode({f.type.swift()}.self, forKey: .{f.swift_name})"


def encode_stmt(f: Field, value: str, container: str) -> str:
    method = "encodeIfPresent" if f.optional else "encode"
    return f"try {container}.{method}({value}, forKey: .{f.swift_name})"


def coding_keys(fields: list[Field], indent: str, access: str = "") -> list[str]:
    lines = [f"{indent}{access}enum CodingKeys: String, CodingKey {{"]
    for f in fields:
        lines.append(f"{indent}    case {ident(f.swift_name)} = {json.dumps(f.json_name)}")
    return lines + [f"{indent}}}"]


def render_alias(t: Alias) -> list[str]:
    return doc_lines(t.doc, "") + [f"public typealias {t.name} = {t.target.swift()}"]


def render_string_enum(t: StringEnum) -> list[str]:
    lines = doc_lines(t.doc, "") + [f"public enum {t.name}: String, Codable, Hashable, Sendable, CaseIterable {{"]
    for case, raw, doc in t.cases:
        lines += doc_lines(doc, "    ") + [f"    case {case} = {json.dumps(raw)}"]
    return lines + ["}"]


def render_struct(t: Struct) -> list[str]:
    lines = doc_lines(t.doc, "") + [f"public struct {t.name}: Codable, Hashable, Sendable {{"]
    for f in t.fields:
        lines += doc_lines(f.doc, "    ") + [f"    public var {ident(f.swift_name)}: {field_type(f)}"]
    params = ", ".join(f"{ident(f.swift_name)}: {parameter(f)}" for f in t.fields)
    lines += ["", f"    public init({params}) {{"]
    lines += [f"        self.{f.swift_name} = {ident(f.swift_name)}" for f in t.fields]
    lines += ["    }"]
    if t.fields:
        lines += [""] + coding_keys(t.fields, "    ")
    if any(f.default is not None for f in t.fields):
        lines += ["", "    public init(from decoder: Decoder) throws {"]
        lines += ["        let c = try decoder.container(keyedBy: CodingKeys.self)"]
        lines += [f"        self.{f.swift_name} = {decode_expr(f, 'c')}" for f in t.fields]
        lines += ["    }"]
    return lines + ["}"]


def render_union(t: Union) -> list[str]:
    lines = doc_lines(t.doc, "") + [f"public enum {t.name}: Codable, Hashable, Sendable {{"]
    inline_fields: dict[str, Field] = {}
    for v in t.variants:
        lines += doc_lines(v.doc, "    ")
        if v.ref:
            lines.append(f"    case {v.case}({v.ref})")
        elif v.fields:
            params = ", ".join(f"{f.swift_name}: {parameter(f)}" for f in v.fields)
            lines.append(f"    case {v.case}({params})")
            for f in v.fields:
                seen = inline_fields.setdefault(f.swift_name, f)
                if seen.json_name != f.json_name:
                    raise ValueError(f"{t.name}: two JSON names for {f.swift_name}")
        else:
            lines.append(f"    case {v.case}")
    lines += ["", "    private enum TagKey: String, CodingKey {", f"        case tag = {json.dumps(t.tag_key)}", "    }"]
    if inline_fields:
        lines += [""] + coding_keys(sorted(inline_fields.values(), key=lambda f: f.swift_name), "    ", "private ")

    lines += ["", "    public init(from decoder: Decoder) throws {"]
    lines += ["        let tags = try decoder.container(keyedBy: TagKey.self)"]
    lines += ["        let tag = try tags.decode(String.self, forKey: .tag)", "        switch tag {"]
    for v in t.variants:
        lines.append(f"        case {json.dumps(v.tag)}:")
        if v.ref:
            lines.append(f"            self = .{v.case}(try {v.ref}(from: decoder))")
        elif v.fields:
            lines.append("            let c = try decoder.container(keyedBy: CodingKeys.self)")
            lines.append(f"            self = .{v.case}(")
            args = [f"                {f.swift_name}: {decode_expr(f, 'c')}" for f in v.fields]
            lines += [a + ("," if i < len(args) - 1 else "") for i, a in enumerate(args)]
            lines.append("            )")
        else:
            lines.append(f"            self = .{v.case}")
    lines += ["        default:"]
    lines += ["            throw DecodingError.dataCorruptedError("]
    lines += [f"                forKey: .tag, in: tags, debugDescription: \"unknown {t.name} \\(tag)\")"]
    lines += ["        }", "    }"]

    lines += ["", "    public func encode(to encoder: Encoder) throws {"]
    lines += ["        var tags = encoder.container(keyedBy: TagKey.self)", "        switch self {"]
    for v in t.variants:
        if v.ref:
            lines.append(f"        case let .{v.case}(value):")
            lines.append(f"            try tags.encode({json.dumps(v.tag)}, forKey: .tag)")
            lines.append("            try value.encode(to: encoder)")
        elif v.fields:
            names = ", ".join(f"v{i}" for i in range(len(v.fields)))
            lines.append(f"        case let .{v.case}({names}):")
            lines.append(f"            try tags.encode({json.dumps(v.tag)}, forKey: .tag)")
            lines.append("            var c = encoder.container(keyedBy: CodingKeys.self)")
            lines += [f"            {encode_stmt(f, f'v{i}', 'c')}" for i, f in enumerate(v.fields)]
        else:
            lines.append(f"        case .{v.case}:")
            lines.append(f"            try tags.encode({json.dumps(v.tag)}, forKey: .tag)")
    lines += ["        }", "    }", "}"]
    return lines


def render_swift(model: dict) -> str:
    out = [PRELUDE]
    renderers = {Alias: render_alias, StringEnum: render_string_enum, Struct: render_struct, Union: render_union}
    for name in sorted(model):
        out.append("\n".join(renderers[type(model[name])](model[name])) + "\n")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", type=Path, default=SCHEMA)
    parser.add_argument("--out", type=Path, help="directory for Protocol.swift (default: the package's)")
    args = parser.parse_args(argv)
    model = build_model(json.loads(args.schema.read_text()))
    target = (args.out / "Protocol.swift") if args.out else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_swift(model))
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
