"""Training mode: the trainer loop, exact backpropagation through the readout, optimizers."""
