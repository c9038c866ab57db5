"""Prometheus metrics (/metrics).

Two kinds, chosen for several gunicorn processes behind one scrape address:
- Request latency by view is measured in the process that served the request. With
  PROMETHEUS_MULTIPROC_DIR set (bin/run and deploy/ set it per gunicorn instance) every process writes
  its histogram to a file there and a scrape of any process adds them all up (prometheus-client's
  multiprocess mode; gunicorn's child_exit hook marks dead workers). Without it each process reports
  only its own requests.
- Everything else is read from the database at scrape time, so it is the same whichever process
  answers and survives restarts: intakes by channel, notification failures and escalations by level
  (counts of stored rows: they only grow), queue depth, timer lag and the worker's last job (gauges).
"""

import os

from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from complaintdesk.common.time import now

from . import probes

REQUEST_LATENCY = Histogram(
    "complaintdesk_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by view (URL name) and method.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def request_observe(*, view: str, method: str, seconds: float) -> None:
    REQUEST_LATENCY.labels(view, method if method in METHODS else "other").observe(seconds)


class DatabaseCollector:
    def collect(self):
        intakes = CounterMetricFamily(
            "complaintdesk_intakes", "Complaints taken in, by channel.", labels=["channel"]
        )
        for channel, count in sorted(probes.intakes_by_channel().items()):
            intakes.add_metric([channel], count)
        yield intakes

        failed, gave_up = probes.notification_failures()
        waiting = GaugeMetricFamily(
            "complaintdesk_notifications_failed",
            "Notifications whose last delivery attempt failed, waiting for a retry.",
            labels=["channel"],
        )
        for channel, count in sorted(failed.items()):
            waiting.add_metric([channel], count)
        yield waiting
        given_up = CounterMetricFamily(
            "complaintdesk_notifications_gave_up",
            "Notifications given up after their last attempt failed.",
            labels=["channel"],
        )
        for channel, count in sorted(gave_up.items()):
            given_up.add_metric([channel], count)
        yield given_up

        escalations = CounterMetricFamily(
            "complaintdesk_escalations", "Hand-offs of cases up to each level.", labels=["level"]
        )
        for level, count in sorted(probes.escalations_by_level().items()):
            escalations.add_metric([str(level)], count)
        yield escalations

        yield GaugeMetricFamily(
            "complaintdesk_task_queue_depth",
            "Jobs waiting that a worker could start now.",
            value=probes.queue_depth(),
        )
        yield GaugeMetricFamily(
            "complaintdesk_sla_timer_lag_seconds",
            "How long the most overdue live SLA timer has waited to be handled (0: none).",
            value=probes.oldest_overdue_timer_seconds(),
        )
        last = probes.last_job_at()
        yield GaugeMetricFamily(
            "complaintdesk_worker_last_job_age_seconds",
            "Seconds since a worker last ran the periodic SLA sweep (-1: never).",
            value=(now() - last).total_seconds() if last else -1,
        )


def metrics_render() -> tuple[bytes, str]:
    from prometheus_client import CONTENT_TYPE_LATEST

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
