"""Untrusted input, checked once where it enters: JSON documents (REST bodies, JSON-RPC) and ids from URLs or text.

Python's ``json`` accepts what PostgreSQL and the rest of the stack cannot store or echo: NUL characters and
lone surrogates in strings (a ``DataError`` in PostgreSQL, a ``UnicodeEncodeError`` when rendered), ``NaN``
and ``Infinity`` (not JSON, refused by jsonb), integers of thousands of digits (``ValueError`` past Python's
4300-digit limit) and nesting deep enough for a ``RecursionError``. :func:`loads` refuses all of them with an
:class:`InputError` that names the offending member (``metadata.name``, ``params.arguments.ip``...).
"""

import json
import re

__all__ = ('MAX_DEPTH', 'MAX_ID', 'InputError', 'check_text', 'find_bad_text', 'loads', 'parse_id')

MAX_DEPTH = 64
MAX_NUMBER_DIGITS = 100
# Primary keys are PostgreSQL bigints.
MAX_ID = 2**63 - 1

BAD_TEXT_PROBLEM = 'text must not contain NUL characters or lone surrogates'
_BAD_TEXT = re.compile('[\x00\ud800-\udfff]')
_ID = re.compile(r'\s*\+?([0-9]{1,19})\s*', re.ASCII)


class InputError(ValueError):
    """Input refused before it reaches the database; ``field`` is the dotted path of the member at fault."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def parse_id(value):
    """The positive integer id in ``value`` (an int, or a string of ASCII digits), else None.

    ``str.isdigit()`` accepts characters such as "²" that ``int()`` refuses, and ``int()`` accepts numbers
    that no primary key can hold: ids from URLs, query strings and JSON go through here.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        match = _ID.fullmatch(value)
        if match is None:
            return None
        number = int(match.group(1))
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def find_bad_text(value, path=''):
    """The dotted path of the first string (or key) in ``value`` holding a NUL or a lone surrogate, else None."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if _BAD_TEXT.search(item):
                return where
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f'{where}.{key}' if where else str(key)
                if isinstance(key, str) and _BAD_TEXT.search(key):
                    return where  # never the key itself: it cannot be echoed
                stack.append((child, child_path))
        elif isinstance(item, list | tuple):
            stack.extend((child, f'{where}.{index}' if where else str(index)) for index, child in enumerate(item))
    return None


def check_text(value, path=''):
    """Raise InputError when a string in ``value`` holds a NUL character or a lone surrogate."""
    where = find_bad_text(value, path)
    if where is not None:
        raise InputError(f'{where or "The input"}: {BAD_TEXT_PROBLEM}', field=where or None)


def _refuse_constant(name):
    raise InputError(f'{name} is not a JSON number')


def _parse_int(text):
    if len(text.lstrip('-')) > MAX_NUMBER_DIGITS:
        raise InputError(f'Numbers are limited to {MAX_NUMBER_DIGITS} digits')
    return int(text)


def _parse_float(text):
    number = float(text)
    if number in (float('inf'), float('-inf')):
        raise InputError(f'{text[:20]} is out of range')
    return number


def _check_depth(document):
    stack = [(document, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise InputError(f'The document is nested more than {MAX_DEPTH} levels deep')
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))


def loads(text, *, max_bytes=None, check_strings=True):
    """Parse a JSON document (``str`` or UTF-8 ``bytes``), refusing what the stack cannot store or echo.

    ``check_strings=False`` leaves NUL characters and lone surrogates for the caller to refuse per member
    (the JSON-RPC endpoint answers them per request of a batch).
    """
    if max_bytes is not None and len(text) > max_bytes:
        raise InputError(f'The document is {len(text)} bytes; the limit is {max_bytes}')
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise InputError(f'The document is not UTF-8: {exc}') from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float)
    except RecursionError:
        raise InputError(f'The document is nested more than {MAX_DEPTH} levels deep') from None
    except json.JSONDecodeError as exc:
        raise InputError(f'Invalid JSON: {exc}') from None
    _check_depth(document)
    if check_strings:
        check_text(document)
    return document
