"""Python functions as tools: the JSON schema from type hints and the docstring, the call from JSON.

This is host convention (how Python describes a function), so it lives here, not in the core: the core
receives a name, a description, a JSON schema and a callable.

Start-up matters for scripts, so this module imports nothing heavy: a plain function (parameters typed
`str`, `int`, `float`, `bool` or not at all, a docstring without an argument section) gets its schema
here; anything else goes through `_schema` (typing, inspect, dataclasses, pydantic), with the same result.
"""

from __future__ import annotations

from . import _native

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

    from ._types import ReviewDecision


def _plain() -> None:
    """A plain function (its type, for `type(fn) is ...`)."""


_FUNCTION = type(_plain)
_CO_COROUTINE = 0x80
"""`inspect.CO_COROUTINE`: the code flag of an `async def` function."""


def is_coroutine_function(fn: Any) -> bool:
    """`inspect.iscoroutinefunction`, without importing `inspect` for plain functions."""
    if type(fn) is _FUNCTION:
        return bool(fn.__code__.co_flags & _CO_COROUTINE)
    if fn is None:
        return False
    import inspect

    return inspect.iscoroutinefunction(fn)


class ToolContext:
    """What a tool call may know and do besides its arguments. A tool receives it by declaring a
    parameter annotated `ToolContext` (left out of the schema)."""

    __slots__ = ("_native", "_tool")

    def __init__(self, native: _native.ToolContext, tool: str):
        self._native = native
        self._tool = tool

    @property
    def conversation_id(self) -> str:
        """The conversation's id."""
        return self._native.conversation_id

    @property
    def submission_id(self) -> str:
        """The submission (turn) the call belongs to."""
        return self._native.submission_id

    @property
    def cwd(self) -> str:
        """The turn's working directory."""
        return self._native.cwd

    @property
    def cancelled(self) -> bool:
        """Whether the turn was interrupted; a long tool should stop."""
        return self._native.cancelled

    @property
    def call_id(self) -> Optional[str]:
        """The id of the tool call being handled (the model's `call_id`)."""
        return self._native.call_id

    async def request_approval(self, command: Sequence[str], reason: Optional[str] = None) -> ReviewDecision:
        """Asks the host (`on_approval`, or an `ExecApprovalOp`) to approve running `command`. Fails
        closed: no answer within the approval timeout is `"denied"`."""
        decision = await self._native.request_approval(list(command), reason)
        return decision  # type: ignore[return-value]  # a ReviewDecision name, from the core

    def request_approval_sync(self, command: Sequence[str], reason: Optional[str] = None) -> ReviewDecision:
        """As `request_approval`, for sync tools (it blocks the calling thread, with the GIL released)."""
        return self._native.request_approval_blocking(list(command), reason)  # type: ignore[return-value]


class Tool:
    """A Python function the model can call.

    The name is the function's name; the description is its docstring's text before the argument
    section; the JSON schema comes from the type hints (and the docstring's `Args:` / `:param:`
    descriptions), or from a pydantic model when the function takes one. The function may be sync or
    `async def` (it runs on the event loop driving the conversation). A sync function runs in place on the
    Rust thread running the turn, holding the GIL (the cheapest call; keep it short, or make it `async def`
    when it waits on I/O); with `parallel=True` it runs on a worker thread instead, so calls may overlap.
    Its return value becomes the tool's output (`str` as is, anything else as JSON); an exception becomes a
    failed output the model sees ("ValueError: ...") and the turn goes on.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        parallel: bool = False,
    ):
        self.fn = fn
        self.name = name or fn.__name__
        binder: Any = _PlainBinder.of(fn)
        if binder is None:
            from . import _schema

            import inspect

            summary, param_docs = _schema.parse_docstring(inspect.getdoc(fn) or "")
            binder = _schema._Binder(fn, param_docs, ToolContext)
        else:
            summary = binder.summary
        self.description = description if description is not None else summary
        self.parallel = parallel
        self._binder = binder
        self.parameters: Dict[str, Any] = binder.schema
        self._native: Optional[_native.Tool] = None

    @property
    def native(self) -> _native.Tool:
        """The native tool (built once)."""
        if self._native is None:
            self._native = _native.Tool(
                self.name,
                self.description,
                self.parameters,
                self._invoke,
                self.parallel,
                is_coroutine_function(self.fn),
            )
        return self._native

    def _invoke(self, arguments: Any, context: _native.ToolContext) -> Any:
        kwargs = self._binder.bind(arguments, ToolContext(context, self.name))
        result = self.fn(**kwargs)
        if result.__class__ is str:
            return result
        if hasattr(result, "__await__"):
            return _finish(result)
        return to_output(result)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Tool({self.name!r})"


async def _finish(awaitable: Any) -> str:
    return to_output(await awaitable)


def to_output(value: Any) -> str:
    """A tool's return value as the text the model sees."""
    cls = value.__class__
    if cls is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return ""
    # What `json.dumps` writes for these, without importing json.
    if cls is int:
        return int.__repr__(value)
    if cls is bool:
        return "true" if value else "false"
    if cls is float and value - value == 0.0:  # finite
        return float.__repr__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    dump = getattr(value, "model_dump_json", None)
    if callable(dump):
        return dump()  # type: ignore[no-any-return]
    if hasattr(cls, "__dataclass_fields__") and not isinstance(value, type):
        import dataclasses

        value = dataclasses.asdict(value)
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


