# Scrapyd runs the project from an egg built from this file (`scrapyd-deploy` runs
# `setup.py bdist_egg`). The egg holds the crawler only: the sandbox, the benchmark, the TCP
# server and the tests stay in the checkout (tests check the egg's module list).
from pathlib import Path

from setuptools import find_packages, setup

RUNTIME = Path(__file__).with_name("requirements-runtime.txt")

setup(
    name="moviespider",
    version="0.1.0",
    packages=find_packages(include=["moviespider", "moviespider.*"]),
    # What the crawler needs to run, nothing for tests or deployment. (Scrapyd installs none
    # of it: a node gets it with `pip install -r requirements-runtime.txt`.)
    install_requires=[
        line.strip()
        for line in RUNTIME.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ],
    zip_safe=True,
    entry_points={"scrapy": ["settings = moviespider.settings"]},
)
