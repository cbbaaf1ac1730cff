"""Command-line front end (placeholder until the run command lands)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    print("gradexplorer: run `gradexplorer run --help`")
    return 0
