"""Tool modules of the JSON-RPC endpoint, one per concern. Importing one registers its tools.

Add a concern by creating ``rpc/tools/<concern>.py`` (see ``netbox_archiflow.rpc.registry`` for the
contract) and importing it here.
"""

from . import devices, diagrams, pools, segments  # noqa: F401
