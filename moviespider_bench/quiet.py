"""Is the machine quiet enough for CPU figures to mean something?

A CPU-time measurement on a machine whose cores are busy with other work is inflated by cache
and memory-bandwidth contention (and, on a VM, by steal), by amounts that change from one minute
to the next. Three signs are checked: the load average per core, the share of time stolen by
the hypervisor, and how much a fixed pure-Python loop's CPU time varies over a few repetitions.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

# Above these, contention moves one client's CPU per page between runs by more than the
# differences the benchmark is asked to show (docs/performance.md, "Running the benchmark").
MAX_LOAD_PER_CPU = 0.35
MAX_STEAL = 0.05
MAX_CALIBRATION_SPREAD = 0.08  # (max - min) / median of the calibration loop's CPU time
CALIBRATION_ROUNDS = 5


@dataclass
class Quietness:
    load_per_cpu: float
    steal: float | None  # share of CPU time stolen over the sampling second; None off Linux
    calibration_spread: float
    problems: list[str] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        steal = "unknown" if self.steal is None else f"{self.steal:.1%}"
        figures = (
            f"load average {self.load_per_cpu:.2f} per CPU, steal {steal}, "
            f"calibration loop spread {self.calibration_spread:.1%}"
        )
        if self.quiet:
            return f"machine quiet: {figures}"
        return f"machine NOT quiet ({'; '.join(self.problems)}): {figures}"


def judge(load_per_cpu: float, steal: float | None, calibration_spread: float) -> Quietness:
    result = Quietness(load_per_cpu, steal, calibration_spread)
    if load_per_cpu > MAX_LOAD_PER_CPU:
        result.problems.append(
            f"load average {load_per_cpu:.2f} per CPU > {MAX_LOAD_PER_CPU}: other processes "
            "compete for the cores"
        )
    if steal is not None and steal > MAX_STEAL:
        result.problems.append(f"steal {steal:.1%} > {MAX_STEAL:.0%}: the hypervisor is busy")
    if calibration_spread > MAX_CALIBRATION_SPREAD:
        result.problems.append(
            f"a fixed loop's CPU time varies by {calibration_spread:.0%} "
            f"> {MAX_CALIBRATION_SPREAD:.0%}"
        )
    return result


def check() -> Quietness:
    """Sample the machine for about two seconds and judge it."""
    load_per_cpu = os.getloadavg()[0] / (os.cpu_count() or 1)
    before = _cpu_times()
    spread = calibration_spread()
    after = _cpu_times()
    steal = None
    if before and after:
        total = sum(after) - sum(before)
        steal = (after[7] - before[7]) / total if total > 0 and len(after) > 7 else 0.0
    return judge(load_per_cpu, steal, spread)


def calibration_spread(rounds: int = CALIBRATION_ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        started = time.process_time()
        total = 0
        for number in range(300_000):
            total += number * number % 7
        times.append(time.process_time() - started)
    return (max(times) - min(times)) / statistics.median(times)


def _cpu_times() -> list[int] | None:
    """The aggregate "cpu" line of /proc/stat (user nice system idle iowait irq softirq steal)."""
    try:
        line = Path("/proc/stat").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    return [int(value) for value in line.split()[1:]]
