"""The phase-diagram tab: the (σ_w², σ_b²) plane of the current activation and depth."""
