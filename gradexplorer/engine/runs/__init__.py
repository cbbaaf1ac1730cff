"""Running a network and measuring it.

Propagation, records, statistics, results, verdicts, the input–output Jacobian and sweeps.
"""
