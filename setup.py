# Scrapyd deploys an egg built from this file (scrapyd-deploy runs `setup.py bdist_egg`).
from setuptools import find_packages, setup

setup(
    name="moviespider",
    version="0.1.0",
    packages=find_packages(exclude=["tests", "tests.*"]),
    package_data={"moviespider.sandbox": ["templates/*", "data/*"]},
    include_package_data=True,
    zip_safe=True,
    entry_points={"scrapy": ["settings = moviespider.settings"]},
)
