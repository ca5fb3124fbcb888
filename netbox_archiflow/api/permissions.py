"""Token permissions for custom POST actions that change an existing object rather than add one."""

from netbox.api.authentication import TokenPermissions


class TokenChangePermission(TokenPermissions):
    """POST requires the model's ``change`` permission (release, acknowledge, resolve, restore)."""

    perms_map = {**TokenPermissions.perms_map, 'POST': ['%(app_label)s.change_%(model_name)s']}
