"""Counting SQL statements for the benchmark commands (`connection.execute_wrapper`)."""


class QueryCounter:
    """Counts SQL statements (request_started resets Django's own query log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
