"""The network specification: one frozen, validated value that says what is run and shown.

A session file, a preset, a CLI invocation and the GUI state are all this spec serialized
(:meth:`NetworkSpec.to_dict` / :meth:`NetworkSpec.from_dict`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

ACTIVATION_NAMES = (
    "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "softplus",
)
INIT_NAMES = (
    "normal", "zeros", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
    "lecun_normal", "lecun_uniform", "orthogonal", "torch_default", "lsuv",
)
MODE_NAMES = ("fan_in", "fan_out")
BIAS_INIT_NAMES = ("zeros", "normal")
INPUT_NAMES = ("normal", "uniform", "digits", "file")
LOSS_NAMES = ("random", "mse", "cross_entropy")
DTYPE_NAMES = ("float32", "float64")
NORM_NAMES = ("none", "batch", "layer")

MAX_DEPTH = 1000
MAX_WIDTH = 8192
MAX_BATCH = 65536
#: LSUV's target variance gain² must stay a normal positive float64.
LSUV_GAIN_MIN, LSUV_GAIN_MAX = 1e-150, 1e150


class SpecError(ValueError):
    """A setting is invalid. ``field`` names the offending spec field (or ``None``).

    The message is one line, written for the user: it names the setting, what was given and what
    is allowed.
    """

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NetworkSpec:
    """A deep fully connected network, its initialization, its input batch and its loss.

    Layer ``l`` (1-based) computes ``h_l = a_{l-1} @ W_l.T + b_l`` and ``a_l = φ(h_l)`` with
    ``a_0 = x``; ``W_l`` has shape ``(fan_out, fan_in) = (n_l, n_{l-1})`` as in
    ``torch.nn.Linear``. ``n_0`` is ``in_features`` (or the data's feature count for the digits
    and file inputs).

    Fields
    ------
    depth : number of layers L (1..1000).
    width : n_l for every layer when ``widths`` is None.
    widths : explicit (n_1, ..., n_L); overrides ``width``; its length must equal ``depth``.
    in_features : n_0 for the synthetic inputs (``normal``/``uniform``).
    activation : one of :data:`ACTIVATION_NAMES`.
    negative_slope : slope of leaky_relu for h < 0 (torch default 0.01).
    init : weight initializer, one of :data:`INIT_NAMES` (``torch.nn.init`` semantics).
    gain : multiplies the std of the initializer on top of its own definition (1 = definition).
    mode : ``fan_in`` or ``fan_out`` for the kaiming initializers.
    bias_init : ``zeros`` or ``normal`` (b ~ N(0, bias_std²)).
    bias_std : σ_b, the std of the biases (not the variance).
    input : ``normal`` (N(input_mean, input_std²)), ``uniform`` (mean input_mean, std input_std),
        ``digits`` (UCI optical digits, 64 features) or ``file`` (.npy / .csv at ``input_path``).
    standardize : for ``digits``/``file``: scale every feature to mean 0, std 1 using the
        statistics of the whole data set (constant features become 0).
    batch : number of input rows B.
    loss : source of ∂L/∂a_L: ``random`` (L = Σ G ⊙ a_L, G ~ N(0,1) fixed by the seed),
        ``mse`` to random N(0,1) targets, ``cross_entropy`` through a linear readout to class
        labels.
    seed : seeds every random draw; the same spec gives bit-for-bit the same result.
    dtype : ``float32`` or ``float64``.
    norm : normalization of every layer's pre-activation, z_l = Norm(h_l): ``none``, ``batch``
        (per unit over the batch, biased variance, eps 1e−5, γ = 1, β = 0: torch
        ``BatchNorm1d`` in training mode) or ``layer`` (per example over the units, eps 1e−5:
        ``F.layer_norm``). See ``engine.model.blocks``.
    residual : a_l = a_{l−1} + α·φ(z_l) where fan_in = fan_out (elsewhere a_l = φ(z_l)).
    residual_scale : α ≥ 0, the branch scale of residual blocks (0 = ReZero's identity start).
    """

    depth: int = 20
    width: int = 256
    widths: tuple[int, ...] | None = None
    in_features: int = 256
    activation: str = "tanh"
    negative_slope: float = 0.01
    init: str = "xavier_normal"
    gain: float = 1.0
    mode: str = "fan_in"
    bias_init: str = "zeros"
    bias_std: float = 0.0
    input: str = "normal"
    input_mean: float = 0.0
    input_std: float = 1.0
    input_path: str | None = None
    standardize: bool = True
    batch: int = 256
    loss: str = "random"
    seed: int = 0
    dtype: str = "float64"
    norm: str = "none"
    residual: bool = False
    residual_scale: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.widths is not None and not isinstance(self.widths, tuple):
            object.__setattr__(self, "widths", tuple(self.widths))
        validate(self)

    # --- derived -------------------------------------------------------------------------------
    def layer_widths(self, n_features: int | None = None) -> tuple[int, ...]:
        """(n_0, n_1, ..., n_L): input features then each layer's fan_out.

        ``n_features`` overrides n_0 (used when the data decide it: digits, file).
        """
        n0 = self.in_features if n_features is None else int(n_features)
        hidden = self.widths if self.widths is not None else (self.width,) * self.depth
        return (n0, *hidden)

    @property
    def sigma_b2(self) -> float:
        """σ_b², the variance of the biases: ``bias_std²`` for normal biases, else 0.

        The mean-field bias variance (Poole et al. 2016, eq. 3).
        """
        return self.bias_std * self.bias_std if self.bias_init == "normal" else 0.0

    @property
    def effective_negative_slope(self) -> float:
        """The negative slope a the activation really has (0 unless leaky_relu).

        ``negative_slope`` for leaky_relu, 0 for every other activation (relu included).

        This is the ``a`` of kaiming's gain √(2/(1 + a²)) (torch's ``nonlinearity='leaky_relu'``)
        and of the leaky-ReLU mean-field maps.
        """
        return float(self.negative_slope) if self.activation == "leaky_relu" else 0.0

    @property
    def zero_bias(self) -> bool:
        """Whether every bias is exactly zero (``zeros`` init, or normal with σ_b = 0)."""
        return self.bias_init == "zeros" or self.bias_std == 0.0

    def replace(self, **changes: Any) -> NetworkSpec:
        """A copy with ``changes`` applied and validated (raises :class:`SpecError`)."""
        if "widths" in changes and changes["widths"] is not None:
            changes["widths"] = tuple(changes["widths"])
        return dataclasses.replace(self, **changes)

    # --- serialization -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of every field (``widths`` as a list or None)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "extra"}
        if d["widths"] is not None:
            d["widths"] = list(d["widths"])
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NetworkSpec:
        """Build from a dict such as :meth:`to_dict` wrote; unknown keys raise :class:`SpecError`.

        Values are coerced from strings where unambiguous (so CLI ``--set key=value`` works).
        """
        if not isinstance(data, dict):
            raise SpecError(None, "settings must be a mapping of names to values")
        names = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        unknown = sorted(set(data) - names)
        if unknown:
            raise SpecError(unknown[0], f"unknown setting '{unknown[0]}' "
                                        f"(known: {', '.join(sorted(names))})")
        kwargs = {k: coerce(k, v) for k, v in data.items()}
        return cls(**kwargs)


_INT_FIELDS = {"depth", "width", "in_features", "batch", "seed"}
_FLOAT_FIELDS = {"negative_slope", "gain", "bias_std", "input_mean", "input_std",
                 "residual_scale"}
_CHOICES = {
    "activation": ACTIVATION_NAMES, "init": INIT_NAMES, "mode": MODE_NAMES,
    "bias_init": BIAS_INIT_NAMES, "input": INPUT_NAMES, "loss": LOSS_NAMES, "dtype": DTYPE_NAMES,
    "norm": NORM_NAMES,
}


def coerce(name: str, value: Any) -> Any:
    """Convert a user-typed value (often a string) for field ``name``; raise :class:`SpecError`.

    Parameters
    ----------
    name : str
        A spec field.
    value : Any
        What the user gave (``"3"``, ``3.0``, ``"yes"``, ``"512,256"``, ...).

    Returns
    -------
    Any
        The value in the field's type (unknown names pass through unchanged).

    Raises
    ------
    SpecError
        The value cannot be converted; the message names the setting and the value.
    """
    if name in _INT_FIELDS:
        return _coerce_int(name, value)
    if name in _FLOAT_FIELDS:
        return _coerce_float(name, value)
    if name == "widths":
        return parse_widths(value)
    if name in ("standardize", "residual"):
        return _coerce_bool(name, value)
    if name == "input_path":
        return None if value in (None, "") else str(value)
    if name in _CHOICES:
        return str(value).strip().lower()
    return value


def _coerce_int(name: str, value: Any) -> int:
    label = name.replace("_", " ")
    if isinstance(value, bool):
        raise SpecError(name, f"{label} must be a whole number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise SpecError(name, f"{label} must be a whole number, got {value!r}") from None


def _coerce_float(name: str, value: Any) -> float:
    label = name.replace("_", " ")
    if isinstance(value, bool):
        raise SpecError(name, f"{label} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SpecError(name, f"{label} must be a number, got {value!r}") from None


def _coerce_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off"):
        return False
    raise SpecError(name, f"{name} must be true or false, got {value!r}")


def parse_widths(value: Any) -> tuple[int, ...] | None:
    """Parse a widths list: ``"512, 256,128"``, ``[512, 256]`` or None/empty (= use width)."""
    if value is None:
        return None
    if isinstance(value, str):
        parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
        if not parts:
            return None
    else:
        parts = list(value)
    out = []
    for p in parts:
        if isinstance(p, bool):
            raise SpecError("widths",
                            f"widths must be whole numbers separated by commas, got {p!r}")
        try:
            w = int(str(p).strip()) if not isinstance(p, int) else p
        except ValueError:
            raise SpecError("widths", "widths must be whole numbers separated by commas, "
                                      f"got {str(p).strip()!r}") from None
        out.append(w)
    return tuple(out)


def _finite(spec: NetworkSpec, name: str) -> float:
    v = getattr(spec, name)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise SpecError(name, f"{name.replace('_', ' ')} must be a number, got {v!r}")
    if not math.isfinite(v):
        raise SpecError(name, f"{name.replace('_', ' ')} must be a finite number, got {v}")
    return float(v)


def _int_in(spec: NetworkSpec, name: str, lo: int, hi: int) -> None:
    v = getattr(spec, name)
    if isinstance(v, bool) or not isinstance(v, int):
        raise SpecError(name, f"{name.replace('_', ' ')} must be a whole number, got {v!r}")
    if not lo <= v <= hi:
        raise SpecError(name, f"{name.replace('_', ' ')} must be between {lo} and {hi}, got {v}")


def validate(spec: NetworkSpec) -> None:
    """Check every field; raise :class:`SpecError` naming the first bad one.

    Checks only what the spec itself says; whether a data file parses, or a run fits in memory,
    is checked when the run is prepared (see ``engine.data`` and ``engine.memory``).
    """
    _int_in(spec, "depth", 1, MAX_DEPTH)
    _int_in(spec, "width", 1, MAX_WIDTH)
    _int_in(spec, "in_features", 1, MAX_WIDTH)
    _int_in(spec, "batch", 1, MAX_BATCH)
    _int_in(spec, "seed", 0, 2**63 - 1)
    for name, allowed in _CHOICES.items():
        v = getattr(spec, name)
        if v not in allowed:
            raise SpecError(name, f"unknown {name.replace('_', ' ')} {v!r} "
                                  f"(choose from: {', '.join(allowed)})")
    _check_widths(spec)
    _check_gain(spec)
    slope = _finite(spec, "negative_slope")
    if not 0 <= slope < 1:
        raise SpecError("negative_slope", f"negative slope must be in [0, 1), got {slope}")
    if _finite(spec, "bias_std") < 0:
        raise SpecError("bias_std", f"bias std must be zero or positive, got {spec.bias_std}")
    _finite(spec, "input_mean")
    if _finite(spec, "input_std") < 0:
        raise SpecError("input_std", f"input std must be zero or positive, got {spec.input_std}")
    if spec.input == "file" and not spec.input_path:
        raise SpecError("input_path", "input 'file' needs a path to a .npy or .csv file")
    if not isinstance(spec.standardize, bool):
        raise SpecError("standardize",
                        f"standardize must be true or false, got {spec.standardize!r}")
    _check_blocks(spec)


def _check_widths(spec: NetworkSpec) -> None:
    if spec.widths is None:
        return
    if len(spec.widths) != spec.depth:
        raise SpecError("widths", f"widths lists {len(spec.widths)} layers but depth is "
                                  f"{spec.depth}; give one width per layer")
    for w in spec.widths:
        if isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= MAX_WIDTH:
            raise SpecError("widths", f"every width must be a whole number between 1 and "
                                      f"{MAX_WIDTH}, got {w!r}")


def _check_gain(spec: NetworkSpec) -> None:
    gain = _finite(spec, "gain")
    if gain <= 0:
        raise SpecError("gain", f"gain must be positive, got {gain}")
    if spec.init == "lsuv" and not LSUV_GAIN_MIN <= gain <= LSUV_GAIN_MAX:
        # LSUV rescales to Var(h) = gain², which must itself be a positive finite float64
        raise SpecError("gain", f"with init lsuv, gain must be between {LSUV_GAIN_MIN:g} and "
                                f"{LSUV_GAIN_MAX:g} (it sets Var(h) = gain²), got {gain:g}")


def _check_blocks(spec: NetworkSpec) -> None:
    if not isinstance(spec.residual, bool):
        raise SpecError("residual", f"residual must be true or false, got {spec.residual!r}")
    alpha = _finite(spec, "residual_scale")
    if alpha < 0:
        raise SpecError("residual_scale",
                        f"residual scale α must be zero or positive, got {alpha:g}")
    if spec.norm == "batch" and spec.batch < 2:
        raise SpecError("batch", "batch norm needs a batch of at least 2 rows (it normalizes "
                                 f"every unit over the batch), got {spec.batch}")
