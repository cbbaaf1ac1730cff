"""CLI output lines that must say the truth: the full verdict, ξ_∇'s sign, the kaiming gain note,
the Jacobian's missing prediction."""

import json

from gradexplorer.cli.main import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_run_prints_the_whole_verdict_after_the_classic_line(capsys):
    out = run(capsys, "run", "--depth", "20", "--width", "128", "--in-features", "128",
              "--activation", "relu", "--init", "kaiming_normal", "--gain", "1.5")
    lines = out.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("verdict: gradient at layer 1"))
    assert "exploding (×1.51 per layer)" in lines[i]
    assert lines[i + 1] == "  in full: exploding ∂L/∂h, flat ‖∂L/∂W‖"
    assert any("They disagree" in ln for ln in lines[i:])
    assert "note:" not in out  # ReLU + kaiming: the gain is torch's


def test_run_json_has_the_structured_verdict(capsys):
    doc = json.loads(run(capsys, "run", "--depth", "20", "--width", "128", "--in-features",
                         "128", "--activation", "sigmoid", "--init", "normal", "--format", "json"))
    v = doc["verdict"]
    assert v["kind"] == "stable" and v["headline"] == "stable, but saturated and chaotic"
    assert set(v["flags"]) == {"saturated", "chaotic"} and doc["warnings"] == []


def test_kaiming_with_tanh_and_a_gain_says_what_sigma_w2_is(capsys):
    out = run(capsys, "run", "--depth", "3", "--activation", "tanh", "--init", "kaiming_normal",
              "--gain", "1.6666666666666667")
    note = next(ln for ln in out.splitlines() if ln.startswith("note: "))
    assert "σ_w² = 2 × 1.66667² = 5.56" in note and "gives 2.78" in note


def test_float32_chaotic_run_warns(capsys):
    out = run(capsys, "run", "--depth", "50", "--activation", "tanh", "--gain", "10",
              "--dtype", "float32")
    assert "warning: float32 on a chaotic net" in out


def test_theory_xi_grad_wording_follows_its_sign(capsys):
    for w2, words in (("0.5", "positive: the mean-square gradient shrinks"),
                      ("2", "negative: the mean-square gradient grows"), ("1", "critical")):
        out = run(capsys, "theory", "--activation", "tanh", "--sigma-w2", w2, "--sigma-b2", "0",
                  "--depth", "3")
        line = next(ln for ln in out.splitlines() if ln.startswith("xi_grad"))
        assert words in line


def test_jacobian_readme_example_shows_a_prediction(capsys):
    out = run(capsys, "jacobian", "--activation", "relu", "--init", "kaiming_normal",
              "--width", "400", "--in-features", "400", "--depth", "8", "--compare")
    assert "no prediction" not in out and "—" not in out
    rows = [ln for ln in out.splitlines() if "variance / mean²" in ln]
    assert len(rows) == 2 and all(len(r.split()) == 5 for r in rows)


def test_jacobian_non_square_says_why_in_its_own_line(capsys):
    out = run(capsys, "jacobian", "--activation", "relu", "--init", "kaiming_normal",
              "--width", "40", "--in-features", "30", "--depth", "3")
    row = next(ln for ln in out.splitlines() if "variance / mean²" in ln)
    assert row.split()[-1] == "—"
    assert "set --in-features 40 to make the network square" in out


def test_train_json_names_the_layers_that_do_not_learn_at_all(capsys):
    doc = json.loads(run(capsys, "train", "--depth", "3", "--width", "8", "--init", "zeros",
                         "--steps", "4", "--eval-every", "2", "--format", "json"))
    assert doc["verdict"]["frozen_layers"] == [1, 2, 3]
    assert doc["records"][0]["log10_update_ratio"] == [None, None, None]  # -inf: strict JSON
    assert "do not learn at all" in doc["verdict"]["summary"]
