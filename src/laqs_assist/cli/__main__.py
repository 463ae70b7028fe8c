"""`python -m laqs_assist.cli`: the `laqs` command."""

from . import entry

entry()
