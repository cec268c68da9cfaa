#!/usr/bin/env python3
"""A stand-in for kubectl in ext's deploy tests. Appends {"argv", "stdin"} as a JSON line to
$FAKE_KUBECTL_LOG; `get` prints the file $FAKE_KUBECTL_GET (NotFound when unset); `delete` of
envoyfilters fails like a cluster without the CRD when $FAKE_KUBECTL_NO_ENVOYFILTER is set;
apply/replace answer like kubectl does."""
import json
import os
import sys

argv = sys.argv[1:]
data = sys.stdin.read() if ("apply" in argv or "replace" in argv) else None
with open(os.environ["FAKE_KUBECTL_LOG"], "a") as f:
    f.write(json.dumps({"argv": sys.argv[1:], "stdin": data}) + "\n")

if "--context" in argv:
    i = argv.index("--context")
    argv = argv[:i] + argv[i + 2:]
verb = argv[0]
if verb == "get":
    path = os.environ.get("FAKE_KUBECTL_GET")
    if not path:
        print('Error from server (NotFound): %s "%s" not found' % (argv[1], argv[2]),
              file=sys.stderr)
        sys.exit(1)
    sys.stdout.write(open(path).read())
elif verb in ("apply", "replace"):
    for doc in data.split("\n---\n"):
        kind = name = "?"
        for line in doc.splitlines():
            if line.startswith("kind: "):
                kind = line[6:].lower()
            if line.startswith("  name: ") and name == "?":
                name = line[8:]
        print("%s/%s %s" % (kind, name, "configured" if verb == "apply" else "replaced"))
elif verb == "delete":
    if "envoyfilters" in argv[1] and os.environ.get("FAKE_KUBECTL_NO_ENVOYFILTER"):
        print('error: the server doesn\'t have a resource type "envoyfilters"', file=sys.stderr)
        sys.exit(1)
    print('%s "add-header" deleted' % argv[1])
