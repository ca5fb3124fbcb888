"""Demo data for the dev instance: each loader creates what is missing and returns how many objects it created."""

from . import core, diagrams

LOADERS = [core.load, diagrams.load]
