"""Business operations shared by the UI, REST, GraphQL and JSON-RPC layers. No request objects here."""
