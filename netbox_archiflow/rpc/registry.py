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
        write=False,                        # True: refuse tokens without write_enabled
    )
    def get_things(user, arguments):
        ...
        return {'things': [...]}            # becomes structuredContent (and the text content)

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
    write: bool = False
    validator: object = field(default=None, compare=False, repr=False)

    def as_dict(self):
        return {'name': self.name, 'description': self.description, 'inputSchema': self.input_schema}

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


def tool(name, description, input_schema, *, write=False):
    """Register ``fn(user, arguments) -> dict`` as the tool ``name``."""
    Draft202012Validator.check_schema(input_schema)

    def register(func):
        if name in _TOOLS and _TOOLS[name].func is not func:
            raise ValueError(f'JSON-RPC tool {name!r} is registered twice')
        _TOOLS[name] = Tool(name, description, input_schema, func, write, Draft202012Validator(input_schema))
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
