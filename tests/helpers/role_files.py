"""Graph files that change who holds a directory role."""

import json


def role_file(tmp_path, member) -> str:
    """A directoryRoles.json (Graph v1.0, members expanded) that makes `member` the only Global Administrator."""
    path = tmp_path / "directoryRoles.json"
    path.write_text(
        json.dumps(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryRoles(members())",
                "value": [
                    {
                        "id": "9c3e5d7f-1a2b-4c3d-8e9f-0a1b2c3d0002",
                        "displayName": "Global Administrator",
                        "roleTemplateId": "62e90394-69f5-4237-9190-012177145e10",
                        "deletedDateTime": None,
                        "members": [
                            {
                                "@odata.type": "#microsoft.graph.user",
                                "id": member.id,
                                "displayName": member.display_name,
                                "userPrincipalName": member.user_principal_name,
                            }
                        ],
                    }
                ],
            }
        )
    )
    return str(path)
