"""Builders and checks the tests share (tenants, factories, fingerprints). Test modules import
from here, never from each other."""
