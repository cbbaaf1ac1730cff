"""What the network is: the spec, activations, initializers, layers, LSUV and the loss heads."""
