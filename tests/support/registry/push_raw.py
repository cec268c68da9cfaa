#!/usr/bin/python3
"""Pushes hand-made content to a plain-HTTP registry on loopback, for layouts ext does not write
(ORAS's default) and for lying registries (a referrers tag listing a manifest about something
else). Usage:
  push_raw.py HOST REPO blob FILE                 -> prints the blob's digest
  push_raw.py HOST REPO manifest REF TYPE FILE     -> PUTs FILE as a manifest under REF
  push_raw.py HOST PREFIX fill N WASM              -> N repositories PREFIX-<i>, each a wasme-layout
                                                      filter tagged v1, v2 and latest, with
                                                      description and keywords annotations
"""
import json
import hashlib
import sys
import urllib.request


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, dict(r.headers)


def main():
    host, repo, what = sys.argv[1], sys.argv[2], sys.argv[3]
    base = "http://" + host + "/v2/" + repo
    if what == "blob":
        data = open(sys.argv[4], "rb").read()
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        _, h = request("POST", base + "/blobs/uploads/")
        loc = h["Location"]
        if loc.startswith("/"):
            loc = "http://" + host + loc
        sep = "&" if "?" in loc else "?"
        request("PUT", loc + sep + "digest=" + digest, data,
                {"Content-Type": "application/octet-stream"})
        print(digest)
    elif what == "manifest":
        ref, mtype, path = sys.argv[4], sys.argv[5], sys.argv[6]
        data = open(path, "rb").read()
        request("PUT", base + "/manifests/" + ref, data, {"Content-Type": mtype})
        print("sha256:" + hashlib.sha256(data).hexdigest())
    elif what == "fill":
        n, wasm = int(sys.argv[4]), open(sys.argv[5], "rb").read()
        rc = b'{"type":"envoy_proxy","abiVersions":["v0.2.1"],"config":{"rootIds":["r"]}}'
        for i in range(n):
            name = repo + "-" + str(i)
            rbase = "http://" + host + "/v2/" + name
            descs = []
            for data, mt in ((rc, "application/vnd.module.wasm.config.v1+json"),
                             (wasm, "application/vnd.module.wasm.content.layer.v1+wasm")):
                digest = "sha256:" + hashlib.sha256(data).hexdigest()
                _, h = request("POST", rbase + "/blobs/uploads/")
                loc = h["Location"]
                if loc.startswith("/"):
                    loc = "http://" + host + loc
                sep = "&" if "?" in loc else "?"
                request("PUT", loc + sep + "digest=" + digest, data,
                        {"Content-Type": "application/octet-stream"})
                descs.append({"mediaType": mt, "digest": digest, "size": len(data)})
            m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                 "config": descs[0], "layers": descs,
                 "annotations": {
                     "org.opencontainers.image.description": "bulk filter number %d" % i,
                     "ext.dev/keywords": "bulk,kw%d" % (i % 5),
                     "module.wasm.runtime/abi_version": "v0.2.1",
                     "module.wasm.runtime/filter_type": "http" if i % 2 == 0 else "network"}}
            body = json.dumps(m).encode()
            for tag in ("v1", "v2", "latest"):
                request("PUT", rbase + "/manifests/" + tag, body,
                        {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        print(n)
    else:
        sys.exit("unknown action " + what)


if __name__ == "__main__":
    main()
