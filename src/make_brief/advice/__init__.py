"""Advice: the figures, pure (no I/O): positions, asks, leverage, money over time,
the fact gate, call prep.
"""
