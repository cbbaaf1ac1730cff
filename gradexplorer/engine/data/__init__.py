"""What goes into the network: input batches (synthetic, the bundled digits, a file) and tasks."""
