"""Packaging files are well formed and point at files that exist."""

import ast
import configparser
import pathlib
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_desktop_entry_is_valid_and_names_the_command():
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str
    cp.read(ROOT / "packaging" / "gradexplorer.desktop", encoding="utf-8")
    entry = cp["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Exec"] == "gradexplorer"
    assert (ROOT / "resources" / "icons" / f"{entry['Icon']}.svg").exists()
    assert entry["Categories"].endswith(";")


def test_appstream_metadata_parses_and_launches_the_desktop_file():
    root = ET.parse(ROOT / "packaging" / "io.github.gradexplorer.metainfo.xml").getroot()
    assert root.findtext("launchable") == "gradexplorer.desktop"
    assert root.find("releases/release").get("version") == __import__("gradexplorer").__version__


def test_pyinstaller_spec_is_python_and_its_paths_exist():
    text = (ROOT / "packaging" / "gradexplorer.spec").read_text(encoding="utf-8")
    ast.parse(text)
    for rel in ("gradexplorer/__main__.py", "resources", "resources/icons/gradexplorer-256.png"):
        assert (ROOT / rel).exists(), rel
        assert all(part in text for part in rel.split("/")), rel
