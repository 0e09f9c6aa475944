"""Render: the document model as PDF bytes. Back ends live in subpackages (reportlab/)."""
