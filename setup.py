# Scrapyd runs the project from an egg built from this file: `scrapyd-deploy` runs
# `setup.py bdist_egg`. The egg holds the moviespider package and the files it reads at run time
# (read with importlib.resources, which works inside a zipped egg); tests/test_scrapyd.py checks
# that every file of the package is in it, and nothing else.
from setuptools import find_packages, setup

setup(
    name="moviespider",
    version="0.1.0",
    packages=find_packages(include=["moviespider", "moviespider.*"]),
    package_data={"moviespider.sandbox": ["templates/*"]},
    zip_safe=True,
    entry_points={"scrapy": ["settings = moviespider.settings"]},
)
