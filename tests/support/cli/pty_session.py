#!/usr/bin/python3
"""Runs a command on a pseudo-terminal and answers its prompts, as a person at a terminal would.

usage: pty_session.py [--timeout S] [--expect TEXT --send LINE]... -- CMD [ARGS...]

Each --expect waits until TEXT appears in the output after the previous match, then types LINE
and Enter. The whole transcript (carriage returns removed) goes to stdout. The exit status is
the command's; 124 when a prompt or the command's end did not come within the timeout (the
command is then killed).
"""
import os
import pty
import select
import signal
import sys
import time


def main() -> int:
    args = sys.argv[1:]
    timeout = 30.0
    steps = []
    while args and args[0] != "--":
        flag = args.pop(0)
        if flag == "--timeout":
            timeout = float(args.pop(0))
        elif flag == "--expect":
            steps.append([args.pop(0), None])
        elif flag == "--send":
            steps[-1][1] = args.pop(0)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    if not args or len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = args[1:]

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)

    deadline = time.monotonic() + timeout
    out = b""
    seen = 0  # output before this offset is already matched

    def read_some(wait: float) -> bool:
        nonlocal out
        ready, _, _ = select.select([fd], [], [], max(0.0, wait))
        if not ready:
            return True
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the command closed the terminal (it ended)
            return False
        if not data:
            return False
        out += data.replace(b"\r", b"")  # the terminal's CR LF: match on plain "\n"
        return True

    def finish(code: int) -> int:
        sys.stdout.write(out.decode("utf-8", "replace"))
        sys.stdout.flush()
        return code

    alive = True
    for text, line in steps:
        needle = text.encode()
        while alive and out.find(needle, seen) < 0:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return finish(124)
            alive = read_some(deadline - time.monotonic())
        at = out.find(needle, seen)
        if at < 0:
            break  # the command ended without asking
        seen = at + len(needle)
        if line is not None:
            os.write(fd, line.encode() + b"\n")

    while alive:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return finish(124)
        alive = read_some(deadline - time.monotonic())
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return finish(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    sys.exit(main())
