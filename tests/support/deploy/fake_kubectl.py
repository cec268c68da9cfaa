#!/usr/bin/python3
"""A stand-in for kubectl in ext's deploy tests: a tiny stateful cluster.

Appends {"argv", "stdin"} as a JSON line to $FAKE_KUBECTL_LOG and keeps the objects applied in
$FAKE_KUBECTL_LOG.state (JSON), so get / list by label / delete / annotate answer like a cluster
would. `get KIND NAME` of an object the state lacks prints $FAKE_KUBECTL_GET when set (a Gloo
Gateway installed beforehand), else NotFound. `delete` of envoyfilters fails like a cluster
without the CRD when $FAKE_KUBECTL_NO_ENVOYFILTER is set. `config current-context` prints
$FAKE_KUBECTL_CONTEXT (default kind-test), `config view` $FAKE_KUBECTL_NAMESPACE (default empty)."""
import json
import os
import sys

import yaml

argv = sys.argv[1:]
data = sys.stdin.read() if ("apply" in argv or "replace" in argv) else None
log = os.environ["FAKE_KUBECTL_LOG"]
with open(log, "a") as f:
    f.write(json.dumps({"argv": sys.argv[1:], "stdin": data}) + "\n")
state_path = log + ".state"
state = json.load(open(state_path)) if os.path.exists(state_path) else {}


def save():
    with open(state_path, "w") as f:
        json.dump(state, f)


def kind_of(text):
    k = text.lower().split(".")[0]
    return k[:-1] if k.endswith("s") else k


def opt(flag, default=""):
    return argv[argv.index(flag) + 1] if flag in argv else default


def matches(obj, selector):
    labels = obj.get("metadata", {}).get("labels", {}) or {}
    for term in selector.split(","):
        key, _, value = term.partition("=")
        if labels.get(key) != value:
            return False
    return True


if "--context" in argv:
    i = argv.index("--context")
    argv = argv[:i] + argv[i + 2:]
verb = argv[0]
ns = opt("-n", "default")
if verb == "get":
    kind = kind_of(argv[1])
    if "-l" in argv:
        items = [o for k, o in state.items()
                 if k.startswith(kind + "/" + ns + "/") and matches(o, opt("-l"))]
        print(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
        sys.exit(0)
    key = "%s/%s/%s" % (kind, ns, argv[2])
    if key in state:
        print(json.dumps(state[key]))
        sys.exit(0)
    path = os.environ.get("FAKE_KUBECTL_GET")
    if not path:
        print('Error from server (NotFound): %s "%s" not found' % (argv[1], argv[2]),
              file=sys.stderr)
        sys.exit(1)
    sys.stdout.write(open(path).read())
elif verb in ("apply", "replace"):
    for doc in yaml.safe_load_all(data):
        if not doc:
            continue
        md = doc.get("metadata", {})
        key = "%s/%s/%s" % (kind_of(doc["kind"]), md.get("namespace", ns), md["name"])
        state[key] = doc
        print("%s/%s %s" % (doc["kind"].lower(), md["name"],
                            "configured" if verb == "apply" else "replaced"))
    save()
elif verb == "delete":
    if "envoyfilters" in argv[1] and os.environ.get("FAKE_KUBECTL_NO_ENVOYFILTER"):
        print('error: the server doesn\'t have a resource type "envoyfilters"', file=sys.stderr)
        sys.exit(1)
    kind = kind_of(argv[1])
    if "-l" in argv:
        gone = [k for k, o in state.items()
                if k.startswith(kind + "/" + ns + "/") and matches(o, opt("-l"))]
    else:
        gone = [k for k in state if k == "%s/%s/%s" % (kind, ns, argv[2])]
    for k in gone:
        del state[k]
        print('%s "%s" deleted' % (argv[1], k.split("/")[-1]))
    save()
elif verb == "config":
    # ext hub's apply confirmation: the current context and the context's namespace.
    if argv[1:2] == ["current-context"]:
        print(os.environ.get("FAKE_KUBECTL_CONTEXT", "kind-test"))
    elif argv[1:2] == ["view"]:
        print(os.environ.get("FAKE_KUBECTL_NAMESPACE", ""))
elif verb == "annotate":
    key = "%s/%s/%s" % (kind_of(argv[1]), ns, argv[2])
    pair = [a for a in argv[3:] if "=" in a and not a.startswith("-")][0]
    name, _, value = pair.partition("=")
    if key not in state:
        print('Error from server (NotFound): "%s" not found' % argv[2], file=sys.stderr)
        sys.exit(1)
    state[key].setdefault("metadata", {}).setdefault("annotations", {})[name] = value
    save()
    print("%s/%s annotated" % (argv[1], argv[2]))
