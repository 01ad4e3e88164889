"""Migration 7 recomputes every search key from its source with Unicode case folding."""

from models import AccessPackage, User, db
from models.base import quote_name
from models.migrations.v0007_folded_search_keys import upgrade
from tests.helpers import factories as f
from tests.helpers.tampering import as_owner


def test_migration_7_recomputes_keys_written_the_old_way(database):
    person = f.user("Straße Öberg", domain="ﬁrma.example")
    package = f.access_package("ÄNDERUNG")
    # As an older version left them: lowercase (or ASCII-only) keys, no NFKC.
    db.execute_sql(
        f"UPDATE {quote_name('user')} SET display_name_key = 'straße Öberg', upn_key = 'x', "
        f"mail_key = 'straße.öberg@ﬁrma.example'"
    )
    db.execute_sql(f"UPDATE {quote_name('access_package')} SET display_name_key = 'Änderung'")
    with as_owner(), db.atomic():  # what a migration runs as
        upgrade(db)
    stored = User.get_by_id(person.id)
    assert (stored.display_name_key, stored.upn_key, stored.mail_key) == (
        "strasse öberg",
        "strasse.öberg@firma.example",
        "strasse.öberg@firma.example",
    )
    assert AccessPackage.get_by_id(package.id).display_name_key == "änderung"
