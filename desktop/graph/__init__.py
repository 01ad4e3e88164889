"""Microsoft Graph: sign-in (one token-provider seam over MSAL), a paging and retrying client,
and the sync that feeds a tenant's responses to the importer. No Qt here."""
