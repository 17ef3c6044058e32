"""Ways into genmedia: the command line, workers and generated pages."""
