"""PDF bytes: repacking, appendices and locking; the only place that imports pypdf.
Passwords of locked briefs.
"""
