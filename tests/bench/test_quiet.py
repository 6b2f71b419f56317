"""The benchmark refuses to report CPU figures from a machine that is not quiet."""

import pytest

from moviespider_bench import cli, quiet
from moviespider_bench.suite import Plan


def test_a_quiet_machine_passes():
    assert quiet.judge(0.1, 0.0, 0.02).quiet


@pytest.mark.parametrize(
    ("load", "steal", "spread", "reason"),
    [
        (4.5, 0.0, 0.02, "load average 4.50 per CPU"),
        (0.1, 0.2, 0.02, "steal 20.0%"),
        (0.1, None, 0.3, "a fixed loop's CPU time varies by 30%"),
    ],
)
def test_each_sign_of_a_busy_machine_is_named(load, steal, spread, reason):
    verdict = quiet.judge(load, steal, spread)
    assert not verdict.quiet
    assert reason in verdict.describe()


def test_the_check_samples_this_machine():
    verdict = quiet.check()
    assert verdict.load_per_cpu >= 0
    assert verdict.calibration_spread >= 0


@pytest.fixture
def busy(monkeypatch):
    monkeypatch.setattr(quiet, "check", lambda: quiet.judge(4.5, 0.0, 0.3))


def test_quiet_check_says_why_and_exits_3(busy, capsys):
    assert cli.main(["--quiet-check"]) == 3
    assert "machine NOT quiet (load average 4.50 per CPU" in capsys.readouterr().out


def test_the_benchmark_refuses_to_measure_on_a_busy_machine_without_force(busy, capsys, tmp_path):
    assert cli.main(["--out", str(tmp_path / "out")]) == 3
    error = capsys.readouterr().err
    assert error.startswith("python -m moviespider_bench: error: machine NOT quiet")
    assert "--force" in error
    assert not (tmp_path / "out").exists()  # nothing measured, nothing written


@pytest.mark.crawl
def test_force_measures_anyway_and_the_results_say_the_machine_was_loaded(
    busy, monkeypatch, tmp_path
):
    monkeypatch.setattr(cli, "FULL", Plan(cpu_pages=2, cpu_concurrency=2, peers=(), variants=()))
    out = tmp_path / "out"
    assert cli.main(["--force", "--scenario", "cpu", "--runs", "1", "--out", str(out)]) == 0
    results = (out / "results.md").read_text(encoding="utf-8")
    assert "**Measured on a loaded machine (--force)**: machine NOT quiet" in results
    assert "moviespider douban_top250" in results
