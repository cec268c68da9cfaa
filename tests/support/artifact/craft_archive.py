#!/usr/bin/python3
"""Crafts tar / tar.gz archives for the archive and artifact tests, including hostile ones that
safe extraction must refuse. Usage: craft_archive.py KIND OUT [--gzip]
                                    craft_archive.py --all DIR KIND...  (DIR/KIND.tar, .tar.gz)

Kinds (each holds a harmless "ok.txt" first, so a refusal must also undo what came before):
  dotdot      an entry "../escape.txt"
  nested-dotdot  "a/../../escape.txt"
  absolute    an entry "/tmp/ext-absolute-escape.txt"
  symlink     a symlink "link" -> "/etc"
  symlink-then-file  a symlink "d" -> "/tmp", then a file "d/ext-symlink-escape.txt"
  hardlink    a hard link "hl" -> "ok.txt"
  chardev     a character device "null"
  blockdev    a block device "sda"
  fifo        a FIFO "pipe"
  big         a 3 MiB file "big.bin"
  docker      a Docker-style layer: "./", "./etc/", "./x/plugin.wasm" (bytes from stdin)
  plugin-symlink  "plugin.wasm" as a symlink to /etc/passwd
"""
import io
import sys
import tarfile


def add_bytes(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


def add_special(tar, name, kind, **kw):
    info = tarfile.TarInfo(name)
    info.type = kind
    for k, v in kw.items():
        setattr(info, k, v)
    tar.addfile(info)


def main():
    if sys.argv[1] == "--all":
        for kind in sys.argv[3:]:
            craft(kind, "%s/%s.tar" % (sys.argv[2], kind), False)
            craft(kind, "%s/%s.tar.gz" % (sys.argv[2], kind), True)
    else:
        craft(sys.argv[1], sys.argv[2], "--gzip" in sys.argv[3:])


def craft(kind, out, gz):
    with tarfile.open(out, "w:gz" if gz else "w", format=tarfile.GNU_FORMAT) as tar:
        if kind == "docker":
            add_special(tar, "./", tarfile.DIRTYPE, mode=0o755)
            add_special(tar, "./etc/", tarfile.DIRTYPE, mode=0o755)
            add_bytes(tar, "./etc/hostname", b"wasm\n")
            add_special(tar, "./x/", tarfile.DIRTYPE, mode=0o755)
            add_bytes(tar, "./x/plugin.wasm", sys.stdin.buffer.read())
            return
        add_bytes(tar, "ok.txt", b"fine\n")
        if kind == "dotdot":
            add_bytes(tar, "../escape.txt", b"escaped\n")
        elif kind == "nested-dotdot":
            add_bytes(tar, "a/../../escape.txt", b"escaped\n")
        elif kind == "absolute":
            add_bytes(tar, "/tmp/ext-absolute-escape.txt", b"escaped\n")
        elif kind == "symlink":
            add_special(tar, "link", tarfile.SYMTYPE, linkname="/etc")
        elif kind == "symlink-then-file":
            add_special(tar, "d", tarfile.SYMTYPE, linkname="/tmp")
            add_bytes(tar, "d/ext-symlink-escape.txt", b"escaped\n")
        elif kind == "hardlink":
            add_special(tar, "hl", tarfile.LNKTYPE, linkname="ok.txt")
        elif kind == "chardev":
            add_special(tar, "null", tarfile.CHRTYPE, devmajor=1, devminor=3)
        elif kind == "blockdev":
            add_special(tar, "sda", tarfile.BLKTYPE, devmajor=8, devminor=0)
        elif kind == "fifo":
            add_special(tar, "pipe", tarfile.FIFOTYPE)
        elif kind == "big":
            add_bytes(tar, "big.bin", b"\0" * (3 << 20))
        elif kind == "plugin-symlink":
            add_special(tar, "plugin.wasm", tarfile.SYMTYPE, linkname="/etc/passwd")
        else:
            sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
