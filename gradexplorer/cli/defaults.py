"""Names, limits and defaults the help texts quote, copied from the engine.

``gradexplorer --help`` must not import the engine (NumPy, SciPy: over a second); these copies
let the parsers be built from the standard library alone. ``tests/cli/test_parsing.py`` checks
that every value here equals the engine's.
"""

from __future__ import annotations

# engine/model/spec.py
ACTIVATION_NAMES = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu",
                    "silu", "softplus")
INIT_NAMES = ("normal", "zeros", "xavier_uniform", "xavier_normal", "kaiming_uniform",
              "kaiming_normal", "lecun_normal", "lecun_uniform", "orthogonal", "torch_default",
              "lsuv")
MODE_NAMES = ("fan_in", "fan_out")
BIAS_INIT_NAMES = ("zeros", "normal")
INPUT_NAMES = ("normal", "uniform", "digits", "file")
LOSS_NAMES = ("random", "mse", "cross_entropy")
DTYPE_NAMES = ("float32", "float64")
NORM_NAMES = ("none", "batch", "layer")
MAX_DEPTH = 1000
#: NetworkSpec() field defaults quoted by --help.
SPEC_DEFAULTS = {"depth": 20, "width": 256, "in_features": 256, "activation": "tanh",
                 "init": "xavier_normal", "batch": 256}

# engine/training/config.py (re-exported by trainer.py)
OPTIMIZER_NAMES = ("sgd", "adam")
TRAIN_LOSS_NAMES = ("cross_entropy", "mse")
#: TrainConfig() field defaults quoted by --help.
TRAIN_DEFAULTS = {"steps": 500, "lr": 0.01, "optimizer": "sgd", "momentum": 0.9,
                  "batch_size": 64, "eval_every": 25, "holdout": 0.2, "samples": 2048,
                  "classes": 10}
