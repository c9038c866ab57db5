"""gunicorn in production: `.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi` (bin/run does this).

Worker processes: WEB_CONCURRENCY (gunicorn's own variable; GUNICORN_WORKERS is read too), default one per
core. Each has GUNICORN_THREADS threads (`gthread`, default 4). Why threads: an intake spends roughly a
third of its time waiting for PostgreSQL (about fifteen round trips and the commit's WAL flush); a sync
worker's core is idle meanwhile, while a thread lets another request's Python run. Python's GIL keeps
one process to one core, so the processes give the parallelism and the threads fill the waits. gthread
also keeps connections alive (an integration posting many complaints, or a reverse proxy, reuses its
connection; a sync worker closes it after every response) and a slow client holds a thread, not the
whole worker.

Database connections: on PostgreSQL each process holds at most DB_POOL_MAX_SIZE connections (a psycopg
pool, config/settings/base.py), whatever the number of threads: workers × DB_POOL_MAX_SIZE per instance
(docs/deployment.md says how to size max_connections). Every value can be overridden on the command line.
"""

import os


def _workers() -> int:
    value = os.environ.get("WEB_CONCURRENCY") or os.environ.get("GUNICORN_WORKERS")
    return int(value) if value else max(1, os.cpu_count() or 1)


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _workers()
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter, so they do not all restart at once): memory
# a long-lived process accumulates is given back. 0: never.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
# "-": one access-log line per request on standard output (the JSON logs of LOG_FORMAT=json carry the
# same and more); unset: none.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# Behind nginx on the same host: trust its X-Forwarded-* headers (gunicorn's default is 127.0.0.1 too).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn's control socket (`gunicornc`) is off: several instances of one user would share its default
# path. GUNICORN_CONTROL_SOCKET=/run/complaintdesk/web-1.ctl turns it on at a path of the instance's own.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


# jieba's dictionary (about 2 s, 70 MB) is loaded as a worker starts, before it takes a request, not on the
# first case page or archive search a person opens. GUNICORN_WARM_SEGMENTER=0: on first use instead.
def post_worker_init(worker):
    if os.environ.get("GUNICORN_WARM_SEGMENTER", "1") != "0":
        from complaintdesk.archive.segment import warm

        warm()


# Request-latency metrics across the worker processes (complaintdesk/ops/metrics.py): with
# PROMETHEUS_MULTIPROC_DIR set (one directory per instance), each worker writes its figures there and any
# worker's /metrics adds them up. The directory is emptied when the instance starts; a worker that exits
# is marked dead so its live gauges stop counting (its counters and histograms are kept).
def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
