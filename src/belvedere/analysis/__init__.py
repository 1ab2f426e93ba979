"""Pure functions on DataFrames: data in, data out, no I/O."""
