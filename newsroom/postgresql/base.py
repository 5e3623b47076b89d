"""Django's PostgreSQL backend (psycopg 3) with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` on a reused connection
before the first query of every request: on a page that reads everything
in one round trip (articles.prepared), a second one. Here the check first
looks whether the server has sent anything since the last request. A server
that restarted, or ended the connection, leaves its farewell (an error, an
end of file) waiting on the socket, which a zero-timeout select() sees at
the cost of one system call; only then, or when the connection is not
plainly idle, is Django's own check made, and a dead connection replaced
before the page's queries. A connection that died without a word (a cut
network) fails its first query, as it would have between Django's check
and that query: that request gets the database-down page, and Django
replaces the connection at its end.
"""

import select

import psycopg
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        """Idle, open, and nothing from the server waiting to be read."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
