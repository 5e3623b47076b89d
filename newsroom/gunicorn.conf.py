"""gunicorn configuration: `gunicorn -c newsroom/gunicorn.conf.py newsroom.wsgi`.

Every value can be overridden from the environment (GUNICORN_BIND, ...).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the pages are short database reads; (2 x cores) + 1 is
# gunicorn's own rule of thumb.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
keepalive = 5
# Load the application once in the master, so that a recycled worker starts
# in milliseconds rather than a second and a half.
preload_app = True
# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = 50000
max_requests_jitter = 5000
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def worker_exit(server, worker):
    """Write this worker's buffered article views before it goes."""
    from articles import view_counts

    view_counts.flush()
