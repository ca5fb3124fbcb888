"""ArchiFlow's JSON-RPC 2.0 tool API (``/api/plugins/archiflow/rpc/``). See ``registry`` for adding tools."""
