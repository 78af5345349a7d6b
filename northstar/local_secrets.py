"""Demo and development secrets, generated once into the ignored ``var/`` folder.

Production takes every secret from the environment instead (see settings.py);
nothing here is ever committed.
"""

import base64
import json
import os
import secrets
from pathlib import Path


def _new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def load_or_create(var_dir: Path) -> dict:
    """Return the local secrets file, creating it (mode 0600) on first use."""
    path = var_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    var_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "secret_key": secrets.token_urlsafe(50),
        "field_keys": [{"id": "k1", "key": _new_key()}],
        "blind_index_key": _new_key(),
    }
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    tmp.replace(path)
    return data


def save(var_dir: Path, data: dict) -> None:
    path = var_dir / "secrets.json"
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)
    tmp.replace(path)
