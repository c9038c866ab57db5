"""A web process loads the application without scikit-learn or SciPy: they cost each gunicorn worker about
2 s and 100 MB at boot, and only the task worker (training, enrichment) and a page applying a trained model
use them (complaintdesk/intelligence/classifier.py says why they are imported where they are used).

The application is loaded in a fresh interpreter, as gunicorn's worker does (`config.wsgi`, then the URL
conf with the API and the admin), so that what this test process has imported does not count."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOAD_THE_WEB_APPLICATION = r"""
import json, sys, traceback

HEAVY = ("sklearn", "scipy")
chains = {}


class WhoImports:
    # Notes the project's frames on the stack when a heavy package is first imported.
    def find_spec(self, name, path=None, target=None):
        if name in HEAVY and name not in chains:
            chains[name] = [
                f"{frame.filename.rpartition('/complaintdesk/')[2] or frame.filename}:{frame.lineno} {frame.line}"
                for frame in traceback.extract_stack()
                if "/complaintdesk/" in frame.filename or "/config/" in frame.filename
            ]
        return None


sys.meta_path.insert(0, WhoImports())
import config.wsgi  # Django set up: every app's ready(), the tasks modules, the admin's autodiscovery
from django.urls import resolve

resolve("/")  # the URL conf: the pages, the API, the admin
resolve("/admin/")
print(json.dumps({
    "heavy": {name: chains.get(name, []) for name in HEAVY if name in sys.modules},
    "loaded": sorted(m for m in sys.modules if m.startswith("complaintdesk.")),
}))
"""


def test_loading_the_web_application_imports_neither_scikit_learn_nor_scipy(tmp_path):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",  # as config.wsgi runs in production
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite3'}",
        "COMPLAINTDESK_VAR_DIR": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-c", LOAD_THE_WEB_APPLICATION],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    # The application was loaded whole: the apps that use the classifier, their admins and pages.
    for module in (
        "complaintdesk.intelligence.classifier",
        "complaintdesk.intelligence.admin",
        "complaintdesk.intelligence.tasks",
        "complaintdesk.regulation.services",
        "complaintdesk.web.views_groups",
        "complaintdesk.api.v1",
    ):
        assert module in found["loaded"]
    assert found["heavy"] == {}, "imported by loading the web application:\n" + json.dumps(
        found["heavy"], indent=1, ensure_ascii=False
    )
