"""`python -m apivigil` runs the command line."""

from apivigil.cli import main

main()
