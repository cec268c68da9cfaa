#!/usr/bin/python3
"""Types command lines into a real interactive shell on a pseudo-terminal and presses Tab, as a
person would, to see what the shell's completion offers.

usage: complete_in_shell.py --shell bash|zsh|fish --script FILE [--timeout S]
                            [--transcript FILE] LINE...

The shell starts without the user's configuration, loads FILE (the script `ext completion SHELL`
printed), and for each LINE types it, presses Tab (twice in bash, whose first Tab only completes
a common prefix), waits until the screen is quiet, and cancels the line with Ctrl-C. stdout is
one JSON object: {"LINE": "what the terminal showed after the Tabs, escape sequences removed"}.
Exit status 0, 124 on a timeout, 2 on a usage error.
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-9;?=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHM]")


def main() -> int:
    args = sys.argv[1:]
    shell, script, timeout, lines, transcript = None, None, 60.0, [], None
    while args:
        a = args.pop(0)
        if a == "--shell":
            shell = args.pop(0)
        elif a == "--script":
            script = args.pop(0)
        elif a == "--transcript":  # everything the terminal showed, for a failing test
            transcript = args.pop(0)
        elif a == "--timeout":
            timeout = float(args.pop(0))
        else:
            lines.append(a)
    if shell not in ("bash", "zsh", "fish") or not script or not lines:
        print(__doc__, file=sys.stderr)
        return 2

    argv = {
        "bash": ["bash", "--norc", "--noprofile", "-i"],
        "zsh": ["zsh", "-f", "-i"],
        "fish": ["fish", "--no-config", "-i"],
    }[shell]
    setup = {
        "bash": "PS1='$ '; bind 'set show-all-if-ambiguous on'; "
        "bind 'set completion-query-items 100000'; bind 'set page-completions off'; "
        "bind 'set bell-style none'; source '%s'; echo ext-ready-$((6*7))",
        "zsh": "PS1='$ '; LISTMAX=100000; unsetopt beep; autoload -U compinit; compinit -u -D; "
        "source '%s'; echo ext-ready-$((6*7))",
        "fish": "set -g fish_greeting ''; function fish_prompt; echo '$ '; end; "
        "function fish_right_prompt; end; set -g fish_autosuggestion_enabled 0; source '%s'; "
        "echo ext-ready-(math 6 \\* 7)",
    }[shell] % script

    env = dict(os.environ)
    env["TERM"] = "xterm"
    env.pop("PROMPT_COMMAND", None)
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 250, 0, 0))

    deadline = time.monotonic() + timeout
    buf = b""

    def read_chunk(wait: float):
        """What the terminal wrote within `wait` seconds: b"" if nothing, None once it closed."""
        if time.monotonic() > deadline:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return b""
        try:
            return os.read(fd, 65536) or None
        except OSError:
            return None

    def read_until_quiet(quiet: float, first: float = 0.0) -> bytes:
        """Output until none came for `quiet` seconds, after waiting up to `first` seconds for
        the first byte (a completion that runs `ext __refs` on a loaded machine answers late)."""
        nonlocal buf
        got = b""
        start = last = time.monotonic()
        while True:
            now = time.monotonic()
            if (got or now - start >= first) and now - last >= quiet:
                break
            data = read_chunk(0.05)
            if data is None:
                break
            if data:
                got += data
                last = time.monotonic()
        buf += got
        return got

    def read_until(done, limit: float) -> bytes:
        """Output until done(text seen since the call, cleaned) holds, or `limit` seconds passed
        (then the caller's quiet wait still applies): an event, not a fixed pause."""
        nonlocal buf
        got = b""
        start = time.monotonic()
        while not done(clean(got)) and time.monotonic() - start < limit:
            data = read_chunk(0.02)
            if data is None:
                break
            got += data
        buf += got
        return got

    def clean(raw: bytes) -> str:
        text = ANSI.sub(b"", raw).replace(b"\r", b"").replace(b"\x07", b"")
        return text.decode("utf-8", "replace")

    def save() -> None:
        if transcript:
            with open(transcript, "wb") as f:
                f.write(buf)

    results = {}
    try:
        read_until_quiet(0.5)
        os.write(fd, setup.encode() + b"\n")
        # The shell has loaded the script (compinit takes a while) when it prints this.
        while b"ext-ready-42" not in buf:
            read_until_quiet(0.2)
        read_until_quiet(0.5)
        for line in lines:
            os.write(fd, line.encode())
            # The shell echoes what was typed (the last word is enough: zsh and fish redraw).
            tail = line.split(" ")[-1] or line.strip().split(" ")[-1]
            read_until(lambda t: tail in t, 2.0)
            read_until_quiet(0.1)
            os.write(fd, b"\t")
            # A completion's output comes in one burst once its function (which may run
            # `ext __refs`) returns: the first byte, then a short quiet.
            shown = read_until_quiet(0.4, first=5.0)
            if shell == "bash":
                os.write(fd, b"\t")
                shown += read_until_quiet(0.4, first=3.0)
            results[line] = clean(shown)
            os.write(fd, b"\x03")  # Ctrl-C: drop the line; the shell prints a fresh prompt
            read_until(lambda t: t.rstrip(" ").endswith("$"), 3.0)
            read_until_quiet(0.1)
        os.write(fd, b"exit\n")
        read_until_quiet(0.5)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        save()
        print(json.dumps(results))
        return 124
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    save()
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
