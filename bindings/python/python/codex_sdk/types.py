"""The protocol types (generated from the Rust types): `EventMsg` and its variants, `Op`, `ResponseItem`,
`UserInput`, policies, usage."""

from ._types import *  # noqa: F403
from ._types import __all__  # noqa: F401
