"""Qt-free reading and writing shared by the CLI and the GUI.

One concept per module: :mod:`numbers` (strict-JSON numbers), :mod:`atomic` (files replaced
only when complete), :mod:`documents` (the run document of ``gradexplorer run``),
:mod:`training` (training records as CSV/JSON), :mod:`sessions` (session files). Nothing is
re-exported here, so the engine may import :mod:`gradexplorer.io.numbers` without a cycle.
"""
