#!/usr/bin/python3
"""A stand-in for `envoy -c FILE` (and for `docker|podman run ... IMAGE -c FILE`) in ext's
deploy tests: reads the bootstrap, checks that every wasm filter's code.local.filename is a
readable wasm module (through the container's -v mounts when run as docker), serves the admin
API on the bootstrap's admin port (/ready, /stats?filter=wasm, POST /quitquitquit), and exits
on quitquitquit, FAKE_ENVOY_EXIT_AFTER seconds after the stats were read, or after 30 s.
Every invocation is appended as a JSON line to $FAKE_ENVOY_LOG."""
import http.server
import json
import os
import sys
import threading
import time

import yaml

argv = sys.argv[1:]
log_path = os.environ.get("FAKE_ENVOY_LOG")


def log(entry):
    if log_path:
        with open(log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")


if argv and argv[0] == "stop":  # docker stop --time 5 NAME
    log({"argv": sys.argv})
    sys.exit(0)

mounts = {}
if argv and argv[0] == "run":
    i = 1
    while i < len(argv):
        if argv[i] == "-v":
            src, dst, mode = argv[i + 1].split(":")
            mounts[dst] = (src, mode)
            i += 2
        elif argv[i] == "-c":
            break
        else:
            i += 1
cfg = argv[argv.index("-c") + 1]
if argv and argv[0] == "run":
    cfg = mounts[cfg][0]
log({"argv": sys.argv, "mounts": {k: list(v) for k, v in mounts.items()}})

with open(cfg) as f:
    doc = yaml.safe_load(f)
admin = doc["admin"]["address"]["socket_address"]
port = int(admin["port_value"])


def wasm_files(node):
    if isinstance(node, dict):
        if node.get("@type", "").endswith("wasm.v3.Wasm"):
            yield node["config"]["vm_config"]["code"]["local"]["filename"]
        for v in node.values():
            yield from wasm_files(v)
    elif isinstance(node, list):
        for v in node:
            yield from wasm_files(v)


active = 0
for name in wasm_files(doc):
    path = mounts[name][0] if name in mounts else name
    try:
        with open(path, "rb") as f:
            if f.read(4) == b"\0asm":
                active += 1
    except OSError as e:
        print("fake envoy: cannot read module %s: %s" % (path, e), file=sys.stderr)
        sys.exit(1)

state = {"quit": False, "stats_at": None}


class Admin(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/ready":
            self.reply(200, "LIVE\n")
        elif self.path.startswith("/stats"):
            state["stats_at"] = state["stats_at"] or time.time()
            self.reply(200, "wasm.envoy.wasm.runtime.v8.created: %d\n"
                       "wasm.envoy.wasm.runtime.v8.active: %d\n" % (active, active))
        else:
            self.reply(404, "")

    def do_POST(self):
        if self.path == "/quitquitquit":
            state["quit"] = True
            self.reply(200, "OK\n")
        else:
            self.reply(404, "")


server = http.server.ThreadingHTTPServer((admin["address"], port), Admin)
threading.Thread(target=server.serve_forever, daemon=True).start()
exit_after = float(os.environ.get("FAKE_ENVOY_EXIT_AFTER", "0") or 0)
deadline = time.time() + 30
while time.time() < deadline and not state["quit"]:
    if exit_after and state["stats_at"] and time.time() - state["stats_at"] > exit_after:
        break
    time.sleep(0.05)
log({"exit": "quit" if state["quit"] else "done", "active": active})
server.shutdown()
sys.exit(0)
