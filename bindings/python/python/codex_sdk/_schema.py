"""Tool schemas in general: the JSON schema of any type hint (unions, literals, enums, containers,
dataclasses, TypedDicts, pydantic models), the docstring's argument descriptions, and the conversion of
JSON arguments to the annotated types. Imported only for tools the plain path of `_tools` does not cover
(it imports `typing`, `inspect`, `re` and `dataclasses`, which a script with plain tools does not need).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import inspect
import re
import sys
import typing
from typing import Any, Callable, Dict, List, Optional, Tuple

_NONE_TYPE = type(None)
_UNION_TYPES: Tuple[Any, ...] = (typing.Union,)
if sys.version_info >= (3, 10):
    import types

    _UNION_TYPES += (types.UnionType,)


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


class _Binder:
    """A function's parameters: their JSON schema, and the binding of JSON arguments to them."""

    def __init__(self, fn: Callable[..., Any], docs: Dict[str, str], context_type: type):
        try:
            hints = typing.get_type_hints(fn, include_extras=True)
        except NameError as e:
            raise TypeError(f"cannot derive a JSON schema for {fn.__name__}: its type hints do not resolve ({e})") from e
        self.params: List[Tuple[str, Any, bool]] = []
        self.context_param: Optional[str] = None
        self.model_param: Optional[Tuple[str, Any]] = None
        properties: Dict[str, Any] = {}
        required: List[str] = []
        defs: Dict[str, Any] = {}
        for param in inspect.signature(fn).parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            annotation = hints.get(param.name, Any)
            if annotation is context_type:
                self.context_param = param.name
                continue
            has_default = param.default is not param.empty
            self.params.append((param.name, annotation, has_default))
            schema = json_schema(annotation, defs)
            if param.name in docs and "description" not in schema:
                schema = {**schema, "description": docs[param.name]}
            properties[param.name] = schema
            if not has_default:
                required.append(param.name)
        if len(self.params) == 1 and _is_pydantic_model(self.params[0][1]):
            # A function taking one pydantic model: the model is the arguments object.
            name, model, _ = self.params[0]
            self.model_param = (name, model)
            self.schema = model.model_json_schema()
            return
        self.schema = {"type": "object", "properties": properties, "required": required}
        if defs:
            self.schema["$defs"] = defs
        self.names = {name for name, _, _ in self.params}
        self.binders = [(name, converter(annotation), has_default) for name, annotation, has_default in self.params]

    def bind(self, arguments: Any, context: Any) -> Dict[str, Any]:
        if not isinstance(arguments, dict):
            raise TypeError(f"arguments must be a JSON object, got {arguments!r}")
        kwargs: Dict[str, Any]
        if self.model_param:
            name, model = self.model_param
            kwargs = {name: model.model_validate(arguments)}
        else:
            if not self.names.issuperset(arguments):
                raise TypeError(f"unexpected arguments: {', '.join(sorted(set(arguments) - self.names))}")
            kwargs = {}
            for name, convert, has_default in self.binders:
                if name in arguments:
                    value = arguments[name]
                    kwargs[name] = value if convert is None or value is None else convert(value)
                elif not has_default:
                    raise TypeError(f"missing required argument: {name}")
        if self.context_param:
            kwargs[self.context_param] = context
        return kwargs


def _is_pydantic_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and callable(getattr(annotation, "model_json_schema", None))


def _strip_annotated(annotation: Any) -> Tuple[Any, Optional[str]]:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        return base, next((m for m in meta if isinstance(m, str)), None)
    return annotation, None


def json_schema(annotation: Any, defs: Dict[str, Any]) -> Dict[str, Any]:
    """The JSON schema of a type hint. Nested pydantic models' definitions are collected in `defs`."""
    annotation, description = _strip_annotated(annotation)
    schema = _schema(annotation, defs)
    if description:
        schema = {**schema, "description": description}
    return schema


_PRIMITIVES = {str: "string", int: "integer", float: "number", bool: "boolean", _NONE_TYPE: "null"}
_ARRAYS = (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Iterable, collections.abc.Set)


