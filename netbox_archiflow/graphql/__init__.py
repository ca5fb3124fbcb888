from .schema import schema  # noqa: F401
