"""One time budget per wake-up of a cron job.

In one wake-up ``ir.cron`` calls a job again and again while it reports work
left (at least ten calls, ``_run_job`` in odoo/addons/base/models/ir_cron.py),
and the threaded server kills the thread once the whole wake-up — every job of
that poll — has run longer than ``limit_time_real``. The time ``_commit_progress``
returns counts only the first ten seconds of the job and knows nothing of the
calls still to come, so a job that does one more batch per call whenever it is
called runs ten batches, however long they take. A job that asks a
``CronBudget`` instead shares one deadline with all its calls of the wake-up.
"""

import math
import threading
import time
from contextlib import contextmanager

from odoo.tools import config

from odoo.addons.base.models.ir_cron import MIN_TIME_PER_JOB

# Of the server's real-time limit, a wake-up uses half: one batch may still end
# after the deadline, and the other jobs of the poll need their share.
BUDGET_SHARE = 0.5
NO_LIMIT_BUDGET = 600  # seconds, when the server sets no real-time limit

_wake_ups = {}  # cron id -> the state of its latest wake-up in this process (and its cursor)


def real_time_limit():
    """The server's real-time limit for the current thread in seconds (0: none)."""
    cron_limit = config["limit_time_real_cron"]
    if getattr(threading.current_thread(), "type", None) == "cron" and cron_limit > 0:
        return cron_limit
    return max(config["limit_time_real"] or 0, 0)


class CronBudget:
    """The time a cron job has left in the current wake-up of ``ir.cron``.

    Outside a cron (a test, a button) the time is unlimited, as for
    ``_commit_progress``. The first batch of a wake-up may start while any time
    is left (the job always gets on); a later one only when it can end, taking
    as long as the longest batch so far, before the deadline.
    """

    def __init__(self, env):
        cron_id = env.context.get("cron_id")
        end_time = env.context.get("cron_end_time")
        if end_time is None:
            self._state = {"deadline": math.inf, "batches": 0, "longest": 0.0}
            self.first_call = True
            return
        state = _wake_ups.get(cron_id)
        # ir.cron makes one cursor per wake-up and sets cron_end_time once, at its
        # start + MIN_TIME_PER_JOB; every call of the wake-up gets both
        self.first_call = not state or state["cr"] is not env.cr or state["end_time"] != end_time
        if self.first_call:
            state = {
                "cr": env.cr,
                "end_time": end_time,
                "deadline": wake_up_deadline(end_time - MIN_TIME_PER_JOB),
                "batches": 0,
                "longest": 0.0,
            }
            _wake_ups[cron_id] = state
        self._state = state

    def time_left(self):
        """Seconds left until the wake-up's deadline."""
        return max(self._state["deadline"] - time.monotonic(), 0.0)

    def allows_batch(self):
        """Whether the next batch may start in this wake-up."""
        left = self.time_left()
        if not self._state["batches"]:
            return left > 0
        return left > self._state["longest"]

    @contextmanager
    def batch(self):
        """Time one batch of work (its length is the estimate for the next)."""
        started = time.monotonic()
        try:
            yield
        finally:
            self._state["batches"] += 1
            self._state["longest"] = max(self._state["longest"], time.monotonic() - started)


def wake_up_deadline(job_start):
    """The monotonic time by which a wake-up that started the job at ``job_start`` ends.

    The threaded server counts its limit from the start of the poll (the
    thread's ``start_time``, also set on HTTP threads that run a job by hand);
    when that lies before the job's own start (other jobs ran first), the
    budget counts from there.
    """
    limit = real_time_limit()
    budget = limit * BUDGET_SHARE if limit else NO_LIMIT_BUDGET
    start = job_start
    thread_start = getattr(threading.current_thread(), "start_time", None)
    if thread_start:
        elapsed = time.time() - thread_start
        # a wall clock that cannot be right (frozen in a test) is ignored
        if 0 <= elapsed <= (limit or NO_LIMIT_BUDGET):
            start = min(start, time.monotonic() - elapsed)
    return start + budget
