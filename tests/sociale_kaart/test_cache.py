"""The Redis cache backend (sociale_kaart.cache): one redis-py client per connection pool,
shared by every call and every thread, against the real Redis."""

import os
import threading

from sociale_kaart.cache import RedisCache

URL = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/1")


def test_every_call_gets_the_same_client_and_the_cache_still_works():
    cache = RedisCache(URL, {"KEY_PREFIX": "sk-test-cache"})
    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache._cache.get_client("k", write=True) is cache._cache.get_client("k")
    cache.set("answer", {"n": 42}, 30)
    assert cache.get("answer") == {"n": 42}
    assert cache.get_many(["answer", "missing"]) == {"answer": {"n": 42}}
    cache.delete("answer")
    assert cache.get("answer") is None


def test_threads_sharing_the_client_each_read_their_own_values():
    cache = RedisCache(URL, {"KEY_PREFIX": "sk-test-cache"})
    wrong = []

    def work(n):
        for i in range(50):
            cache.set(f"t{n}:{i}", (n, i), 30)
            if cache.get(f"t{n}:{i}") != (n, i):
                wrong.append((n, i))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert cache.get("t7:49") == (7, 49)
    cache.delete_many([f"t{n}:{i}" for n in range(8) for i in range(50)])
