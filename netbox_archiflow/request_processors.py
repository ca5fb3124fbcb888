"""What the plugin wraps around every request and job NetBox processes (NetBox's ``register_request_processor``,
as its own event tracking)."""

from contextlib import contextmanager

from netbox.utils import register_request_processor

from netbox_archiflow.services import alerts


@register_request_processor
@contextmanager
def alert_checks_after_request(request):
    """The alert checks of saved addresses and pools run once the request has been processed: after NetBox's own
    allocation endpoints released the lock they hold for the whole instance."""
    with alerts.batches_held():
        yield
