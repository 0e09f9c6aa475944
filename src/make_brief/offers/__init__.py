"""Offers: the offer file read, validated and resolved; batch inputs; the sample offer."""
