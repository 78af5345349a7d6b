import base64
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_deploy_checks_pass_with_production_variables(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "NORTHSTAR_ENV": "production",
        "DJANGO_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "NORTHSTAR_FIELD_KEYS": f"k1:{_key()}",
        "NORTHSTAR_BLIND_INDEX_KEY": _key(),
        "ALLOWED_HOSTS": "northstar.example.org",
        "NORTHSTAR_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "secrets.json").exists(), "production must not generate secrets"


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "NORTHSTAR_ENV": "production",
           "NORTHSTAR_VAR_DIR": str(tmp_path), "ALLOWED_HOSTS": "x.example.org"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "NORTHSTAR_FIELD_KEYS" in result.stderr
