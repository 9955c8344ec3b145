"""Scenario and roster files: reading them into the core's typed model, with errors a trainer can act on."""
