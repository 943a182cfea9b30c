"""Compiled templates kept between runs (``ekslab.report.html``): used when sound, never trusted blindly."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import jinja2
import pytest

from ekslab.report.html import cache_folder, render
from tests.report.conftest import WORKSHOP
from tests.report.test_report_model import model_of


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The names of the templates Jinja2 compiles from source, with the cache under ``tmp_path``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    names: list[str] = []
    real = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: str, name: str | None = None, *args: object, **kw: object):
        names.append(str(name))
        return real(self, source, name, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def test_a_second_page_uses_the_compiled_templates(compiles: list[str], tmp_path: Path) -> None:
    # GIVEN one page rendered, with an empty cache folder
    model = model_of(WORKSHOP)
    first = render(model)
    compiled = len(compiles)
    # WHEN the same page is rendered again (a new environment, as a new run makes)
    second = render(model)
    # THEN nothing is compiled again, the page is the same, and the folder is the user's alone
    assert compiled >= 4 and len(compiles) == compiled
    assert first == second
    folder = Path(cache_folder())
    assert folder == tmp_path / "cache" / "ekslab" / "templates"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert len(list(folder.iterdir())) == compiled


def test_a_damaged_cache_is_compiled_again(compiles: list[str]) -> None:
    # GIVEN a cache whose every file was cut short or overwritten
    model = model_of(WORKSHOP)
    page = render(model)
    for index, path in enumerate(Path(cache_folder()).iterdir()):
        path.write_bytes(b"" if index % 2 else path.read_bytes()[:40] + b"\x00garbage")
    compiled = len(compiles)
    # WHEN a page is rendered THEN every template is compiled again and the page is the same
    assert render(model) == page
    assert len(compiles) == 2 * compiled


def test_a_folder_others_may_open_is_not_used(compiles: list[str]) -> None:
    # GIVEN the cache folder readable and writable by everyone
    folder = Path(cache_folder())
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    # WHEN two pages are rendered
    model = model_of(WORKSHOP)
    page = render(model)
    compiled = len(compiles)
    # THEN nothing is kept there and the second page is compiled again, the same
    assert render(model) == page
    assert len(compiles) == 2 * compiled and list(folder.iterdir()) == []


def test_no_folder_to_be_had_still_renders(compiles: list[str], tmp_path: Path) -> None:
    # GIVEN a file where the cache's parent folder would be
    (tmp_path / "cache").write_text("not a folder")
    # WHEN a page is rendered THEN it is, compiled from the templates
    assert render(model_of(WORKSHOP)).startswith("<!DOCTYPE html>")
    assert compiles


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_folder() == os.path.join(str(tmp_path), ".cache", "ekslab", "templates")
