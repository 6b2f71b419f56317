"""Run one command and write its resource usage as JSON: ``launch.py USAGE_FILE ARGV...``.

The benchmark starts every client through this small process rather than directly. Linux
carries a process's peak RSS across fork and exec, so a client forked from the benchmark
(which holds the sandbox's ground truth) would report the benchmark's peak as its own; forked
from this small launcher, it reports its own. Run as a script, not imported.
"""

import json
import os
import subprocess
import sys
import time


def main() -> None:
    usage_file, *argv = sys.argv[1:]
    started = time.perf_counter()
    process = subprocess.Popen(argv)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    with open(usage_file, "w", encoding="utf-8") as report:
        json.dump(
            {
                "exit_code": process.returncode,
                "wall_seconds": time.perf_counter() - started,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "peak_rss_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
            },
            report,
        )
    sys.exit(0)


if __name__ == "__main__":
    main()
