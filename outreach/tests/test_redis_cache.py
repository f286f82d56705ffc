"""The Redis cache keeps one client per connection pool, shared by threads and renewed
after a fork, against the real Redis (outreach/redis_cache.py)."""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

from django.core.cache import cache


def test_cache_calls_share_one_client():
    backend = cache._cache
    assert backend.get_client() is backend.get_client(write=True) is backend.get_client("some-key")


def test_threads_share_the_client_without_losing_a_write():
    cache.set("redis-cache-test:n", 0)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: cache.incr("redis-cache-test:n"), range(400)))
    assert cache.get("redis-cache-test:n") == 400


def _in_child(queue):
    cache.set("redis-cache-test:child", "from the child")
    queue.put(cache.get("redis-cache-test:parent"))


def test_a_forked_process_uses_the_shared_client_on_connections_of_its_own():
    cache.set("redis-cache-test:parent", "from the parent")  # the parent's pool holds a connection
    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=_in_child, args=(queue,))
    child.start()
    child.join(30)
    assert child.exitcode == 0 and queue.get(timeout=5) == "from the parent"
    assert cache.get("redis-cache-test:child") == "from the child"
