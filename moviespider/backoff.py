"""The backoff formula shared by blocks and proxies."""

from __future__ import annotations

import random


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait before *attempt* (1, 2, …): exponential, capped, with "equal jitter".

    The delay doubles with every attempt up to *cap*; a random half of it is added so that
    clients (or sessions) that were blocked together do not come back together.
    """
    ceiling = min(cap, base * 2 ** min(attempt - 1, 32))  # 2**32: past any sane cap
    return rng.uniform(ceiling / 2, ceiling)