_PRIMITIVES = {str: "string", int: "integer", float: "number", bool: "boolean"}


class _PlainBinder:
    """The parameters of a plain function: each a JSON primitive (or unannotated), passed as is."""

    __slots__ = ("schema", "summary", "names", "required", "context_param")

    def __init__(self) -> None:
        self.schema: Dict[str, Any] = {}
        self.summary = ""
        self.names: frozenset[str] = frozenset()
        self.required: List[str] = []
        self.context_param: Optional[str] = None

    @staticmethod
    def of(fn: Any) -> Optional[_PlainBinder]:
        """The binder of `fn` when it is a plain function (see the module's docs), else None."""
        if type(fn) is not _FUNCTION:
            return None
        doc = fn.__doc__
        if not isinstance(doc, str) or ":" in doc:
            return None  # no docstring (it may be inherited), or maybe an argument section
        code = fn.__code__
        if code.co_flags & 0x0C or code.co_posonlyargcount:  # *args, **kwargs, positional-only
            return None
        names: Tuple[str, ...] = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        defaults = fn.__defaults__ or ()
        with_default = set(names[code.co_argcount - len(defaults) : code.co_argcount])
        with_default.update(fn.__kwdefaults__ or ())
        annotations = fn.__annotations__
        binder = _PlainBinder()
        properties: Dict[str, Any] = {}
        required: List[str] = []
        for name in names:
            if name not in annotations:
                properties[name] = {}
            else:
                annotation = annotations[name]
                if annotation is ToolContext:
                    binder.context_param = name
                    continue
                kind = _PRIMITIVES.get(annotation) if annotation.__class__ is type else None
                if kind is None:
                    return None  # strings (postponed annotations), generics, classes: the general path
                if name in with_default and _default(fn, name, names, code.co_argcount) is None:
                    return None  # `x: int = None` means Optional[int] before Python 3.11
                properties[name] = {"type": kind}
            if name not in with_default:
                required.append(name)
        binder.schema = {"type": "object", "properties": properties, "required": required}
        binder.summary = _cleandoc(doc)
        binder.names = frozenset(properties)
        binder.required = required
        return binder

    def bind(self, arguments: Any, context: ToolContext) -> Dict[str, Any]:
        if not isinstance(arguments, dict):
            raise TypeError(f"arguments must be a JSON object, got {arguments!r}")
        if not self.names.issuperset(arguments):
            raise TypeError(f"unexpected arguments: {', '.join(sorted(set(arguments) - self.names))}")
        for name in self.required:
            if name not in arguments:
                raise TypeError(f"missing required argument: {name}")
        if self.context_param:
            arguments = dict(arguments)
            arguments[self.context_param] = context
        return arguments


def _default(fn: Any, name: str, names: Tuple[str, ...], argcount: int) -> Any:
    index = names.index(name)
    if index < argcount:
        defaults = fn.__defaults__
        return defaults[index - (argcount - len(defaults))]
    return fn.__kwdefaults__[name]


def _cleandoc(doc: str) -> str:
    """`inspect.cleandoc` (tabs expanded, the common indentation of the lines after the first removed),
    stripped."""
    lines = doc.expandtabs().split("\n")
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()), default=0)
    cleaned = [lines[0].lstrip()] + [line[margin:] for line in lines[1:]]
    return "\n".join(cleaned).strip()
