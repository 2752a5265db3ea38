"""Validates a recorded app server session against Codex's own JSON schema.

usage: app_server_schema_check.py STABLE_SCHEMA_DIR EXPERIMENTAL_SCHEMA_DIR SESSION.jsonl

Each session line is {"dir": "in"|"out", "message": {...}}: "in" is what the client sent, "out" what the
server sent. Server notifications and requests are checked against ServerNotification.json /
ServerRequest.json, server responses against the response type of the request they answer, client
requests against ClientRequest.json (experimental schema: it declares `dynamicTools`), client answers to
server requests against their response type. Prints every violation; exits 1 when there is one.
"""

import json
import os
import sys

import jsonschema

stable, experimental, session = sys.argv[1:4]


def load(root, name):
    with open(os.path.join(root, name)) as f:
        return json.load(f)


def response_file(method):
    """`thread/compact/start` -> v2/ThreadCompactStartResponse.json; `initialize` -> v1/…"""
    name = "".join(p[:1].upper() + p[1:] for p in method.split("/")) + "Response.json"
    for folder in ("v2", "v1", ""):
        if os.path.exists(os.path.join(stable, folder, name)):
            return os.path.join(folder, name)
    raise SystemExit(f"no response schema for {method} ({name})")


SERVER_REQUEST_RESPONSES = {
    "item/commandExecution/requestApproval": "CommandExecutionRequestApprovalResponse.json",
    "item/fileChange/requestApproval": "FileChangeRequestApprovalResponse.json",
    "item/tool/call": "DynamicToolCallResponse.json",
}

validators = {}


def validator(root, name):
    key = (root, name)
    if key not in validators:
        validators[key] = jsonschema.Draft7Validator(load(root, name))
    return validators[key]


errors = []
checked = {}
client_methods = {}
server_methods = {}
with open(session) as f:
    lines = [json.loads(line) for line in f if line.strip()]
for n, line in enumerate(lines):
    direction, msg = line["dir"], line["message"]
    if direction == "in":
        if "method" in msg and "id" in msg:
            client_methods[json.dumps(msg["id"])] = msg["method"]
            target = (experimental, "ClientRequest.json")
        elif "method" in msg:
            target = (experimental, "ClientNotification.json")
        elif json.dumps(msg["id"]) in server_methods and "result" in msg:
            target = (stable, SERVER_REQUEST_RESPONSES[server_methods[json.dumps(msg["id"])]])
            msg = msg["result"]
        else:
            continue
    else:
        if "method" in msg and "id" in msg:
            server_methods[json.dumps(msg["id"])] = msg["method"]
            target = (stable, "ServerRequest.json")
        elif "method" in msg:
            target = (stable, "ServerNotification.json")
        elif "result" in msg:
            method = client_methods.get(json.dumps(msg["id"]))
            if method is None:
                errors.append(f"line {n}: a response to an unknown request: {msg}")
                continue
            target = (stable, response_file(method))
            msg = msg["result"]
        else:
            # JSON-RPC errors: the shape is checked by the test itself.
            continue
    for error in validator(*target).iter_errors(msg):
        path = "/".join(str(p) for p in error.absolute_path)
        errors.append(f"line {n} ({direction}, {target[1]}): {path}: {error.message[:300]}")
    checked[target[1]] = checked.get(target[1], 0) + 1

for e in errors:
    print(e)
print(f"checked {sum(checked.values())} messages: {json.dumps(checked, sort_keys=True)}")
sys.exit(1 if errors else 0)
