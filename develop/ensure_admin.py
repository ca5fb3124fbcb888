"""Create the dev superuser and its API token when missing; print how to log in.

Run by develop/run through `netbox shell`. The token's secret part is kept in
$NETBOX_ROOT/admin-token so every run can print the same working header.
"""

import os
from pathlib import Path

from users.models import Token, User

username = os.environ.get('ARCHIFLOW_ADMIN_USER', 'admin')
password = os.environ.get('ARCHIFLOW_ADMIN_PASSWORD', 'admin')
token_file = Path(os.environ['NETBOX_ROOT']) / 'admin-token'

user = User.objects.filter(username=username).first()
if user is None:
    user = User.objects.create_superuser(username=username, email=f'{username}@example.com', password=password)

token = None
if token_file.exists():
    key, plaintext = token_file.read_text().split()
    token = Token.objects.filter(user=user, key=key).first()
if token is None:
    token = Token(user=user, description='develop/run', write_enabled=True)
    token.save()
    key, plaintext = token.key, token.token
    token_file.write_text(f'{key} {plaintext}\n')
    token_file.chmod(0o600)

print(f'Login:     {username} / {password}')
print(f'API token: Authorization: Bearer nbt_{key}.{plaintext}')
