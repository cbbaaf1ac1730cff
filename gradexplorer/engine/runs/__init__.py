"""Running a network and measuring it: propagation, records, statistics, results, verdicts,
the input–output Jacobian and parameter sweeps."""
