from peewee import CharField, CompositeKey, ForeignKeyField

from models.base import BaseModel
from models.directory import ConnectedOrganization, User


class ConnectedOrganizationSponsor(BaseModel):
    connected_organization = ForeignKeyField(
        ConnectedOrganization, backref="sponsors", on_delete="CASCADE", index=False
    )
    user = ForeignKeyField(User, backref="sponsorships", on_delete="CASCADE")
    kind = CharField(max_length=8)  # internal | external

    class Meta:
        primary_key = CompositeKey("connected_organization", "user", "kind")
