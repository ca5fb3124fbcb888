"""Pure Draw.io helpers: no Django models, no database."""
