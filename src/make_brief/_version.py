"""make-brief's version: its own module, so that a stage can read it without importing the
package root (whose public names come from every stage)."""

__version__ = "0.1.0"
