#!/usr/bin/env python3
"""Runs a command several times and prints its median wall time (s) and peak RSS (KiB).

usage: measure.py RUNS -- CMD [ARGS...]
Output (one line, for scripts/bench): "<median_seconds> <max_peak_rss_kib>"
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    runs = int(sys.argv[1])
    cmd = sys.argv[3:]
    times = []
    peak = 0
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            try:
                os.execvp(cmd[0], cmd)
            finally:
                os._exit(127)
        _, status, usage = os.wait4(pid, 0)
        times.append(time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss)
        if os.waitstatus_to_exitcode(status) != 0:
            print(f"measure.py: {' '.join(cmd)} failed", file=sys.stderr)
            return 1
    print(f"{statistics.median(times):.6f} {peak}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
