"""moviespider on a real Scrapyd: deploy, schedule, watch, cancel and resume, end to end.

Two Scrapyd servers run on loopback ports, each in a temporary directory with the repository's
``scrapyd.conf``, authentication on, and its own copy of the project deployed with the command
from docs/scrapyd.md:

- ``runner`` launches jobs (it polls its queue every 0.2 s) and they crawl a sandbox started here;
- ``queue`` never launches a job (it polls once a day). The schedule commands of docs/scrapyd.md
  and deploy/moviespider.cron run against it and the jobs they queue are inspected, so those
  commands are tested as written without a job ever reaching for the real Douban.

Every process started here (the servers, their jobs, the sandbox) is stopped by the fixtures.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from configparser import ConfigParser
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from douban_sandbox import SandboxProcess
from douban_sandbox.catalog import Catalog, build_catalog
from tests.helpers.docs import documented_commands

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "scrapyd.md"
CRON = REPO / "deploy" / "moviespider.cron"
PROJECT = "moviespider"
# The Scrapyd address the documentation uses; the tests put a server's own address in its place.
DOCUMENTED_URL = "http://127.0.0.1:6800"
DOCUMENTED_SANDBOX = "http://127.0.0.1:8050"  # where docs/scrapyd.md starts the sandbox
SPIDERS = {"douban_later", "douban_nowplaying", "douban_subject", "douban_top250"}
# Seconds for anything to happen (a server to start, a job to change state); crawls get twice
# as long. Generous: these are limits for a loaded 2-core machine, not expected durations.
TIMEOUT = 60.0
# What the sandboxes serve: the catalog is a function of these, so the tests know every value.
CATALOG_SIZE, SEED, TODAY = 500, 1, date(2026, 3, 10)
SANDBOX_ARGS = ["--catalog", str(CATALOG_SIZE), "--seed", str(SEED), "--today", TODAY.isoformat()]
# What a project copy holds besides the top-level files: the package, the tests (which the egg
# must leave out) and the crontab (which the documented install command reads).
PROJECT_FOLDERS = ("moviespider", "tests", "deploy")


# --- The documentation's commands ------------------------------------------------------------


def documented(fragment: str) -> list[str]:
    """The commands of docs/scrapyd.md that contain ``fragment``; there must be some."""
    commands = [c for c in documented_commands(DOCS.read_text("utf-8")) if fragment in c]
    assert commands, f"docs/scrapyd.md has no command with {fragment!r}"
    return commands


CRONTAB_VARIABLE = re.compile(r"(\w+)=(.*)")


def crontab_entries(crontab: str) -> list[tuple[str, str]]:
    """(schedule, command) for each job line of a crontab."""
    entries = []
    for line in crontab.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or CRONTAB_VARIABLE.match(line):
            continue
        fields = line.split(maxsplit=5)
        entries.append((" ".join(fields[:5]), fields[5]))
    return entries


def crontab_variables(crontab: str) -> dict[str, str]:
    """The NAME=value lines of a crontab: cron puts them in its commands' environment."""
    return dict(m.groups() for line in crontab.splitlines() if (m := CRONTAB_VARIABLE.match(line)))


# --- A Scrapyd server -------------------------------------------------------------------------


def loopback_http() -> requests.Session:
    """An HTTP client that ignores proxy settings in the environment: everything is local."""
    session = requests.Session()
    session.trust_env = False
    return session


