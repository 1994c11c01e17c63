"""Prints a server's tools as a markdown table, from its own tools/list over stdio (used by eng/docs-tools.sh).

usage: tools-table.py COMMAND [ARG...]   (the server's command line; its environment is this process's)
Each row: name, title, the annotation hints that are true (a hint left out counts as the specification's default), and the tool's definition size: the bytes of its JSON object
exactly as the server wrote it in tools/list.
"""
import json
import subprocess
import sys

HINTS = [("readOnlyHint", "read-only"), ("destructiveHint", "destructive"), ("idempotentHint", "idempotent"), ("openWorldHint", "open-world")]
# What the MCP specification tells a client to assume for a hint left out; destructive and idempotent mean nothing on a
# read-only tool, so there an absent one is not shown.
SPEC_DEFAULTS = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False, "openWorldHint": True}


def hint(annotations, key):
    if key in annotations:
        return annotations[key] is True
    if annotations.get("readOnlyHint") is True and key in ("destructiveHint", "idempotentHint"):
        return False
    return SPEC_DEFAULTS[key]


def request(server, message):
    server.stdin.write(json.dumps(message) + "\n")
    server.stdin.flush()


def answer(server, wanted_id):
    for line in server.stdout:
        if line.strip() and json.loads(line).get("id") == wanted_id:
            return line
    raise SystemExit(f"the server closed its output before answering request {wanted_id}")


def raw_tools(line):
    """Each tool's JSON text as written on the wire (the decoder's end offsets delimit the elements)."""
    decoder = json.JSONDecoder()
    start = line.index('"tools":') + len('"tools":')
    position = line.index("[", start) + 1
    tools = []
    while True:
        while line[position] in " ,\r\n\t":
            position += 1
        if line[position] == "]":
            return tools
        tool, end = decoder.raw_decode(line, position)
        tools.append((tool, line[position:end]))
        position = end


def main():
    server = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
    try:
        request(server, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "docs-tools", "version": "1"}}})
        answer(server, 1)
        request(server, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        request(server, {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}})
        tools = raw_tools(answer(server, 2))
    finally:
        server.kill()
        server.wait()

    print("| Tool | Title | Annotations | Definition (bytes) |")
    print("| --- | --- | --- | ---: |")
    total = 0
    for tool, raw in tools:
        size = len(raw.encode("utf-8"))
        total += size
        annotations = tool.get("annotations", {})
        title = tool.get("title") or annotations.get("title") or "–"
        hints = ", ".join(label for key, label in HINTS if hint(annotations, key)) or "–"
        print(f"| `{tool['name']}` | {title} | {hints} | {size:,} |")
    print()
    print(f"{len(tools)} tools, {total:,} bytes of tool definitions in tools/list.")


main()
