"""Runs: one brief (the pipeline), a batch in worker processes, shards, the manifest."""
