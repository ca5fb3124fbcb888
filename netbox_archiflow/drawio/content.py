"""The content key: what makes two saves of a diagram the same drawing."""

__all__ = ('canonical', 'content_key', 'same_content')

# Attributes Draw.io rewrites on every save or scroll: they are not content.
VOLATILE = {'mxfile': {'modified', 'agent', 'etag', 'version', 'host', 'type', 'pages'}, 'mxGraphModel': {'dx', 'dy'}}


def canonical(element):
    """Attribute order and whitespace do not count as a change."""
    children = ''.join(canonical(child) for child in element)
    attrs = ' '.join(f'{k}={v!r}' for k, v in sorted(element.attrib.items()))
    return f'<{element.tag} {attrs}>{(element.text or "").strip()}{children}</{element.tag}>'


def content_key(parsed):
    """A canonical form of the drawing itself, for 'identical content' checks."""
    parts = []
    for page_id, name, model in parsed.pages:
        attrs = {k: v for k, v in model.attrib.items() if k not in VOLATILE['mxGraphModel']}
        parts.append(f'{page_id}|{name}|{sorted(attrs.items())}|' + ''.join(canonical(c) for c in model))
    return '\n'.join(parts)


def same_content(a, b):
    """True when two parsed diagrams are the same drawing, however Draw.io wrote them."""
    return content_key(a) == content_key(b)
