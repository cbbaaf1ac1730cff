"""The machine's resources: how much memory a run needs and how many BLAS threads it gets."""
