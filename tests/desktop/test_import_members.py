"""Members pages in files (`/groups/{id}/members`, `transitiveMembers`): linked to their group when
the page or the file's name says which group it is, and listed in the summary when nothing does."""

import json
from pathlib import Path

from desktop.importers import import_files
from models import GroupMember, User

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
SHAPE = "1b2c3d4e-5f60-4a7b-8c9d-000000000"
V1 = "https://graph.microsoft.com/v1.0"
UNNAMED = "members of an unnamed group"


def members_of(group: str) -> set[str]:
    return {row.member_id for row in GroupMember.select().where(GroupMember.group == group)}


def test_a_members_page_is_linked_by_the_group_its_next_link_names(database):
    """The first page of `/groups/{id}/members`: Graph's next link repeats the group's path. Its
    following page is not in the import, so the users are added to the group (none removed) and
    the summary says the list goes on."""
    import_files([SHAPES / "v1-groups.json", SHAPES / "v1-users.json"])
    GroupMember.create(group=f"{SHAPE}202", member=f"{SHAPE}102")
    summary = import_files([SHAPES / "v1-group-members-nextLink.json"])
    assert members_of(f"{SHAPE}202") == {f"{SHAPE}101", f"{SHAPE}102"}  # the device is no membership
    assert any("page 1 of a paged list" in warning for warning in summary.warnings), summary.warnings
    assert not any(UNNAMED in warning for warning in summary.warnings)


def test_pages_of_one_file_make_the_whole_transitive_membership(database):
    """An array of `transitiveMembers` pages: the last page has no next link, but follows the page
    whose link named the group; the whole list replaces the membership (a nested group is no user)."""
    import_files([SHAPES / "v1-groups.json", SHAPES / "v1-users.json"])
    GroupMember.create(group=f"{SHAPE}203", member=f"{SHAPE}101")
    summary = import_files([SHAPES / "v1-group-transitiveMembers-pages.json"])
    assert members_of(f"{SHAPE}203") == {f"{SHAPE}102", f"{SHAPE}143"}
    assert not summary.warnings


def test_a_file_named_for_its_group_is_linked_to_it(database):
    """The reference's first example: no `@odata.context`, no next link; the file's name
    (`groups-<id>-transitiveMembers`) says whose members they are. The group is a stand-in."""
    summary = import_files([SHAPES / "v1-groups-1b2c3d4e-5f60-4a7b-8c9d-000000000205-transitiveMembers.json"])
    assert members_of(f"{SHAPE}205") == {f"{SHAPE}145"}
    assert User.get_by_id(f"{SHAPE}145").display_name == "PattiF@contoso.com"
    assert not summary.warnings


def test_a_context_that_names_the_group_links_the_page(database, tmp_path):
    group = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a01"
    file = tmp_path / "members.json"
    file.write_text(
        json.dumps(
            {
                "@odata.context": f"{V1}/$metadata#groups('{group}')/members",
                "value": [{"@odata.type": "#microsoft.graph.user", "id": f"{SHAPE}101", "displayName": "Adele"}],
            }
        ),
        encoding="utf-8",
    )
    import_files([file])
    assert members_of(group) == {f"{SHAPE}101"}


def test_a_members_page_that_names_no_group_is_listed_not_dropped(database):
    """`transitiveMembers` as Graph answers it in one page (`directoryObjects` context, no next
    link) saved under a name without the group's id: the users are imported, the summary says
    their membership was not, and how to save the file so that it is."""
    summary = import_files([SHAPES / "v1-group-transitiveMembers.json"])
    assert GroupMember.select().count() == 0
    assert User.get_by_id(f"{SHAPE}143").display_name == "Joni Sherman"
    [warning] = [warning for warning in summary.warnings if UNNAMED in warning]
    assert warning.startswith("v1-group-transitiveMembers.json: members of an unnamed group")
    assert "3 directory objects (1 users)" in warning
    assert "groups-<group id>-members.json" in warning
    assert any(UNNAMED in line for line in summary.lines())


def test_a_users_cast_saved_as_members_without_the_group_is_listed(database):
    """`/members/microsoft.graph.user` answers with a `users` context: its file's name says it is
    members, but not whose."""
    summary = import_files([SHAPES / "v1-group-members-users.json"])
    assert GroupMember.select().count() == 0
    assert any(UNNAMED in warning and "is users" in warning for warning in summary.warnings), summary.warnings


def test_a_list_of_groups_and_roles_is_no_members_page(database, tmp_path):
    """`/users/{id}/memberOf` also answers with `directoryObjects`, but lists no users: no warning."""
    file = tmp_path / "memberOf.json"
    file.write_text(
        json.dumps(
            {
                "@odata.context": f"{V1}/$metadata#directoryObjects",
                "value": [
                    {
                        "@odata.type": "#microsoft.graph.group",
                        "id": f"{SHAPE}202",
                        "displayName": "Finance",
                        "securityEnabled": True,
                        "mailEnabled": False,
                        "groupTypes": [],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    summary = import_files([file])
    assert not any(UNNAMED in warning for warning in summary.warnings)


def test_a_next_link_after_the_value_array_is_read_too(database, tmp_path):
    """`@odata.nextLink` written after `value` (PowerShell's ConvertTo-Json of a hashtable
    orders keys so): the page still links to its group, and the paged list still warns."""
    group = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a02"
    members = tmp_path / "page1.json"
    members.write_text(
        json.dumps(
            {
                "value": [{"@odata.type": "#microsoft.graph.user", "id": f"{SHAPE}101", "displayName": "Adele"}],
                "@odata.context": f"{V1}/$metadata#directoryObjects",
                "@odata.nextLink": f"{V1}/groups/{group}/transitiveMembers?$skiptoken=RFNwdAIAAQ",
            }
        ),
        encoding="utf-8",
    )
    summary = import_files([members])
    assert members_of(group) == {f"{SHAPE}101"}
    assert summary.warnings == ["directoryObjects: page 1 of a paged list; the following pages were not imported"]


def test_a_list_of_groups_in_a_file_named_for_members_leaves_the_membership(database, tmp_path):
    """The file's name links only pages of directory objects or users: a `/groups` page saved
    as `groups-<id>-members.json` by mistake does not empty that group's membership."""
    import_files([SHAPES / "v1-groups.json", SHAPES / "v1-users.json"])
    GroupMember.create(group=f"{SHAPE}202", member=f"{SHAPE}101")
    file = tmp_path / f"groups-{SHAPE}202-members.json"
    file.write_bytes((SHAPES / "v1-groups.json").read_bytes())
    import_files([file])
    assert members_of(f"{SHAPE}202") == {f"{SHAPE}101"}
