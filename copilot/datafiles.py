"""Reading data files: YAML shipped inside the package, and validated JSON Lines files."""

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

RowT = TypeVar("RowT", bound=BaseModel)


@cache
def package_yaml(package: str, name: str) -> dict:
    """A package's data/<name> parsed as YAML (cached: these files never change at run time)."""
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def validated_jsonl(
    files: Iterable[Path], model: type[RowT]
) -> tuple[list[tuple[RowT, str]], list[str]]:
    """Every row of JSON Lines files as (row, "file, line N"), and every problem found.

    Blank lines and lines starting with // are skipped; rows need a unique `id`. Problems name
    file, line and field, so a caller can report them all at once and write nothing.
    """
    rows: list[tuple[RowT, str]] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            where = f"{file.name}, line {number}"
            try:
                row = model.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not JSON ({exc.msg})")
                continue
            except ValidationError as exc:
                problems += [
                    f"{where}: field '{'.'.join(map(str, e['loc']))}': {e['msg']}"
                    for e in exc.errors()
                ]
                continue
            row_id = row.id  # type: ignore[attr-defined]  # every row model has an id
            if row_id in seen:
                problems.append(f"{where}: id {row_id!r} is also used at {seen[row_id]}")
                continue
            seen[row_id] = where
            rows.append((row, where))
    return rows, problems
