"""The committed contract is one a generated client can use: openapi-python-client, as an integrator would.

A client is generated from ``openapi/openapi.json`` with openapi-python-client, with no warning
(a warning means an operation or an answer the generator had to leave out), imported, and driven
against the app through its own httpx client: log in, record an exchange that posts at once, read
it back, download a member's statement as a PDF, the report as CSV and a chart as PNG and SVG. Each
answer comes back typed: a model for JSON, bytes for the rest. Generating takes a few seconds (the
generator formats its output with ruff), hence ``slow``.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine

from tests.api.conftest import PASSWORD, World, build_world

pytestmark = pytest.mark.slow

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
# The generator reads only JSON and text: the README says to give it these settings for the files.
CONFIG = SPEC.parent / "python-client.yaml"
PACKAGE = "timebank_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("client")
    generator = Path(sys.executable).parent / "openapi-python-client"
    done = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(SPEC),
            "--config",
            str(CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    built = build_world(engine)
    yield built
    built.client.close()


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_logs_in_records_and_downloads_every_representation(
    generated: ModuleType, world: World
) -> None:
    client_module = _module("client")
    anonymous = client_module.Client(base_url="http://testserver")
    anonymous.set_httpx_client(world.client)
    body_log_in = _module("models.body_log_in").BodyLogIn
    token = _module("api.auth.log_in").sync(
        client=anonymous, body=body_log_in(username=world.usernames["member"], password=PASSWORD)
    )
    assert token.access_token.startswith("tbt_")
    member = client_module.AuthenticatedClient(base_url="http://testserver", token=token.access_token)
    member.set_httpx_client(world.client)
    world.client.headers["Authorization"] = f"Bearer {token.access_token}"

    # The member received an hour's help from the other member: recorded by the payer, it posts now.
    models = _module("models")
    request = models.RecordExchange(
        giver_account_id=world.account_ids["other_member"],
        receivers=[models.ReceiverShareIn(account_id=world.account_ids["member"], minutes=60)],
        activity_date=date.today(),
        description="Help with the garden",
    )
    recorded = _module("api.exchanges.record_exchange").sync(
        world.timebank_id, client=member, body=request, idempotency_key=str(uuid.uuid4())
    )
    assert isinstance(recorded, models.ExchangeView), recorded
    assert str(recorded.status) == "confirmed"
    read = _module("api.exchanges.get_exchange").sync(world.timebank_id, recorded.id, client=member)
    assert read.id == recorded.id and read.receivers[0].minutes == 60

    pdf = _module("api.benefit_statements.get_benefit_statement_pdf").sync_detailed(
        world.timebank_id, world.account_ids["member"], client=member
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    # The report is for coordinators.
    world.client.headers.update(world.headers["coordinator"])
    coordinator = client_module.AuthenticatedClient(
        base_url="http://testserver", token=world.headers["coordinator"]["Authorization"].split()[1]
    )
    coordinator.set_httpx_client(world.client)
    csv = _module("api.reports.get_reciprocity_report_csv").sync_detailed(
        world.timebank_id, client=coordinator
    )
    assert csv.status_code == 200 and csv.content.decode().startswith("period,figure,value,rating")
    png = _module("api.reports.get_reciprocity_chart_png").sync_detailed(
        world.timebank_id, "monthly", client=coordinator
    )
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = _module("api.reports.get_reciprocity_chart_svg").sync_detailed(
        world.timebank_id, "monthly", client=coordinator
    )
    assert svg.status_code == 200 and b"<svg" in svg.content
