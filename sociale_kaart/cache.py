"""Django's Redis cache, with one redis-py client object per connection pool.

Django's RedisCacheClient.get_client makes a new redis.Redis for every cache call, and each
one copies redis-py's table of about 170 response callbacks: 39 calls on a cold catalogue
page, 8 ms of it (cProfile at 100k services). A redis.Redis holds no connection of its own
(its pool hands them out per command) and redis-py documents it as safe to share between
threads, so one per pool does the same work. Everything else is Django's.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
