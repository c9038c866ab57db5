"""Intake reads the unit by its code from the process's cache of the unit tree: changes to the tree
count from the next request, and the scope check still applies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaintdesk.common.configcache import config_cache_clear
from complaintdesk.orgs.selectors import orgunit_active_by_code
from complaintdesk.orgs.services import orgunit_create


@pytest.fixture(autouse=True)
def _fresh_cache():
    config_cache_clear()
    yield
    config_cache_clear()


def test_a_cached_unit_costs_only_the_token_query(org):
    assert orgunit_active_by_code("SH-A") == org.store_a
    with CaptureQueriesContext(connection) as queries:
        assert orgunit_active_by_code("SH-A") == org.store_a
    assert [q["sql"] for q in queries.captured_queries if "orgs_orgunit" in q["sql"]] == []


def test_deactivated_and_new_units_count_from_the_next_request(org, api_for, make_payload):
    api = api_for(org.manager)  # the branch: stores A and B and any new store below it
    assert api.post("/complaints", make_payload(org_unit="SH-A")).status_code == 201

    org.store_a.is_active = False
    org.store_a.save(update_fields=["is_active"])
    refused = api.post("/complaints", make_payload(org_unit="SH-A"))
    assert refused.status_code == 422 and "org_unit" in refused.json()["errors"]

    org.store_a.is_active = True
    org.store_a.save(update_fields=["is_active"])
    assert api.post("/complaints", make_payload(org_unit="SH-A")).status_code == 201

    assert api.post("/complaints", make_payload(org_unit="SH-C")).status_code == 422  # not there yet
    orgunit_create(code="SH-C", name="静安门店", kind="store", parent=org.branch)
    assert api.post("/complaints", make_payload(org_unit="SH-C")).status_code == 201


def test_a_unit_outside_the_callers_scope_is_unknown_to_them(org, api_for, make_payload):
    api = api_for(org.api_a)  # store A's integration
    assert orgunit_active_by_code("SH-B") is not None  # cached, but not theirs
    refused = api.post("/complaints", make_payload(org_unit="SH-B"))
    assert refused.status_code == 422 and "org_unit" in refused.json()["errors"]
