"""`liaison loadtest`: simulate a cohort against a Liaison server and report what it measured."""
