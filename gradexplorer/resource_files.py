"""Locate files shipped in ``resources/`` (installed as ``gradexplorer/resources``)."""

from __future__ import annotations

from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("data", "optdigits.csv.gz")``.

    Works from a wheel (``gradexplorer/resources``) and from a source checkout or editable
    install (``<repo>/resources``). Raises FileNotFoundError naming the path if it is missing.
    """
    here = Path(__file__).resolve().parent
    for base in (here / "resources", here.parent / "resources"):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"bundled resource not found: {'/'.join(parts)}")
