#!/usr/bin/python3
"""Creates an ext local store (an OCI image layout) holding N wasm images, for benchmarks.

    make_store.py STORE --images 1000 [--module-size 4096] [--big REF --big-size 268435456]

Each image has the "oci" artifact shape ext packs (runtime config + raw module layer, the
module.wasm.runtime/abi_version annotation) and a distinct module, named
docker.io/bench/filter-<i>:v1. With --big, one more image holds a module of --big-size bytes,
written in 1 MiB chunks (for export/import memory measurements). Python only, no ext needed.
"""
import argparse
import hashlib
import json
import os


def put_blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(root, "blobs", "sha256", digest)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def put_big_blob(root, size):
    h = hashlib.sha256()
    tmp = os.path.join(root, "blobs", "sha256", ".tmp-bench-big")
    chunk_base = bytes(range(256)) * 4096  # 1 MiB
    with open(tmp, "wb") as f:
        f.write(b"\0asm\x01\0\0\0")
        h.update(b"\0asm\x01\0\0\0")
        left = size - 8
        n = 0
        while left > 0:
            c = chunk_base[: min(left, len(chunk_base))]
            c = n.to_bytes(8, "little") + c[8:] if len(c) >= 8 else c
            f.write(c)
            h.update(c)
            left -= len(c)
            n += 1
    digest = h.hexdigest()
    os.replace(tmp, os.path.join(root, "blobs", "sha256", digest))
    return {"digest": "sha256:" + digest, "size": size}


def image(root, name, module_desc, seed):
    config = json.dumps({"type": "envoy_proxy", "abiVersions": ["v0.2.1"],
                         "config": {"rootIds": [seed]}}, separators=(",", ":")).encode()
    cfg = dict(put_blob(root, config), mediaType="application/vnd.module.wasm.config.v1+json")
    layer_cfg = dict(cfg, annotations={"org.opencontainers.image.title": "runtime-config.json"})
    layer_mod = dict(module_desc, mediaType="application/vnd.module.wasm.content.layer.v1+wasm",
                     annotations={"org.opencontainers.image.title": "filter.wasm"})
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": cfg,
        "layers": [layer_cfg, layer_mod],
        "annotations": {"module.wasm.runtime/abi_version": "v0.2.1",
                        "module.wasm.runtime/type": "envoy_proxy"},
    }
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    m = put_blob(root, body)
    return dict(m, mediaType="application/vnd.oci.image.manifest.v1+json",
                annotations={"org.opencontainers.image.ref.name": name})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("store")
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--module-size", type=int, default=4096)
    ap.add_argument("--big", default="")
    ap.add_argument("--big-size", type=int, default=256 << 20)
    a = ap.parse_args()
    root = a.store
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    index_path = os.path.join(root, "index.json")
    entries = []
    if os.path.exists(index_path):
        with open(index_path) as f:
            entries = json.load(f).get("manifests", [])
    for i in range(a.images):
        seed = "filter-%d" % i
        module = b"\0asm\x01\0\0\0" + hashlib.sha256(seed.encode()).digest() * (a.module_size // 32)
        desc = put_blob(root, module[: a.module_size])
        entries.append(image(root, "docker.io/bench/filter-%d:v1" % i, desc, seed))
    if a.big:
        entries.append(image(root, a.big, put_big_blob(root, a.big_size), "big"))
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": entries}
    tmp = index_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(index, f, sort_keys=True, separators=(",", ":"))
    os.replace(tmp, index_path)


if __name__ == "__main__":
    main()
