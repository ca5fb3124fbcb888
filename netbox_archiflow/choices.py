"""Choice sets shared by models, forms, filters and APIs."""

from django.utils.translation import gettext_lazy as _

from utilities.choices import ChoiceSet


class DiagramStatusChoices(ChoiceSet):
    key = 'Diagram.status'

    STATUS_DRAFT = 'draft'
    STATUS_LIVE = 'live'
    STATUS_ARCHIVED = 'archived'

    CHOICES = [
        (STATUS_DRAFT, _('Draft'), 'cyan'),
        (STATUS_LIVE, _('Live'), 'green'),
        (STATUS_ARCHIVED, _('Archived'), 'gray'),
    ]


class DiagramVersionKindChoices(ChoiceSet):
    KIND_MANUAL = 'manual'
    KIND_AUTOSAVE = 'autosave'
    KIND_RESTORE = 'restore'

    CHOICES = [
        (KIND_MANUAL, _('Manual'), 'blue'),
        (KIND_AUTOSAVE, _('Autosave'), 'gray'),
        (KIND_RESTORE, _('Restore'), 'orange'),
    ]
