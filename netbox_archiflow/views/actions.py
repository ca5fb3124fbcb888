"""What every button of the plugin shares: which buttons a page shows, and the view a button posts to."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import View
from utilities.permissions import resolve_permission
from utilities.views import ConditionalLoginRequiredMixin, GetReturnURLMixin

from netbox_archiflow.object_actions import is_permitted
from netbox_archiflow.services.errors import ServiceError

__all__ = ('ActionPermissionsMixin', 'ObjectActionView')


class ActionPermissionsMixin:
    """For views listing plugin buttons: their permissions may name another model or an object's constraints."""

    def get_permitted_actions(self, user, model=None):
        model = model or self.queryset.model
        return [action for action in self.actions if is_permitted(action, user, model)]


class ObjectActionView(GetReturnURLMixin, ConditionalLoginRequiredMixin, View):
    """The view a button leads to: the object among those ``permission`` allows, a service call, a redirect.

    ``permission`` (``app_label.action_model``) restricts the queryset by its action (or by ``restrict_to``, e.g.
    ``view`` of the pool an allocation is made from). A user without it at all gets 403 (``forbid = True``) or,
    as for an object they cannot see, 404. ``perform()`` calls the service and says what it did; a refusal
    (``ServiceError``) becomes a message at ``refusal_level``. Subclasses add ``get()`` for a form or confirmation.
    """

    queryset = None
    permission = None
    restrict_to = None
    forbid = True
    refusal_level = messages.ERROR

    def dispatch(self, request, *args, **kwargs):
        if self.forbid and not request.user.has_perm(self.permission):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk):
        action = self.restrict_to or resolve_permission(self.permission)[1]
        return get_object_or_404(self.queryset.restrict(self.request.user, action), pk=pk)

    def perform(self, request, obj, **kwargs):
        raise NotImplementedError

    def get_success_url(self, request, obj, **kwargs):
        return self.get_return_url(request, obj)

    def post(self, request, pk, **kwargs):
        obj = self.get_object(pk)
        try:
            self.perform(request, obj, **kwargs)
        except ServiceError as exc:
            messages.add_message(request, self.refusal_level, exc.detail)
        return redirect(self.get_success_url(request, obj, **kwargs))
