"""`in_subquery`: the SQL of `column.in_(query)`, with the subquery rendered once."""

from peewee import SQL

from models import AccessPackage, AssignmentPolicy, PolicyAllowedTarget
from models.subqueries import in_subquery


def _nested(make_in):
    targets = PolicyAllowedTarget.select(PolicyAllowedTarget.policy).where(PolicyAllowedTarget.user == "u")
    policies = AssignmentPolicy.select(AssignmentPolicy.access_package).where(make_in(AssignmentPolicy.id, targets))
    return AccessPackage.select(AccessPackage.id).where(make_in(AccessPackage.id, policies))


def test_it_renders_what_in_renders(database):
    assert _nested(in_subquery).sql() == _nested(lambda column, query: column.in_(query)).sql()


def test_each_subquery_is_rendered_once(database, monkeypatch):
    """peewee's own IN renders a subquery twice (once to see whether it is empty), so nested
    subqueries cost twice as much at each level."""
    rendered = []
    original = SQL.__sql__

    def counting(node, ctx):
        rendered.append(node.sql)
        return original(node, ctx)

    monkeypatch.setattr(SQL, "__sql__", counting)

    def marked(make_in):
        inner = PolicyAllowedTarget.select(PolicyAllowedTarget.policy).where(SQL("1 = 1"))
        middle = AssignmentPolicy.select(AssignmentPolicy.access_package).where(make_in(AssignmentPolicy.id, inner))
        return AccessPackage.select(AccessPackage.id).where(make_in(AccessPackage.id, middle))

    marked(in_subquery).sql()
    assert rendered == ["1 = 1"]
    rendered.clear()
    marked(lambda column, query: column.in_(query)).sql()
    assert len(rendered) == 4  # what in_subquery saves: the inner subquery rendered 2 × 2 times
