"""Demo data for the dev instance: each loader creates what is missing and returns how many objects it created."""

from . import core, diagrams, pools, segments

LOADERS = [core.load, segments.load, pools.load, diagrams.load]
