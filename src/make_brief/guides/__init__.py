"""Guides: the schema, the rules a schema cannot say, what a guide's words rest on,
the catalogue, the markdown importer.
"""
