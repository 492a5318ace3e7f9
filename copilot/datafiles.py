"""Reading the YAML data files shipped inside the package (lexicons, examples, phrasing)."""

from functools import cache
from importlib import resources

import yaml


@cache
def package_yaml(package: str, name: str) -> dict:
    """A package's data/<name> parsed as YAML (cached: these files never change at run time)."""
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)
