"""Headless rendering of a run's dashboard (``gradexplorer render``)."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from gradexplorer.engine.model.spec import NetworkSpec

pytest.importorskip("pytestqt")

from PySide6.QtGui import QImage  # noqa: E402

from gradexplorer.gui.render import render_dashboard  # noqa: E402

SPEC = NetworkSpec(depth=12, width=16, in_features=16, batch=16, activation="tanh")


def test_render_png_exact_size(qapp, tmp_path):
    path = tmp_path / "run.png"
    render_dashboard(SPEC, str(path), size=(960, 600), font_size=12)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (960, 600)
    colours = {image.pixel(x, y) for x in range(0, 960, 15) for y in range(0, 600, 15)}
    assert len(colours) > 20  # plots, text and heatmaps, not a blank image


def test_render_svg(qapp, tmp_path):
    path = tmp_path / "run.svg"
    render_dashboard(SPEC, str(path), size=(1200, 800))
    assert ET.parse(path).getroot().tag.endswith("svg")


def test_render_refuses_unknown_extension_before_running(qapp, tmp_path):
    with pytest.raises(ValueError):
        render_dashboard(SPEC, str(tmp_path / "run.gif"))
    assert not (tmp_path / "run.gif").exists()


def test_render_in_a_fresh_process_without_display(qapp, tmp_path):
    """No QApplication, no event loop, no DISPLAY: render picks the offscreen platform."""
    path = tmp_path / "fresh.png"
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    code = ("from gradexplorer.engine.model.spec import NetworkSpec\n"
            "from gradexplorer.gui.render import render_dashboard\n"
            "render_dashboard(NetworkSpec(depth=6, width=8, in_features=8, batch=8), "
            f"{str(path)!r}, size=(640, 400))\n")
    if not sys.platform.startswith("linux"):
        pytest.skip("the offscreen fallback is for Linux without a display")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    image = QImage(str(path))
    assert (image.width(), image.height()) == (640, 400)
