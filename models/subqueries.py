"""`column IN (subquery)` rendered once.

peewee checks whether the right side of an IN is empty by rendering it a second time; a subquery
is never empty in that sense, and the check doubles the work at each level of nesting: the
eligibility query (package → policy → target → group) built its SQL eight times over, and
rendering took as long as SQLite took to answer."""

from peewee import OP, Expression


class _InSubquery(Expression):
    def _is_rhs_empty(self, rhs, ctx) -> bool:
        return False


def in_subquery(column, query) -> Expression:
    """`column IN (query)`, as `column.in_(query)` renders it."""
    return _InSubquery(column, OP.IN, query)
