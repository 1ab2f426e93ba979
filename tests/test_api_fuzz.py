"""The JSON API fuzzed from its own OpenAPI description (schemathesis): a bounded number of generated
requests per route, against the real server on 127.0.0.1 over the simulated store, with no server
error, and every status code, content type and body as the document announces them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from belvedere.web.app import create_app, openapi_document
from tests.conftest import serving
from tests.test_web_api import TOKEN

EXAMPLES = 25  # per route: enough to reach the error paths, bounded for `make test`


@pytest.fixture(scope="module")
def live_server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("fuzz") / "demo.duckdb"
    shutil.copy(demo_db, path)
    with serving(create_app(path, TOKEN)) as url:
        yield url


schema = schemathesis.openapi.from_dict(openapi_document())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_answers_as_its_description_says(case: schemathesis.Case, live_server: str) -> None:
    # half the writes carry the token, so that both the refusal and the validation paths are reached
    headers = {"Authorization": f"Bearer {TOKEN}"} if case.method != "GET" and hash(repr(case.body)) % 2 else {}
    # the API also checks meaning beyond the schema (an end before the start, an unknown metric):
    # a 422 to a schema-valid request is right there, so that heuristic check is left out
    case.call_and_validate(base_url=live_server, headers=headers, excluded_checks=[positive_data_acceptance])


def _pages_document() -> dict:
    """The HTML pages are left out of the API's description; described here only to fuzz them."""
    from fastapi import FastAPI

    from belvedere.web.pages import pages

    app = FastAPI()
    for route in pages.routes:
        app.add_api_route(
            route.path, route.endpoint, methods=list(route.methods), include_in_schema=True, response_model=None
        )
    return app.openapi()


page_schema = schemathesis.openapi.from_dict(_pages_document())


@page_schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_pages_never_answer_a_server_error(case: schemathesis.Case, live_server: str) -> None:
    case.call_and_validate(base_url=live_server, checks=[not_a_server_error])
