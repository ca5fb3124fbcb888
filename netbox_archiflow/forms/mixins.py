from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ('CreateOnlyImportMixin',)


class CreateOnlyImportMixin(forms.Form):
    """An import form that only creates: existing objects are changed by their own actions, not by re-importing."""

    id = None

    def clean(self):
        if self.instance.pk:
            raise forms.ValidationError(
                _('This import only creates {objects}; it cannot change an existing one.').format(
                    objects=self._meta.model._meta.verbose_name_plural
                )
            )
        return super().clean()
