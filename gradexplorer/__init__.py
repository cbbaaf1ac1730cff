"""gradexplorer: see the vanishing and exploding gradient problem in deep fully connected nets."""

__version__ = "0.1.0"
