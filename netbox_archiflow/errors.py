"""The error every layer raises and every API reports as ``{"code", "detail", "field", ...}``.

It sits below all layers (the pure ``drawio`` package raises it too), so one ``except ServiceError``
catches a refusal wherever it started.
"""


class ServiceError(Exception):
    """A refused operation: a machine-readable ``code``, a human ``detail`` and an HTTP status.

    ``field`` names the input at fault (it becomes part of the response), ``extra`` adds
    structured facts such as ``available`` / ``requested``.
    """

    status = 400
    code = 'invalid'

    def __init__(self, detail, *, code=None, field=None, status=None, **extra):
        super().__init__(detail)
        self.detail = str(detail)
        self.code = code or self.code
        self.field = field
        self.status = status or self.status
        self.extra = extra

    def as_dict(self):
        data = {'code': self.code, 'detail': self.detail}
        if self.field:
            data['field'] = self.field
        data.update(self.extra)
        return data
