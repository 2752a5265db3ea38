"""Conversions between Python values and the JSON the native module takes (no logic, only shapes)."""

from __future__ import annotations

import json
from typing import Any, Iterable, Union

from ._types import ImageInput, LocalImageInput, TextInput, UserInput

Input = Union[str, UserInput, Iterable[Union[str, UserInput, dict]]]
"""A turn's input: text, one `UserInput`, or a list of them (dicts in their JSON form are accepted)."""

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def to_jsonable(value: Any) -> Any:
    """A protocol dataclass (anything with `to_dict`) as its JSON form; other values unchanged."""
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def dumps(value: Any) -> str:
    """JSON text of a value, protocol dataclasses included."""
    return _dumps(to_jsonable(value))


def _input_item(item: Union[str, UserInput, dict]) -> Any:
    if isinstance(item, str):
        return {"type": "text", "text": item}
    if isinstance(item, (TextInput, ImageInput, LocalImageInput)):
        return item.to_dict()
    if isinstance(item, dict):
        return item
    raise TypeError(f"not a turn input: {item!r} (expected str, a UserInput or its dict form)")


def input_json(value: Input) -> str:
    """JSON text of a turn's input (a list of `UserInput`)."""
    if isinstance(value, (str, dict, TextInput, ImageInput, LocalImageInput)):
        return _dumps([_input_item(value)])
    return _dumps([_input_item(item) for item in value])
