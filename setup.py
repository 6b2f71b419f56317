# Scrapyd runs the project from an egg built from this file (`scrapyd-deploy` runs
# `setup.py bdist_egg`). The egg holds the crawler only: the sandbox, the benchmark, the TCP
# server and the tests stay in the checkout (tests check the egg's module list).
from setuptools import find_packages, setup

setup(
    name="moviespider",
    version="0.1.0",
    packages=find_packages(include=["moviespider", "moviespider.*"]),
    zip_safe=True,
    entry_points={"scrapy": ["settings = moviespider.settings"]},
)
