"""Files: safe YAML, the one atomic writer, safe file names, the clock, the bundled resources."""
