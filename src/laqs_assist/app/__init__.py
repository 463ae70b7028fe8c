"""What every front end (the CLI, line mode, the Textual app) shares: which store and pack a command works on,
and the slash-command language typed in line mode and in the app's answer box."""
