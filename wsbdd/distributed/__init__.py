"""Crowds on Locust workers: a crowd's members spread over Locust worker processes.

Locust runs on gevent (it monkey-patches sockets, ``select`` and threads on
import); wsbdd's runtime runs on asyncio and stamps every frame the moment its
bytes are read. The two never share a process:

* :mod:`wsbdd.distributed.member_host` is the asyncio side: a plain Python
  process running :class:`wsbdd.runtime.crowd.Crowd` for its slice of the
  members, answering JSON-line commands (open, arrivals, close) on its pipes;
* :mod:`wsbdd.distributed.locustfile` is what ``locust --worker`` loads: on a
  ``wsbdd:command`` message from the master it starts (once) its member host,
  relays the command, reports what happened to Locust's statistics
  (``events.request``) and answers ``wsbdd:reply``;
* :mod:`wsbdd.distributed.master` is the Locust master process, driven by the
  wsbdd run through its pipes; it splits each crowd over the workers it has;
* :mod:`wsbdd.distributed.plan` (pure) splits plans and merges replies;
* :class:`wsbdd.distributed.driver.LocustCrowds` starts the master (and local
  workers) for a ``wsbdd run`` and talks to it.

See docs/locust.md and the "crowds on Locust" section of docs/architecture.md.
"""

__all__: list[str] = []
