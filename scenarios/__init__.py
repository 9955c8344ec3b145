"""The scenarios shipped with Liaison: one folder each (data only, no code).

This file makes the folder a package so that the wheel carries it and the server finds it
through `importlib.resources` wherever Liaison is installed (`server.scenario.shipped`).
"""
