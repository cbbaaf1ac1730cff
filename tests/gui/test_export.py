"""Exports: PNG of exactly the requested size and not blank, valid SVG, CSV/JSON data, clipboard."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from gradexplorer.engine.model.spec import NetworkSpec
from gradexplorer.engine.runs.propagation import propagate
from gradexplorer.engine.runs.result import LAYER_FIELDS, collect

pytest.importorskip("pytestqt")

from PySide6.QtGui import QImage  # noqa: E402

from gradexplorer.gui.dashboard import Dashboard  # noqa: E402
from gradexplorer.gui.export import (  # noqa: E402
    copy_to_clipboard,
    export_plot,
    export_scene,
    write_data,
)

SPEC = NetworkSpec(depth=8, width=16, in_features=16, batch=16, activation="tanh")
#: ReLU, He init × 4, 600 layers: activations and gradients overflow float64 (10^330).
EXPLODING = NetworkSpec(depth=600, width=16, in_features=16, batch=16, activation="relu",
                        init="kaiming_normal", gain=4.0)


def image_stats(path):
    """(width, height, pixel std over a 64×64 sample grid of the gray values)."""
    image = QImage(str(path))
    assert not image.isNull(), path
    w, h = image.width(), image.height()
    xs = np.linspace(0, w - 1, 64).astype(int)
    ys = np.linspace(0, h - 1, 64).astype(int)
    gray = [image.pixelColor(int(x), int(y)).lightness() for y in ys for x in xs]
    return w, h, float(np.std(gray))


def assert_valid_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > 50  # axes, curves and text, not an empty document


@pytest.fixture
def dash(qtbot):
    d = Dashboard()
    qtbot.addWidget(d)
    d.resize(1000, 700)
    d.show()
    qtbot.waitExposed(d)
    records = list(propagate(SPEC))
    d.begin_run(records[0])
    d.add_records(records[1:-1])
    d.finish_run(records[-1])
    return d


@pytest.mark.parametrize("size", [(800, 500), (1920, 1080), (600, 900)])
def test_dashboard_png_has_exact_size_and_content(dash, tmp_path, size):
    path = tmp_path / "dash.png"
    dash.export_image(str(path), size)
    w, h, spread = image_stats(path)
    assert (w, h) == size
    assert spread > 10
    # The window's own layout is back to its size afterwards.
    assert (dash.view.width(), dash.view.height()) == (dash.width(), dash.height())


def test_dashboard_png_default_size_is_the_widget_size(dash, tmp_path):
    path = tmp_path / "dash.png"
    dash.export_image(str(path))
    assert image_stats(path)[:2] == (dash.view.width(), dash.view.height())


def test_dashboard_svg_is_valid(dash, tmp_path):
    path = tmp_path / "dash.svg"
    dash.export_image(str(path), (1200, 800))
    assert_valid_svg(path)
    assert dash.run_verdict().headline in path.read_text(encoding="utf-8")  # the headline


def test_unknown_image_extension_is_refused(dash, tmp_path):
    with pytest.raises(ValueError):
        dash.export_image(str(tmp_path / "dash.jpg"))
    with pytest.raises(ValueError):
        export_plot(dash.plot_items()["gradient"], str(tmp_path / "p.pdf"))


def test_export_plot_png_and_svg(dash, tmp_path):
    for name, plot in dash.plot_items().items():
        png = tmp_path / f"{name}.png"
        export_plot(plot, str(png), (640, 480))
        w, h, spread = image_stats(png)
        assert (w, h) == (640, 480) and spread > 5, name
    svg = tmp_path / "gradient.svg"
    export_plot(dash.plot_items()["gradient"], str(svg))
    assert_valid_svg(svg)


def test_export_scene_png(dash, tmp_path):
    path = tmp_path / "scene.png"
    export_scene(dash.view, str(path), (500, 350))
    assert image_stats(path)[:2] == (500, 350)


def test_copy_to_clipboard(dash):
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().clear()
    copy_to_clipboard(dash)
    image = QApplication.clipboard().image()
    assert not image.isNull()
    assert (image.width(), image.height()) == (dash.width(), dash.height())


def test_write_csv_round_trip(tmp_path):
    result = collect(propagate(SPEC))
    path = tmp_path / "run.csv"
    write_data(result, SPEC, str(path))
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(LAYER_FIELDS)
    assert len(rows) == SPEC.depth
    assert [int(r["layer"]) for r in rows] == list(range(1, SPEC.depth + 1))
    np.testing.assert_allclose([float(r["log10_grad_preact_rms"]) for r in rows],
                               result.series("log10_grad_preact_rms"))


def test_write_json_round_trip_is_strict(tmp_path):
    result = collect(propagate(EXPLODING))
    assert np.isinf(result.series("grad_preact_rms")).any()  # overflow in plain values
    path = tmp_path / "run.json"
    write_data(result, EXPLODING, str(path))
    text = path.read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaN" not in text
    data = json.loads(text)
    assert data["config"] == EXPLODING.to_dict()
    assert len(data["layers"]) == EXPLODING.depth
    assert data["layers"][0]["grad_preact_rms"] is None  # inf → null
    assert data["layers"][0]["log10_grad_preact_rms"] > 300  # exact log10 twin survives


def test_write_data_refuses_other_extensions(tmp_path):
    with pytest.raises(ValueError):
        write_data(collect(propagate(SPEC)), SPEC, str(tmp_path / "run.xlsx"))


def test_exploding_run_exports(qtbot, tmp_path):
    d = Dashboard()
    qtbot.addWidget(d)
    d.resize(1000, 700)
    records = list(propagate(EXPLODING))
    d.begin_run(records[0])
    d.add_records(records[1:-1])
    d.finish_run(records[-1])
    assert "exploding" in d.verdict_text()
    assert d.activation.std_log
    lo, hi = d.grad_heatmap.value_range()
    assert hi > 300 and d.grad_heatmap.image_data().shape[1] <= 1024
    d.export_image(str(tmp_path / "x.png"), (900, 600))
    d.export_image(str(tmp_path / "x.svg"))
    assert image_stats(tmp_path / "x.png")[:2] == (900, 600)
    assert_valid_svg(tmp_path / "x.svg")
