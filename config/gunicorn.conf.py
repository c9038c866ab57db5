"""gunicorn in production: `.venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi`.

Two worker processes (one per core of the 2-core servers this runs on), each with a few threads
(`gthread`). Why threads: an intake spends roughly a third of its time waiting for PostgreSQL (about
fifteen round trips and the commit's WAL flush); a sync worker's core is idle meanwhile, while a
thread lets another request's Python run. Python's GIL keeps one process to one core, so the
processes give the parallelism and the threads fill the waits. gthread also keeps connections
alive (an integration posting many complaints, or a reverse proxy, reuses its connection; a sync
worker closes it after every response) and a slow client holds a thread, not the whole worker.
Each thread keeps its own database connection (CONN_MAX_AGE): workers × threads connections.
Every value can be overridden on the command line or with GUNICORN_* variables below.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
timeout = 60
graceful_timeout = 30