def copy_project(destination: Path) -> None:
    """Copy what the documented commands use (scrapyd-deploy writes build/ and *.egg-info/
    beside setup.py: the copy keeps them out of the checkout)."""
    destination.mkdir()
    for path in REPO.iterdir():
        if path.is_file():
            shutil.copy(path, destination)
    for folder in PROJECT_FOLDERS:
        shutil.copytree(
            REPO / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__")
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Scrapyd:
    """A Scrapyd process in its own directory and process group, with a project copy to deploy.

    The repository's scrapyd.conf is its configuration; ``options`` override it through
    ``~/.scrapyd.conf`` (HOME is the server's own directory), which Scrapyd reads after it.
    """

    def __init__(self, directory: Path, env: dict[str, str], **options: str):
        self.directory = directory
        self.home = directory / "home"
        self.project = directory / "project"
        self.env = {**env, "HOME": str(self.home)}
        self.options = options
        self.auth = (env["SCRAPYD_USERNAME"], env["SCRAPYD_PASSWORD"])
        self.http = loopback_http()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.deploy_answer: dict[str, Any] = {}

    def start(self) -> None:
        self.home.mkdir(parents=True)
        shutil.copy(REPO / "scrapyd.conf", self.directory / "scrapyd.conf")
        overrides = ConfigParser()
        overrides["scrapyd"] = self.options
        with (self.home / ".scrapyd.conf").open("w") as file:
            overrides.write(file)
        copy_project(self.project)
        for _attempt in range(3):  # another process may take the free port before Scrapyd does
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            self._point_deploy_target_here()
            with (self.directory / "scrapyd.log").open("ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "scrapyd"],
                    cwd=self.directory,
                    env={**self.env, "SCRAPYD_HTTP_PORT": str(port)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its jobs join its process group: stop() ends all
                )
            if self._wait_until_up():
                return
            self.stop()
        raise RuntimeError(f"Scrapyd did not start: see {self.directory / 'scrapyd.log'}")

    def _point_deploy_target_here(self) -> None:
        config = ConfigParser(interpolation=None)
        config.read(self.project / "scrapy.cfg")
        config["deploy:local"]["url"] = self.url
        with (self.project / "scrapy.cfg").open("w") as file:
            config.write(file)

    def _wait_until_up(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                self.http.get(f"{self.url}/daemonstatus.json", auth=self.auth, timeout=1)
            except requests.ConnectionError:
                time.sleep(0.1)
            else:
                return True
        return False

    def stop(self) -> None:
        """End Scrapyd and every job it started (its process group): politely, then not."""
        if self.process is None:
            return
        group = self.process.pid
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, sig)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and group_members(group):
                self.process.poll()  # reap Scrapyd itself
                time.sleep(0.05)
            if not group_members(group):
                break
        self.process.wait(timeout=5)
        self.process = None
        assert not group_members(group), f"left running: {group_members(group)}"

    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        response = self.http.get(f"{self.url}/{endpoint}", params=params, auth=self.auth)
        return self._answer(response)

    def post(self, endpoint: str, **data: str | list[str]) -> dict[str, Any]:
        response = self.http.post(f"{self.url}/{endpoint}", data=data, auth=self.auth)
        return self._answer(response)

    def _answer(self, response: requests.Response) -> dict[str, Any]:
        response.raise_for_status()
        answer = response.json()
        assert answer["status"] == "ok", answer
        return answer

    def file(self, url_path: str) -> str:
        """A file Scrapyd serves (``log_url``, ``items_url``)."""
        response = self.http.get(f"{self.url}{url_path}", auth=self.auth)
        response.raise_for_status()
        return response.content.decode("utf-8")

    def schedule(self, spider: str, settings: dict[str, object] | None = None, **args: str) -> str:
        setting = [f"{name}={value}" for name, value in (settings or {}).items()]
        return self.post("schedule.json", project=PROJECT, spider=spider, setting=setting, **args)[
            "jobid"
        ]

    def entries(self, job_id: str, state: str) -> list[dict[str, Any]]:
        """The job's entries in listjobs.json under ``state`` (a resumed job finished twice)."""
        jobs = self.get("listjobs.json", project=PROJECT)
        return [entry for entry in jobs[state] if entry["id"] == job_id]

    def wait_for(
        self, job_id: str, state: str, timeout: float = TIMEOUT, times: int = 1
    ) -> dict[str, Any]:
        """Poll listjobs.json until the job is in ``state`` (``times`` times, for finished);
        return one of its entries there."""
        return wait_until(
            lambda: len(entries := self.entries(job_id, state)) >= times and entries[0],
            f"job {job_id} {state}",
            timeout,
        )

    def finished_job(self, job_id: str, timeout: float = TIMEOUT * 2, times: int = 1) -> Job:
        entry = self.wait_for(job_id, "finished", timeout, times)
        assert entry["log_url"], f"job {job_id} ended before its crawl: {self.errors(job_id)}"
        items = self.file(entry["items_url"]).splitlines() if entry["items_url"] else []
        return Job(job_id, [json.loads(line) for line in items], self.file(entry["log_url"]))

    def errors(self, job_id: str) -> list[str]:
        """The one-line errors the job's process wrote to Scrapyd's log (a job that stops
        before its crawl opens a log has nowhere else to write them)."""
        pid = re.search(r" pid=(\d+)", scrapyd_says(self, job_id))[1]
        scrapyd_log = (self.directory / "scrapyd.log").read_text("utf-8")
        return [
            line.split("moviespider: error: ", 1)[1]
            for line in scrapyd_log.splitlines()
            if f"[Launcher,{pid}/stderr]" in line and "moviespider: error: " in line
        ]

    def run(self, command: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run a documented shell command in the project copy, against this server."""
        return subprocess.run(
            ["/bin/sh", "-c", command.replace(DOCUMENTED_URL, self.url)],
            cwd=self.project,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=TIMEOUT * 2,
        )


@dataclass
class Job:
    """A finished job: what Scrapyd serves of it."""

    id: str
    items: list[dict[str, Any]]
    log: str

    def overridden_settings(self) -> dict[str, Any]:
        """The "Overridden settings" Scrapy logged at the start of the (last) crawl."""
        block = self.log.rsplit("Overridden settings:\n", 1)[1]
        return ast.literal_eval(block[: block.index("}\n") + 1])

    def stats(self) -> dict[str, Any]:
        """The crawl stats Scrapy logged at the end of the (last) crawl."""
        block = self.log.rsplit("Dumping Scrapy stats:\n", 1)[1]
        block = block[: block.index("}\n") + 1]
        return ast.literal_eval(re.sub(r"datetime\.datetime\([^)]*\)", "None", block))


def group_members(group: int) -> list[str]:
    """The live processes (not zombies) of a process group, as "pid command"."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # pid (command) state ppid pgrp ...; the command may hold spaces and parentheses.
            text = stat.read_text()
            command = text[text.index("(") + 1 : text.rindex(")")]
            state, _ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
            if int(pgrp) == group and state != "Z":
                members.append(f"{stat.parent.name} {command}")
    return members


def wait_until(condition: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def environ() -> dict[str, str]:
    """The environment of every process started here: the test's credentials, no proxy, and
    this interpreter's scripts (scrapyd-deploy, scrapyd-client) first on PATH."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SCRAPY_", "SCRAPYD_")) and not name.lower().endswith("_proxy")
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["SCRAPYD_USERNAME"] = "moviespider-test"
    env["SCRAPYD_PASSWORD"] = secrets.token_urlsafe(16)
    return env


def deployed_scrapyd(directory: Path, env: dict[str, str], **options: str) -> Iterator[Scrapyd]:
    server = Scrapyd(directory, env, **options)
    try:
        server.start()
        (deploy,) = documented("scrapyd-deploy")
        deployed = server.run(deploy)
        assert deployed.returncode == 0, deployed.stderr
        server.deploy_answer = json.loads(deployed.stdout)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def runner(tmp_path_factory, environ) -> Iterator[Scrapyd]:
    # Several jobs at once (the production file runs one), picked up at once (default: 5 s).
    yield from deployed_scrapyd(
        tmp_path_factory.mktemp("scrapyd-runner"), environ, poll_interval="0.2", max_proc="4"
    )


@pytest.fixture(scope="module")
def queue(tmp_path_factory, environ) -> Iterator[Scrapyd]:
    # The first poll is at start-up, with an empty queue; the next is a day later.
    yield from deployed_scrapyd(
        tmp_path_factory.mktemp("scrapyd-queue"), environ, poll_interval="86400"
    )


@pytest.fixture
def new_pending_jobs(queue) -> Callable[[], list[tuple[str, dict[str, str], dict[str, str]]]]:
    """A function returning the jobs queued since the test started, as (spider, args,
    settings), sorted."""
    before = {job["id"] for job in queue.get("listjobs.json", project=PROJECT)["pending"]}

    def new_pending_jobs():
        return sorted(
            (
                (job["spider"], job["args"], job["settings"])
                for job in queue.get("listjobs.json", project=PROJECT)["pending"]
                if job["id"] not in before
            ),
            key=repr,
        )

    return new_pending_jobs


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog(CATALOG_SIZE, SEED, TODAY)


@pytest.fixture(scope="module")
def site(module_sandbox) -> SandboxProcess:
    return module_sandbox(*SANDBOX_ARGS)


@pytest.fixture(scope="module")
def slow_site(module_sandbox) -> SandboxProcess:
    """The same site, each page taking 0.2 s: a job crawling it one page at a time is busy
    long enough to be stopped half-way."""
    return module_sandbox(*SANDBOX_ARGS, "--latency", "0.2")


def crawl_settings(sandbox: SandboxProcess, **settings: object) -> dict[str, object]:
    """Settings a job needs to crawl a sandbox: they travel with the schedule request."""
    return {
        "DOUBAN_BASE_URL": sandbox.url,
        "DOUBAN_PROFILE": "fast",
        "DOUBAN_REFERENCE_DATE": TODAY.isoformat(),
        "CLOSE_STATS_LOG_LEVEL": "INFO",  # the raw stats at the end of the job's log
        **settings,
    }


def scrapyd_says(server: Scrapyd, job_id: str) -> str:
    """Scrapyd's own line on how the job's process ended."""
    scrapyd_log = (server.directory / "scrapyd.log").read_text("utf-8")
    [line] = [
        line
        for line in scrapyd_log.splitlines()
        if f"job={job_id!r}" in line and ("Process finished:" in line or "Process died:" in line)
    ]
    return line


def sandbox_stats(sandbox: SandboxProcess) -> dict[str, int]:
    """How many pages of each kind the sandbox has been asked for."""
    with loopback_http() as http:
        return http.get(f"{sandbox.url}/__sandbox__/stats", timeout=5).json()["by_kind"]


@pytest.fixture(scope="module")
def crawls(runner, site) -> dict[str, Job]:
    """Jobs scheduled together, as production would, and run to the end."""
    (try_sandbox,) = documented(f"DOUBAN_BASE_URL={DOCUMENTED_SANDBOX}")
    scheduled = {
        "top250": runner.schedule(
            "douban_top250", settings=crawl_settings(site, CONCURRENT_REQUESTS=8)
        ),
        "later": runner.schedule("douban_later", settings=crawl_settings(site), city="shanghai"),
        # The documented first try, against the sandbox started from the checkout.
        "top250_in_job_sandbox": json.loads(
            runner.run(try_sandbox.replace(DOCUMENTED_SANDBOX, site.url)).stdout
        )["jobid"],
    }
    return {name: runner.finished_job(job_id) for name, job_id in scheduled.items()}


def expected_upcoming(catalog: Catalog, city: str) -> dict[str, dict[str, Any]]:
    """subject_id -> the fields a douban_later item must have for each film of the list."""
    expected = {}
    for entry in catalog.upcoming(city):
        fields = entry.film.movie_fields()
        del fields["rank"]  # the Top250 rank is not on a subject page
        fields.update(
            source="later",
            city=city,
            release_date=entry.release_date.isoformat(),
            want_count=entry.want_count,
        )
        expected[entry.subject_id] = fields
    return expected


def assert_items_are(items: list[dict[str, Any]], expected: dict[str, dict[str, Any]]) -> None:
    ids = [item["subject_id"] for item in items]
    assert len(ids) == len(set(ids)), "a film was stored twice"
    assert sorted(ids) == sorted(expected)
    for item in items:
        fields = expected[item["subject_id"]]
        assert {name: item[name] for name in fields} == fields


# --- Deploying --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source_spiders(runner) -> list[str]:
    """`scrapy list` in the project's source tree."""
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=runner.project,
        env=runner.env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    return listed.stdout.split()


def test_documented_deploy_uploads_every_spider(runner, source_spiders):
    assert runner.deploy_answer["project"] == PROJECT
    assert runner.deploy_answer["spiders"] == len(source_spiders)
    assert runner.get("listprojects.json")["projects"] == [PROJECT]


def test_listspiders_lists_every_spider_of_the_source_tree(runner, source_spiders):
    spiders = runner.get("listspiders.json", project=PROJECT)["spiders"]
    assert sorted(spiders) == sorted(source_spiders)
    assert set(spiders) >= SPIDERS


def test_documented_scrapyd_client_lists_the_spiders(queue):
    (command,) = documented("scrapyd-client spiders")
    listed = queue.run(command)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert set(listed.stdout.split()) >= SPIDERS


# --- The egg ----------------------------------------------------------------------------------


def deployed_egg(server: Scrapyd) -> zipfile.ZipFile:
    (egg,) = (server.directory / "eggs" / PROJECT).glob("*.egg")
    return zipfile.ZipFile(egg)


# Beside the crawler in the checkout, and never in the egg.
NOT_IN_THE_EGG = ("douban_sandbox", "moviespider_bench", "hello_server", "tests")


def check_egg(egg: zipfile.ZipFile) -> None:
    """The egg holds every file of the moviespider package, and nothing else but its metadata."""
    names = set(egg.namelist())
    entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
    package = REPO / "moviespider"
    source = {
        path.relative_to(REPO).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert source <= names, f"missing from the egg: {sorted(source - names)}"
    modules = {name.removesuffix(".py").replace("/", ".") for name in names if name.endswith(".py")}
    strays = {m for m in modules if m.split(".")[0] in NOT_IN_THE_EGG}
    assert strays == set(), f"not crawler code, yet in the egg: {sorted(strays)}"
    assert {name.split("/")[0] for name in names} == {"moviespider", "EGG-INFO"}
    assert re.search(r"^\[scrapy\]\nsettings = moviespider\.settings$", entry_points, re.M)


def test_egg_holds_the_crawler_and_nothing_else(runner):
    with deployed_egg(runner) as egg:
        check_egg(egg)


def test_egg_built_from_the_whole_checkout_holds_the_crawler_and_nothing_else(tmp_path):
    """The egg as scrapyd-deploy builds it, from a copy of the whole checkout (sandbox,
    benchmark and tests included, so that setup.py has the chance to pack them), no Scrapyd."""
    checkout = tmp_path / "checkout"
    shutil.copytree(
        REPO,
        checkout,
        ignore=shutil.ignore_patterns(".git", "__pycache__", "build", "*.egg-info", ".*cache"),
    )
    for folder in ("douban_sandbox", "moviespider_bench", "tests"):
        assert (checkout / folder / "__init__.py").exists(), folder  # packages setup.py could find
    dist = tmp_path / "dist"
    for command in (["clean", "-a"], ["bdist_egg", "-d", str(dist)]):  # scrapyd-deploy's
        done = subprocess.run(
            [sys.executable, "setup.py", *command],
            cwd=checkout,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    (egg_path,) = dist.glob("*.egg")
    with zipfile.ZipFile(egg_path) as egg:
        check_egg(egg)


# Audit events that mean an import did something: connected, listened, started a process.
SIDE_EFFECTS = (
    "socket.connect",
    "socket.bind",
    "subprocess.Popen",
    "os.system",
    "os.fork",
    "os.posix_spawn",
    "os.exec",
    "os.spawn",
)
LIST_AS_SCRAPYD_DOES = f"""
import json, runpy, sys
side_effects = []
def audit(event, args):
    if event.startswith({SIDE_EFFECTS!r}):
        side_effects.append(f"{{event}} {{args!r}}")
sys.addaudithook(audit)
try:
    sys.argv = ["scrapyd.runner", "list"]
    runpy.run_module("scrapyd.runner", run_name="__main__")
finally:
    imported = [name for name in sys.modules if name.startswith("moviespider.spiders.")]
    print(json.dumps({{"side_effects": side_effects, "imported": imported}}), file=sys.stderr)
"""


def test_listing_spiders_from_the_egg_imports_them_without_side_effects(runner):
    """Scrapyd imports every spider of the egg to list them: that must start nothing."""
    listed = subprocess.run(
        [sys.executable, "-c", LIST_AS_SCRAPYD_DOES],
        cwd=runner.directory,  # Scrapyd's directory: its scrapyd.conf says where the eggs are
        env={**runner.env, "SCRAPY_PROJECT": PROJECT},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    audit = json.loads(listed.stderr.splitlines()[-1])
    assert set(listed.stdout.split()) >= SPIDERS
    assert {f"moviespider.spiders.{spider}" for spider in SPIDERS} <= set(audit["imported"])
    assert audit["side_effects"] == []


# --- Authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "auth", [None, ("moviespider-test", "wrong password"), ("someone", "")], ids=repr
)
def test_requests_without_the_credentials_are_refused(queue, new_pending_jobs, auth):
    status = queue.http.get(f"{queue.url}/daemonstatus.json", auth=auth)
    schedule = queue.http.post(
        f"{queue.url}/schedule.json",
        data={"project": PROJECT, "spider": "douban_top250"},
        auth=auth,
    )
    assert (status.status_code, schedule.status_code) == (401, 401)
    assert new_pending_jobs() == []


@pytest.mark.parametrize("command", ["scrapyd-deploy", "scrapyd-client spiders"])
def test_clients_with_a_wrong_password_fail_without_showing_it(queue, command):
    (documented_command,) = documented(command)
    wrong = "not-the-password-" + secrets.token_hex(4)
    result = queue.run(documented_command, SCRAPYD_PASSWORD=wrong)
    assert result.returncode != 0
    assert "401" in result.stdout + result.stderr or "Unauthorized" in result.stdout
    assert wrong not in result.stdout + result.stderr


# --- Scheduling as documented -----------------------------------------------------------------


def test_documented_schedule_commands_queue_the_documented_jobs(queue, new_pending_jobs):
    commands = documented("schedule.json") + documented("scrapyd-client schedule")
    kept_ids = []
    for command in commands:
        result = queue.run(f'{command}\necho "$JOB_ID"', JOB_ID="0123456789abcdef")
        assert result.returncode == 0, result.stderr
        assert "error" not in result.stdout, result.stdout
        if command.startswith("JOB_ID="):
            kept_ids.append(result.stdout.split()[-1])
    pending = queue.get("listjobs.json", project=PROJECT)["pending"]
    assert kept_ids and set(kept_ids) <= {job["id"] for job in pending}

    later = {"city": "shanghai"}
    assert new_pending_jobs() == sorted(
        [
            ("douban_later", later, {"CONCURRENT_REQUESTS": "8"}),  # curl
            ("douban_later", later, {"CONCURRENT_REQUESTS": "8"}),  # scrapyd-client
            ("douban_later", later, {}),  # resuming a job
            ("douban_nowplaying", {"city": "beijing"}, {}),
            ("douban_subject", {"ids": "1292052,3541415"}, {}),
            ("douban_top250", {"details": "1"}, {}),
            ("douban_top250", {}, {}),  # keeping its job id
            (
                "douban_top250",
                {},
                {"DOUBAN_BASE_URL": DOCUMENTED_SANDBOX, "DOUBAN_PROFILE": "fast"},
            ),
        ],
        key=repr,
    )


def test_readme_links_to_this_guide_or_holds_it_verbatim():
    readme = (REPO / "README.md").read_text("utf-8")
    guide = DOCS.read_text("utf-8")
    heading = guide.splitlines()[0]
    if heading in readme:
        section = readme[readme.index(heading) :]
        section = section[: section.find("\n## ", 1) + 1 or len(section)]
        assert section.strip() == guide.strip(), "README's copy of docs/scrapyd.md differs"
    else:
        assert "(docs/scrapyd.md)" in readme


def test_documented_crontab_is_deploy_moviespider_cron():
    (block,) = re.findall(r"^```cron\n(.*?)^```", DOCS.read_text("utf-8"), re.S | re.M)
    assert block == CRON.read_text("utf-8")


def test_crontab_lines_are_valid_cron_entries():
    for schedule, command in crontab_entries(CRON.read_text("utf-8")):
        assert re.fullmatch(r"[\d*/,-]+( [\d*/,-]+){4}", schedule), schedule
        assert "%" not in command  # cron would turn it into a newline


def installed_crontab(server: Scrapyd) -> str:
    """The crontab the documented install command gives ``crontab -`` (here: prints)."""
    (install,) = documented("| crontab -")
    result = server.run(install.replace("| crontab -", "| cat"))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_documented_crontab_install_adds_the_credentials_from_the_environment(queue):
    crontab = installed_crontab(queue)
    assert crontab_variables(crontab) == {
        "SCRAPYD_USERNAME": queue.env["SCRAPYD_USERNAME"],
        "SCRAPYD_PASSWORD": queue.env["SCRAPYD_PASSWORD"],
    }
    assert crontab_entries(crontab) == crontab_entries(CRON.read_text("utf-8"))


def test_crontab_schedule_lines_queue_the_daily_jobs(queue, new_pending_jobs):
    crontab = installed_crontab(queue)
    # What cron gives a command: a minimal environment and the crontab's variables.
    cron_env = {"PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "HOME": str(queue.home)}
    cron_env |= crontab_variables(crontab)
    for _, command in crontab_entries(crontab):
        if "schedule.json" in command:
            result = subprocess.run(
                ["/bin/sh", "-c", command.replace(DOCUMENTED_URL, queue.url)],
                env=cron_env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            assert result.returncode == 0, result.stderr
            assert '"status": "error"' not in result.stdout

    cities = ("beijing", "guangzhou", "shanghai", "shenzhen")
    assert new_pending_jobs() == sorted(
        [("douban_top250", {}, {})] + [("douban_later", {"city": c}, {}) for c in cities],
        key=repr,
    )


def test_crontab_cleanup_line_removes_only_week_old_job_state(tmp_path):
    (command,) = [c for _, c in crontab_entries(CRON.read_text("utf-8")) if "find " in c]
    spider = tmp_path / "jobs" / PROJECT / "douban_later"
    old, recent = spider / "old-job", spider / "recent-job"
    for job in (old, recent):
        (job / "requests.queue").mkdir(parents=True)
        (job / "requests.seen").write_text("")
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))

    subprocess.run(
        ["/bin/sh", "-c", command.replace("/var/lib/scrapyd", str(tmp_path))],
        check=True,
        timeout=TIMEOUT,
    )
    assert sorted(p.name for p in spider.iterdir()) == ["recent-job"]


# --- Crawling -------------------------------------------------------------------------------


def test_top250_job_stores_the_250_films(crawls, catalog):
    items = crawls["top250"].items
    assert sorted(item["rank"] for item in items) == list(range(1, 251))
    for item in items:
        film = catalog.by_rank(item["rank"])
        assert (item["subject_id"], item["title"], item["rating"], item["votes"]) == (
            film.subject_id,
            film.title,
            film.rating,
            film.votes,
        )
        assert item["source"] == "top250"


def test_later_job_stores_the_citys_upcoming_films_with_details(crawls, catalog):
    assert_items_are(crawls["later"].items, expected_upcoming(catalog, "shanghai"))


def test_setting_override_reaches_the_job_and_beats_the_profile(crawls):
    overridden = crawls["top250"].overridden_settings()
    assert overridden["CONCURRENT_REQUESTS"] == "8"  # as given; the "fast" profile gives 64
    # DOUBAN_PROFILE=fast reached it too: settings.py's 2 s delay became Scrapy's default, 0.
    assert "DOWNLOAD_DELAY" not in overridden
    assert crawls["later"].overridden_settings()["CONCURRENT_REQUESTS"] == 64


def test_documented_sandbox_job_crawls_the_sandbox(crawls, catalog):
    items = crawls["top250_in_job_sandbox"].items
    assert sorted((item["rank"], item["subject_id"]) for item in items) == [
        (rank, catalog.by_rank(rank).subject_id) for rank in range(1, 251)
    ]


def test_jobs_keep_their_requests_in_a_jobdir_so_they_can_resume(crawls):
    for job in crawls.values():
        assert job.overridden_settings()["JOBDIR"]  # from scrapyd.conf's jobs_dir
    for name in ("top250", "later"):  # scheduled with the raw stats in their logs
        # The crash-safe scheduler journals every request there (moviespider.jobdir).
        assert "scheduler/unserializable" not in crawls[name].stats()


def test_jobs_record_their_outcome(runner, crawls):
    for job in crawls.values():
        assert "Outcome: complete (exit status 0), close reason finished" in job.log
        assert "Process finished:" in scrapyd_says(runner, job.id)
    for name in ("top250", "later"):
        stats = crawls[name].stats()
        assert (stats["moviespider/outcome"], stats["moviespider/exit_status"]) == ("complete", 0)


def test_documented_watch_commands_show_a_finished_job(runner, crawls):
    job = crawls["later"]
    (listjobs,) = documented("listjobs.json")
    (status,) = documented("status.json")
    (log,) = documented("/logs/")
    (items,) = documented("/items/")
    finished = json.loads(runner.run(listjobs, JOB_ID=job.id).stdout)["finished"]
    assert job.id in [entry["id"] for entry in finished]
    assert json.loads(runner.run(status, JOB_ID=job.id).stdout)["currstate"] == "finished"
    assert "Spider closed (finished)" in runner.run(log, JOB_ID=job.id).stdout
    stored = [json.loads(line) for line in runner.run(items, JOB_ID=job.id).stdout.splitlines()]
    assert stored == job.items


def test_job_with_a_bad_argument_ends_with_one_line_in_scrapyds_log(runner, site):
    job_id = runner.schedule("douban_later", settings=crawl_settings(site), city="Shanghai")
    finished = runner.wait_for(job_id, "finished")
    assert finished["log_url"] is None  # it stopped before Scrapy opened a log
    assert runner.errors(job_id) == [
        "argument city: 'Shanghai' is not a Douban city slug (lowercase, like 'shanghai')"
    ]
    assert "Process died: exitstatus=2 " in scrapyd_says(runner, job_id)  # usage


# --- Cancelling and resuming ------------------------------------------------------------------


def schedule_slow_crawl(server: Scrapyd, sandbox: SandboxProcess, city: str, **args: str) -> str:
    """A douban_later job fetching one page at a time from the slow sandbox; returns once it
    is crawling subject pages (its signal handlers are installed: a cancel is graceful)."""
    subjects_before = sandbox_stats(sandbox).get("subject", 0)
    job_id = server.schedule(
        "douban_later",
        settings=crawl_settings(sandbox, CONCURRENT_REQUESTS=1),
        city=city,
        **args,
    )
    wait_until(
        lambda: sandbox_stats(sandbox).get("subject", 0) >= subjects_before + 2,
        f"job {job_id} crawling subject pages",
    )
    return job_id


def test_documented_cancel_stops_a_running_job(runner, slow_site, catalog):
    job_id = schedule_slow_crawl(runner, slow_site, "chongqing")
    (cancel,) = documented("cancel.json")
    cancelled = runner.run(cancel, JOB_ID=job_id)
    assert json.loads(cancelled.stdout)["prevstate"] == "running"

    job = runner.finished_job(job_id)
    assert "Received SIGINT, shutting down gracefully" in job.log
    assert "Spider closed (shutdown)" in job.log
    assert "Outcome: interrupted (exit status 130), close reason shutdown" in job.log
    assert job.stats()["moviespider/outcome"] == "interrupted"
    assert "Process died: exitstatus=130 " in scrapyd_says(runner, job_id)
    expected = expected_upcoming(catalog, "chongqing")
    assert 0 < len(job.items) < len(expected)
    assert_items_are(job.items, {i["subject_id"]: expected[i["subject_id"]] for i in job.items})


def test_cancelled_job_scheduled_again_with_its_jobid_resumes(runner, slow_site, catalog):
    before = sandbox_stats(slow_site)
    job_id = schedule_slow_crawl(runner, slow_site, "guangzhou")
    runner.post("cancel.json", project=PROJECT, job=job_id)
    runner.wait_for(job_id, "finished")

    runner.schedule(
        "douban_later",
        settings=crawl_settings(slow_site, CONCURRENT_REQUESTS=1),
        city="guangzhou",
        jobid=job_id,
    )
    job = runner.finished_job(job_id, times=2)

    expected = expected_upcoming(catalog, "guangzhou")
    assert_items_are(job.items, expected)  # both runs' items, in the one items file
    assert "Resuming crawl" in job.log
    after = sandbox_stats(slow_site)
    fetched = {kind: after.get(kind, 0) - before.get(kind, 0) for kind in ("later", "subject")}
    assert fetched == {"later": 1, "subject": len(expected)}  # no page fetched twice


# --- Distributed workers as Scrapyd jobs (docs/distributed.md) ---------------------------------

DISTRIBUTED_DOCS = REPO / "docs" / "distributed.md"
DOCUMENTED_REDIS = "redis://127.0.0.1:6379/0"
DOCUMENTED_CRAWL = "DISTRIBUTED_CRAWL=catalog-1"
TEST_REDIS = "redis://127.0.0.1:6379/15"  # the suite's Redis database


def distributed_documented(fragment: str) -> list[str]:
    commands = [
        c for c in documented_commands(DISTRIBUTED_DOCS.read_text("utf-8")) if fragment in c
    ]
    assert commands, f"docs/distributed.md has no command with {fragment!r}"
    return commands


def worker_node_options() -> dict[str, str]:
    """The scrapyd.conf lines docs/distributed.md gives a node that runs workers."""
    (block,) = re.findall(
        r"^```ini\n(\[scrapyd\]\n.*?)^```", DISTRIBUTED_DOCS.read_text("utf-8"), re.M | re.S
    )
    config = ConfigParser()
    config.read_string(block)
    return dict(config["scrapyd"])


@pytest.fixture(scope="module")
def worker_node(tmp_path_factory, environ) -> Iterator[Scrapyd]:
    """A Scrapyd configured as docs/distributed.md says for the nodes that run workers."""
    yield from deployed_scrapyd(
        tmp_path_factory.mktemp("scrapyd-workers"),
        environ,
        poll_interval="0.2",
        **worker_node_options(),
    )


@pytest.fixture
def crawl_name() -> Iterator[str]:
    from redis import Redis

    from moviespider.frontier.store import Frontier

    name = f"test-{secrets.token_hex(5)}"
    yield name
    server = Redis.from_url(TEST_REDIS)
    Frontier(server, name).clear()
    server.close()


def test_documented_scrapyd_workers_crawl_the_catalog_each_film_once(
    worker_node, module_sandbox, crawl_name
):
    (start_sandbox,) = distributed_documented("python -m douban_sandbox")
    (seed,) = [c for c in distributed_documented(DOCUMENTED_SANDBOX) if "frontier seed" in c]
    (schedule,) = [c for c in distributed_documented(DOCUMENTED_SANDBOX) if "schedule.json" in c]
    options = start_sandbox.split("--port 8050", 1)[1].split("&")[0].split()
    site = module_sandbox(*options)
    catalog = build_catalog(
        int(options[options.index("--catalog") + 1]), int(options[options.index("--seed") + 1])
    )
    films = {catalog.by_rank(rank).subject_id for rank in range(1, catalog.size + 1)}

    def as_here(command: str) -> str:
        return (
            command.replace(DOCUMENTED_SANDBOX, site.url)
            .replace(DOCUMENTED_REDIS, TEST_REDIS)
            .replace(DOCUMENTED_CRAWL, f"DISTRIBUTED_CRAWL={crawl_name}")
        )

    seeded = worker_node.run(as_here(seed))
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout.strip() == "Seeded 1 requests (0 were in the frontier already)."
    scheduled = worker_node.run(as_here(schedule))
    assert scheduled.returncode == 0, scheduled.stderr
    job_ids = [json.loads(line)["jobid"] for line in scheduled.stdout.splitlines()]
    assert len(job_ids) == 2
    jobs = [worker_node.finished_job(job_id, timeout=TIMEOUT * 4) for job_id in job_ids]

    ids = [item["subject_id"] for job in jobs for item in job.items]
    assert sorted(ids) == sorted(films)  # every film, once, between the two workers
    for job in jobs:
        assert "of distributed crawl" in job.log and "Outcome: complete" in job.log, job.log[-2000:]

    (status,) = distributed_documented("frontier status")
    shown = worker_node.run(as_here(status))
    assert shown.returncode == 0, shown.stderr
    lines = dict(line.split(None, 1) for line in shown.stdout.splitlines())
    assert (lines["queued"], lines["leased"], lines["done"]) == ("0", "0", str(len(films)))
    (listjobs,) = distributed_documented("listjobs.json")
    listed = json.loads(worker_node.run(listjobs).stdout)
    assert {job["id"] for job in listed["finished"]} >= set(job_ids)
    (requeue,) = distributed_documented("requeue-expired")
    assert worker_node.run(as_here(requeue)).stdout.strip() == (
        "Requeued 0 requests of expired leases."
    )
    (clear,) = distributed_documented("frontier clear")
    assert worker_node.run(as_here(clear)).returncode == 0
    assert "queued     0" in worker_node.run(as_here(status)).stdout


def test_documented_production_workers_are_the_sandbox_ones_without_the_sandbox():
    production, sandboxed = [
        c for c in distributed_documented("schedule.json") if "spider=douban_catalog" in c
    ]
    sandbox_settings = (
        f" -d setting=DOUBAN_BASE_URL={DOCUMENTED_SANDBOX} -d setting=DOUBAN_PROFILE=fast"
    )
    assert sandboxed.replace(sandbox_settings, "") == production


def test_readme_links_to_the_distributed_guide():
    assert "(docs/distributed.md)" in (REPO / "README.md").read_text("utf-8")
