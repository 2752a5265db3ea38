"""Conversions between Python values and what the native module takes (no logic, only shapes).

Nothing is imported up front: `json` and the generated types only when a value needs them.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, List, Optional, Union

    from ._types import UserInput

    Input = Union[str, UserInput, Iterable[Union[str, UserInput, dict]]]
    """A turn's input: text, one `UserInput`, or a list of them (dicts in their JSON form are accepted)."""

_dumps: Optional[Callable[[Any], str]] = None


def to_jsonable(value: Any) -> Any:
    """A protocol dataclass (anything with `to_dict`) as its JSON form; other values unchanged."""
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def dumps(value: Any) -> str:
    """JSON text of a value, protocol dataclasses included."""
    global _dumps
    if _dumps is None:
        import json

        _dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return _dumps(to_jsonable(value))


def _input_item(item: Union[str, UserInput, dict]) -> Any:
    if isinstance(item, str):
        return {"type": "text", "text": item}
    if isinstance(item, dict):
        return item
    from ._types import ImageInput, LocalImageInput, TextInput

    if isinstance(item, (TextInput, ImageInput, LocalImageInput)):
        return item.to_dict()
    raise TypeError(f"not a turn input: {item!r} (expected str, a UserInput or its dict form)")


def input_value(value: Input) -> List[Any]:
    """A turn's input as a list of `UserInput` in their JSON form (what the native module takes)."""
    if isinstance(value, (str, dict)) or hasattr(value, "to_dict"):
        return [_input_item(value)]  # type: ignore[arg-type]
    return [_input_item(item) for item in value]


def input_json(value: Input) -> str:
    """JSON text of a turn's input (a list of `UserInput`)."""
    return dumps(input_value(value))
