"""Delivery: mail settings and messages, the postman, the SMTP transport, the mail stage, the journal."""
