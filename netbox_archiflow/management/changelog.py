"""Run management-command writes inside NetBox's change logging, attributed to a user."""

import uuid
from contextlib import contextmanager

from django.core.management.base import CommandError
from netbox.context_managers import event_tracking
from users.models import User
from utilities.request import NetBoxFakeRequest


def command_user(username=None):
    """The user a command acts as: the named one, else the first superuser."""
    users = User.objects.filter(is_active=True)
    user = (
        users.filter(username=username).first() if username else users.filter(is_superuser=True).order_by('pk').first()
    )
    if user is None:
        raise CommandError(
            f"User '{username}' does not exist." if username else 'No active superuser exists; pass --user.'
        )
    return user


@contextmanager
def change_logged(user):
    """Record every save/delete in the block as an ObjectChange by `user`, as a web request would."""
    request = NetBoxFakeRequest(
        {
            'META': {},
            'COOKIES': {},
            'POST': {},
            'GET': {},
            'FILES': {},
            'user': user,
            'method': 'POST',
            'path': '',
            'id': uuid.uuid4(),
        }
    )
    with event_tracking(request):
        yield
