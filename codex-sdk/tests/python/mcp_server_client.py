"""Drives `exec mcp-server` with the official Python MCP SDK (the `mcp` package).

usage: mcp_server_client.py EXEC_BINARY CWD [EXEC ARGS...]

initialize, list tools, call `codex` (its turn asks for an approval, answered through elicitation), then
`codex-reply`; prints one JSON object with what it saw.
"""

import json
import os
import sys

import anyio
from pydantic import BaseModel, ConfigDict

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.extension import NotificationBinding
from mcp.client.stdio import stdio_client


class CodexEvent(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    msg: dict


async def main() -> None:
    exec_binary, cwd, *exec_args = sys.argv[1:]
    events: list[dict] = []
    elicitations: list[str] = []

    async def on_event(params: CodexEvent) -> None:
        events.append(params.msg)

    async def on_elicit(context, params: types.ElicitRequestParams) -> types.ElicitResult:
        elicitations.append(params.message)
        return types.ElicitResult(action="accept", content={})

    # The SDK passes only a few variables to servers: hand over the ones the test sets.
    env = {k: v for k, v in os.environ.items() if k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_HOME")}
    server = StdioServerParameters(command=exec_binary, args=[*exec_args, "mcp-server"], cwd=cwd, env=env)
    async with stdio_client(server) as (read, write):
        async with ClientSession(
            read,
            write,
            elicitation_callback=on_elicit,
            notification_bindings=[NotificationBinding(method="codex/event", params_type=CodexEvent, handler=on_event)],
        ) as session:
            await session.initialize()
            tools = await session.list_tools()
            first = await session.call_tool(
                "codex",
                {"prompt": "make a file", "approval-policy": "untrusted", "sandbox": "workspace-write"},
            )
            conversation_id = first.structured_content["conversationId"]
            second = await session.call_tool(
                "codex-reply", {"conversationId": conversation_id, "prompt": "and now?"}
            )
            # Notifications are dispatched concurrently with results: give the last ones a moment.
            await anyio.sleep(0.2)
    print(
        json.dumps(
            {
                "tools": sorted(t.name for t in tools.tools),
                "first": {
                    "text": first.content[0].text,
                    "structured": first.structured_content,
                    "is_error": first.is_error,
                },
                "second": {
                    "text": second.content[0].text,
                    "structured": second.structured_content,
                    "is_error": second.is_error,
                },
                "event_types": [e.get("type") for e in events],
                "elicitations": elicitations,
            }
        )
    )


anyio.run(main)
