"""The tool registry of the JSON-RPC endpoint.

Contract for a tool module (``rpc/tools/<concern>.py``, listed in ``rpc/tools/__init__.py``)::

    from netbox_archiflow.rpc.registry import tool

    @tool(
        'get-things',                       # the tool name clients call (kebab-case, like the predecessor)
        'One sentence for tools/list.',     # description
        {                                   # JSON Schema (draft 2020-12) of the arguments object
            'type': 'object',
            'properties': {'poolId': {'type': 'integer', 'description': '...'}},
            'required': ['poolId'],
            'additionalProperties': False,
        },
        output_schema={                     # JSON Schema of the returned dict (MCP outputSchema)
            'type': 'object',
            'properties': {'things': {'type': 'array', 'items': {'type': 'object'}}},
            'required': ['things'],
        },
        title='Get things',                 # human-readable name (MCP annotations.title)
        write=False,                        # True: refuse tokens without write_enabled
        destructive=False,                  # write tools: may it overwrite or delete? (destructiveHint)
        idempotent=False,                   # write tools: does repeating the call change nothing more?
    )
    def get_things(user, arguments):
        ...
        return {'things': [...]}            # becomes structuredContent (and the text content)

- The result must match ``output_schema``: MCP clients (the official SDK) validate ``structuredContent``
  against the ``outputSchema`` that ``tools/list`` announces, and reject a mismatch.

- ``user`` is the authenticated NetBox user (possibly ``AnonymousUser``); ``arguments`` has been
  validated against the schema (types, required, enums...): a mismatch never reaches the tool, it
  is answered with JSON-RPC error -32602 naming the argument.
- Argument names are camelCase, as ArchiFlow's clients send them.
- Restrict every queryset with ``.restrict(user, action)`` and check ``user.has_perm`` before
  writing; call the service layer (``netbox_archiflow.services``), never duplicate its rules.
- Refuse by raising ``netbox_archiflow.services.errors.ServiceError`` (or a subclass): the client
  gets ``isError: true`` with the same ``code`` / ``detail`` (and ``field``) as the REST API.
- Return a JSON-serialisable dict. Anything else raised is logged and answered with -32603.
"""

from dataclasses import dataclass, field

from jsonschema import Draft202012Validator

__all__ = ('Tool', 'ToolArgumentError', 'all_tools', 'get_tool', 'tool')

_TOOLS = {}


class ToolArgumentError(Exception):
    """Arguments do not match the tool's input schema (JSON-RPC -32602)."""

    def __init__(self, message, argument=None):
        super().__init__(message)
        self.argument = argument


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_schema: dict
    func: object
    output_schema: dict = field(default_factory=dict)
    title: str = ''
    write: bool = False
    destructive: bool = False
    idempotent: bool = False
    validator: object = field(default=None, compare=False, repr=False)

    @property
    def annotations(self):
        """MCP tool annotations: agents read them to tell the tools that write from those that only read."""
        annotations = {'title': self.title, 'readOnlyHint': not self.write}
        if self.write:
            annotations['destructiveHint'] = self.destructive
            annotations['idempotentHint'] = self.idempotent
        else:
            annotations['idempotentHint'] = True
        return annotations

    def as_dict(self):
        return {
            'name': self.name,
            'title': self.title,
            'description': self.description,
            'inputSchema': self.input_schema,
            'outputSchema': self.output_schema,
            'annotations': self.annotations,
        }

    def validate(self, arguments):
        """Return the arguments or raise ToolArgumentError naming the first bad argument."""
        if arguments is None:
            arguments = {}
        if not isinstance(arguments, dict):
            raise ToolArgumentError('arguments must be an object')
        errors = sorted(self.validator.iter_errors(arguments), key=lambda e: (list(e.path), e.validator))
        if not errors:
            return arguments
        error = errors[0]
        if error.validator == 'required':
            missing = next((name for name in error.validator_value if name not in error.instance), None)
            path = [*error.path, missing] if missing else list(error.path)
            return self._fail(path, 'is required')
        if error.validator == 'additionalProperties':
            extra = sorted(set(error.instance) - set(error.schema.get('properties', {})))
            return self._fail([*error.path, *extra[:1]], 'is not an argument of this tool')
        return self._fail(list(error.path), error.message)

    def _fail(self, path, message):
        argument = '.'.join(str(part) for part in path) or None
        if argument:
            raise ToolArgumentError(f'Invalid argument {argument!r}: {message}', argument=argument)
        raise ToolArgumentError(f'Invalid arguments: {message}')


def tool(name, description, input_schema, *, output_schema, title, write=False, destructive=False, idempotent=False):
    """Register ``fn(user, arguments) -> dict`` as the tool ``name``."""
    Draft202012Validator.check_schema(input_schema)
    Draft202012Validator.check_schema(output_schema)
    if output_schema.get('type') != 'object':
        raise ValueError(f'The output schema of JSON-RPC tool {name!r} must describe an object')

    def register(func):
        if name in _TOOLS and _TOOLS[name].func is not func:
            raise ValueError(f'JSON-RPC tool {name!r} is registered twice')
        _TOOLS[name] = Tool(
            name,
            description,
            input_schema,
            func,
            output_schema=output_schema,
            title=title,
            write=write,
            destructive=destructive,
            idempotent=idempotent,
            validator=Draft202012Validator(input_schema),
        )
        return func

    return register


def _load():
    from . import tools  # noqa: F401  (importing the modules registers their tools)


def get_tool(name):
    _load()
    return _TOOLS.get(name)


def all_tools():
    _load()
    return sorted(_TOOLS.values(), key=lambda t: t.name)


# Building blocks of output schemas.
INTEGER = {'type': 'integer'}
NUMBER = {'type': 'number'}
STRING = {'type': 'string'}
BOOLEAN = {'type': 'boolean'}
NULLABLE_INTEGER = {'type': ['integer', 'null']}
NULLABLE_STRING = {'type': ['string', 'null']}
TIMESTAMP = {'type': ['string', 'null'], 'format': 'date-time'}


def object_schema(properties, optional=()):
    """A JSON Schema object whose ``properties`` are all required but the ``optional`` ones."""
    return {'type': 'object', 'properties': properties, 'required': [key for key in properties if key not in optional]}


def array_of(item_schema):
    return {'type': 'array', 'items': item_schema}
