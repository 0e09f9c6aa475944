"""`python -m make_brief` is the `make-brief` command."""

from .cli import main

main(prog_name="make-brief")
