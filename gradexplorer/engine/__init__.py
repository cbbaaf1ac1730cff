"""Pure-NumPy engine: specs, activations, initializers, data, propagation, statistics, theory.

Never imports Qt (``tests/test_engine_no_qt.py`` enforces it).
"""
