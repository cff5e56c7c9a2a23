"""One module per `contracts` sub-command: `add_arguments(parser)` and `execute(args) -> int`."""