def _schema(tp: Any, defs: Dict[str, Any]) -> Dict[str, Any]:
    schema: Dict[str, Any]
    if tp is Any or tp is inspect.Parameter.empty:
        return {}
    if tp in _PRIMITIVES:
        return {"type": _PRIMITIVES[tp]}
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in _UNION_TYPES:
        options = [a for a in args if a is not _NONE_TYPE]
        inner = [json_schema(a, defs) for a in options]
        schema = inner[0] if len(inner) == 1 else {"anyOf": inner}
        if len(options) < len(args):
            schema = {"anyOf": [schema, {"type": "null"}]}
        return schema
    if origin is typing.Literal:
        values = list(args)
        kinds = {_PRIMITIVES.get(type(v)) for v in values}
        schema = {"enum": values}
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind is not None:
            schema["type"] = kind
        return schema
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _schema(typing.Literal[tuple(m.value for m in tp)], defs)  # type: ignore[misc]
    if tp in (list, tuple, set, frozenset) or origin in _ARRAYS:
        items = [a for a in args if a is not Ellipsis]
        schema = {"type": "array"}
        if origin is tuple and len(items) > 1:
            schema["prefixItems"] = [json_schema(a, defs) for a in items]
        elif items:
            schema["items"] = json_schema(items[0], defs)
        return schema
    if tp is dict or origin in (dict, collections.abc.Mapping):
        schema = {"type": "object"}
        if len(args) == 2:
            schema["additionalProperties"] = json_schema(args[1], defs)
        return schema
    if _is_pydantic_model(tp):
        model_schema = tp.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(model_schema.pop("$defs", {}))
        defs[tp.__name__] = model_schema
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if dataclasses.is_dataclass(tp) or _is_typeddict(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        if dataclasses.is_dataclass(tp):
            fields = {f.name: f for f in dataclasses.fields(tp)}
            required = [
                n
                for n, f in fields.items()
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING  # type: ignore[misc]
            ]
        else:
            required = sorted(tp.__required_keys__)
        return {
            "type": "object",
            "properties": {name: json_schema(hint, defs) for name, hint in hints.items()},
            "required": required,
        }
    raise TypeError(f"cannot derive a JSON schema for {tp!r}; annotate with a JSON-like type")


_PLAIN = (str, int, float, bool, Any, dict, list)


def converter(annotation: Any) -> Optional[Callable[[Any], Any]]:
    """How a JSON argument becomes the annotated type, worked out once per parameter: None when the JSON
    value is already right (the common case)."""
    tp, _ = _strip_annotated(annotation)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp in _PLAIN or tp is inspect.Parameter.empty or origin is typing.Literal:
        return None
    if origin in _UNION_TYPES:
        options = [a for a in args if a is not _NONE_TYPE]
        return converter(options[0]) if len(options) == 1 else None
    if origin is dict or origin is collections.abc.Mapping:
        return None if len(args) < 2 or converter(args[1]) is None else (lambda v: from_json_value(tp, v))
    if origin in _ARRAYS and origin is not tuple and origin is not set and origin is not frozenset:
        return None if not args or converter(args[0]) is None else (lambda v: from_json_value(tp, v))
    return lambda v: from_json_value(tp, v)


def from_json_value(annotation: Any, value: Any) -> Any:
    """A JSON argument as the annotated type, for the types whose JSON form differs from the Python value
    (enums, dataclasses, pydantic models, and containers of them)."""
    tp, _ = _strip_annotated(annotation)
    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in _UNION_TYPES:
        options = [a for a in args if a is not _NONE_TYPE]
        return from_json_value(options[0], value) if len(options) == 1 else value
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if _is_pydantic_model(tp):
        return tp.model_validate(value)
    if dataclasses.is_dataclass(tp) and isinstance(value, dict):
        hints = typing.get_type_hints(tp, include_extras=True)
        make: Any = tp
        return make(**{k: from_json_value(hints.get(k, Any), v) for k, v in value.items()})
    if origin in _ARRAYS and origin is not tuple and args and isinstance(value, list):
        items = [from_json_value(args[0], v) for v in value]
        return set(items) if origin is set else frozenset(items) if origin is frozenset else items
    if origin is tuple and isinstance(value, list):
        return tuple(value)
    if origin in (dict, collections.abc.Mapping) and len(args) == 2 and isinstance(value, dict):
        return {k: from_json_value(args[1], v) for k, v in value.items()}
    return value


_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Params)\s*:\s*$", re.IGNORECASE)
_OTHER_SECTION = re.compile(r"^\s*(Returns?|Raises|Yields|Examples?|Notes?)\s*:\s*$", re.IGNORECASE)
_GOOGLE_PARAM = re.compile(r"^\s*(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")
_SPHINX_PARAM = re.compile(r"^\s*:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")


def parse_docstring(doc: str) -> Tuple[str, Dict[str, str]]:
    """The description (text before the argument section) and the per-parameter descriptions of a
    Google-style (`Args:`) or Sphinx-style (`:param x:`) docstring."""
    summary: List[str] = []
    params: Dict[str, str] = {}
    current: Optional[str] = None
    section = "summary"
    for line in doc.splitlines():
        if _SECTION.match(line):
            section, current = "args", None
            continue
        if _OTHER_SECTION.match(line) or line.strip().startswith((":return", ":raise", ":rtype")):
            section, current = "other", None
            continue
        sphinx = _SPHINX_PARAM.match(line)
        if sphinx:
            current = sphinx.group(1)
            params[current] = sphinx.group(2).strip()
            section = "sphinx"
            continue
        if section == "summary":
            summary.append(line)
        elif section == "args":
            google = _GOOGLE_PARAM.match(line)
            if google and (len(line) - len(line.lstrip())) <= 4:
                current = google.group(1).lstrip("*")
                params[current] = google.group(3).strip()
            elif current and line.strip():
                params[current] = f"{params[current]} {line.strip()}".strip()
        elif section == "sphinx" and current and line.strip():
            params[current] = f"{params[current]} {line.strip()}".strip()
    return "\n".join(summary).strip(), params
