"""Compose: the document model, pure, from the figures and the wording templates; the counter e-mail draft."""
