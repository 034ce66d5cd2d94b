"""The path one request takes: which of timebank's files recording one exchange over HTTP runs,
and how often the call path crosses from one layer to another.

    python bench/record_path.py

Run from a checkout with its venv active (``PYTHONPATH=<checkout>`` and that checkout as the working
folder to measure another version). Layers are the top folders under ``timebank/``, the use-case
concepts (and the old ``services/``) counted as one layer; the shared modules at the top
(``clock``, ``fields``, ``views``, ``errors``) are no layer. The figure is the number of times the
layer entered changes, from the route's first call to its answer. Only the traced request counts:
one exchange is recorded first, so that imports and first-use work are done.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType
from typing import Any

PASSWORD = "correct horse battery staple"
USE_CASES = {"services", "exchanges", "people", "accounts", "involvement", "spending", "reporting"}


def _prepare_database() -> None:
    folder = tempfile.mkdtemp()
    os.environ["TIMEBANK_DATABASE_URL"] = f"sqlite:///{folder}/timebank.sqlite3"
    # Quick password hashing: logins are not what is measured.
    os.environ["TIMEBANK_PASSWORD_HASH_MEMORY_KIB"] = "1024"
    os.environ["TIMEBANK_PASSWORD_HASH_TIME_COST"] = "1"
    os.environ["TIMEBANK_PASSWORD_HASH_PARALLELISM"] = "1"
    cli = [sys.executable, "-c", "from timebank.cli import app; app()"]
    subprocess.run([*cli, "migrate"], check=True, capture_output=True)
    admin = [*cli, "admin", "create", "root"]
    subprocess.run(admin, input=f"{PASSWORD}\n", text=True, check=True, capture_output=True)


def main() -> None:
    _prepare_database()
    from fastapi.testclient import TestClient

    from timebank.api.app import create_app

    client = TestClient(create_app())

    def bearer(username: str) -> dict[str, str]:
        answer = client.post("/v1/auth/token", data={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    admin = bearer("root")
    tb = client.post("/v1/timebanks", json={"name": "Riverside"}, headers=admin).json()["id"]
    accounts = {}
    for username in ("ann", "bob"):
        member = {"display_name": username.title(), "username": username, "password": PASSWORD}
        answer = client.post(f"/v1/timebanks/{tb}/members", json=member, headers=admin)
        answer.raise_for_status()
        accounts[username] = answer.json()["account_id"]
    ann = bearer("ann")
    body = {
        "giver_account_id": accounts["ann"],
        "receivers": [{"account_id": accounts["bob"], "minutes": 60}],
        "activity_date": "2026-12-01",
        "description": "Gardening",
    }
    url = f"/v1/timebanks/{tb}/exchanges"
    client.post(url, json=body, headers={**ann, "Idempotency-Key": "first"}).raise_for_status()

    root = str(Path.cwd() / "timebank") + "/"
    files: set[str] = set()
    layers: list[str] = []

    def tracer(frame: FrameType, event: str, arg: Any) -> None:
        name = frame.f_code.co_filename
        if event != "call" or not name.startswith(root):
            return
        relative = name[len(root) :]
        files.add(relative)
        if "/" not in relative:
            return  # a shared module: no layer
        layer = relative.split("/")[0]
        layer = "use cases" if layer in USE_CASES else layer
        if not layers or layers[-1] != layer:
            layers.append(layer)

    sys.settrace(tracer)
    threading.settrace(tracer)
    second = {**body, "description": "Shopping"}
    answer = client.post(url, json=second, headers={**ann, "Idempotency-Key": "second"})
    sys.settrace(None)
    threading.settrace(None)
    answer.raise_for_status()

    print(f"files run: {len(files)}")
    for relative in sorted(files):
        print(f"  {relative}")
    print(f"layer crossings: {len(layers) - 1}")
    print("path: " + " > ".join(layers))


if __name__ == "__main__":
    main()
