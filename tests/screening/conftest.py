"""Small files in each real format, with invented entities (tests/screening/files/)."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

FILES = Path(__file__).parent / "files"


def load(path: Path | str, *args: str) -> None:
    call_command("screening_load", str(path), "--sync", *args)


@pytest.fixture
def files(tmp_path) -> Path:
    """A copy of the files, for tests that edit one."""
    target = tmp_path / "files"
    shutil.copytree(FILES, target)
    return target


@pytest.fixture
def sanctions(db):
    """The OpenSanctions simple CSV, loaded as the list "test sanctions"."""
    load(FILES / "targets.simple.csv", "--name", "test sanctions")
