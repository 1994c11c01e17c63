#!/usr/bin/env python3
"""Where a stdio server's idle memory is: starts it, answers `initialize`, waits, and sums /proc/PID/smaps per mapping.

usage: python3 eng/idle-smaps.py EXECUTABLE [ARG...]   (env: CONNECTORS_* as the server needs; IDLE_WAIT seconds, default 1)
Prints the totals (kB) and the largest mappings: file-backed pages of the executable (code and read-only data touched at
start, with the kernel's read-around) against anonymous memory (the GC heap and the rehydrated `.hydrated` data, whose
size follows the whole executable's, not what runs). Used to compare the full and the stdio-only builds (docs/performance.md).
"""
import collections
import json
import os
import subprocess
import sys
import time

FIELDS = ("Rss", "Private_Dirty", "Private_Clean", "Shared_Clean")

server = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
try:
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "idle-smaps", "version": "1"}}}
    server.stdin.write((json.dumps(initialize) + "\n").encode() + b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    server.stdin.flush()
    server.stdout.readline()
    time.sleep(float(os.environ.get("IDLE_WAIT", "1")))

    mappings = collections.defaultdict(collections.Counter)
    current = None
    with open(f"/proc/{server.pid}/smaps") as smaps:
        for line in smaps:
            parts = line.split()
            if not parts[0].endswith(":"):
                current = (os.path.basename(parts[5]) if len(parts) > 5 else "[anon]", parts[1])
            elif parts[0][:-1] in FIELDS:
                mappings[current][parts[0][:-1]] += int(parts[1])
finally:
    server.kill()
    server.wait()

total = sum(mappings.values(), collections.Counter())
print("total kB  " + "  ".join(f"{f}={total[f]}" for f in FIELDS))
for (name, perms), kb in sorted(mappings.items(), key=lambda m: -m[1]["Rss"])[:8]:
    print(f"{name[:28]:28} {perms}  " + "  ".join(f"{f}={kb[f]}" for f in FIELDS))
