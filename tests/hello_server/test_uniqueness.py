"""No number twice: many client processes, a worker killed, the server restarted mid-run.

HELLO_SERVER_UNIQUENESS sets the number of connections (default 200000, as the benchmark's
check; about 20-40 s on 2 loaded cores).
"""

from __future__ import annotations

import os

from hello_server.bench.uniqueness import check_uniqueness


def test_two_hundred_thousand_connections_get_distinct_numbers(tmp_path):
    connections = int(os.environ.get("HELLO_SERVER_UNIQUENESS", "200000"))
    result = check_uniqueness(tmp_path, connections, workers=2, processes=4)
    assert result.killed_worker and result.restarted
    assert result.numbers == connections
    assert result.distinct == result.numbers
