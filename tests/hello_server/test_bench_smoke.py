"""The benchmark runs end to end (tiny points), and nginx answers with the documented config."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from hello_server.bench.launch import ROOT, ask, free_port, start_nginx, stop, wait_ready
from hello_server.bench.peers import NGINX, NGINX_STREAM_MODULE

needs_nginx = pytest.mark.skipif(
    not (shutil.which(NGINX) and os.path.exists(NGINX_STREAM_MODULE)),
    reason="needs nginx and libnginx-mod-stream (.ci/run installs them)",
)


@needs_nginx
def test_nginx_with_the_benchmark_config_answers(tmp_path):
    port = free_port()
    process = start_nginx(port, tmp_path)
    try:
        wait_ready(port, process)
        assert ask(port) == b"Hello World"
    finally:
        stop(process)


@needs_nginx
def test_quick_benchmark_runs_every_server_and_writes_chart_and_figures(tmp_path):
    chart = tmp_path / "chart.png"
    figures = tmp_path / "figures.json"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "hello_server.bench", "--quick", "--seconds", "0.5"),
            *("--uniqueness", "3000", "--chart", str(chart), "--json", str(figures)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(figures.read_text())
    servers = {point["server"] for point in data["points"]}
    assert len(servers) == 6
    assert all(point["done"] > 0 for point in data["points"])
    assert data["uniqueness"]["numbers"] == data["uniqueness"]["distinct"] == 3000
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
