from django.utils.translation import gettext_lazy as _

from utilities.choices import ChoiceSet


class SegmentStatusChoices(ChoiceSet):
    STATUS_FREE = 'free'
    STATUS_ALLOCATED = 'allocated'

    CHOICES = [
        (STATUS_FREE, _('Free'), 'green'),
        (STATUS_ALLOCATED, _('Allocated'), 'blue'),
    ]
