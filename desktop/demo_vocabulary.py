"""The demo tenant's vocabulary: the names, departments, partners, applications and settings
from which `desktop.demo` draws a Contoso-style tenant."""

from desktop.permissions import (
    APPLICATION_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    IDENTITY_GOVERNANCE_ADMINISTRATOR,
    REPORTS_READER,
    SECURITY_ADMINISTRATOR,
    SECURITY_READER,
)

TENANT_DOMAIN = "contoso.com"
DEMO_ADMINISTRATOR_UPN = f"miriam.graham@{TENANT_DOMAIN}"

FIRST_NAMES = tuple(
    """Adele Alex Allan Ben Christie Debra Diego Emily Enrico Grady Henrietta Irvin Isaiah Johanna
    Joni Lee Lidia Lynne Megan Miriam Nestor Patti Pradeep Raul Rob Sanjay Sofia Tomas Vivian Wen
    Yuki Zara Amir Bianca Carlos Dana Elif Farah Gustav Hana""".split()
)
LAST_NAMES = tuple(
    """Vance Wilber Deyoung Walker Cline Berger Siciliani Braun Bowen Archie Sauer Langer Lidman Holt
    Sherman Gu Fernandez Robinson Graham Wilson Gupta Okafor Novak Tanaka Haddad Larsen Moreau
    Kowalski Silva Nakamura Ivanova Brennan Costa Dubois Eriksen Fischer""".split()
)
DEPARTMENTS = (
    "Sales",
    "Marketing",
    "Finance",
    "Human Resources",
    "Engineering",
    "Operations",
    "Legal",
    "IT",
    "Research",
    "Customer Support",
    "Procurement",
    "Retail",
)
ORGANIZATIONS = (
    # name, state, identity source, domain
    ("Fabrikam", "configured", "#microsoft.graph.azureActiveDirectoryTenant", "fabrikam.com"),
    ("Woodgrove Bank", "configured", "#microsoft.graph.domainIdentitySource", "woodgrovebank.com"),
    ("Northwind Traders", "proposed", "#microsoft.graph.domainIdentitySource", "northwindtraders.com"),
)
APPLICATION_NAMES = (
    "Salesforce",
    "ServiceNow",
    "Workday",
    "Concur",
    "Box",
    "DocuSign",
    "Zoom",
    "Jira",
    "Confluence",
    "GitHub Enterprise",
    "Tableau",
    "SAP Fiori",
    "Adobe Acrobat Sign",
    "Slack",
    "Dropbox Business",
    "Smartsheet",
    "Miro",
    "Figma",
    "Power BI",
    "Dynamics 365",
)
APP_ROLE_NAMES = ("Reader", "Contributor", "Approver", "Administrator")
PROJECTS = tuple(
    """Falcon Mercury Orion Atlas Phoenix Nimbus Vega Titan Aurora Zephyr Helix Quartz Summit Harbor
    Beacon Cascade""".split()
)
PACKAGE_KINDS = ("Members", "Contributors", "Approvers", "Viewers", "Partners", "Owners")
DURATIONS = ("P30D", "P90D", "P180D", "P365D")
STAGE_TIMEOUTS = ("P3D", "P7D", "P14D")
# Every Graph allowedTargetScope a request policy can have, weighted toward the common ones.
POLICY_SCOPES = (
    ("allMemberUsers", 30),
    ("specificDirectoryUsers", 25),
    ("allDirectoryUsers", 10),
    ("specificConnectedOrganizationUsers", 10),
    ("allConfiguredConnectedOrganizationUsers", 8),
    ("allExternalUsers", 5),
    ("notSpecified", 12),
)
ADMIN_ROLES = (
    # (display name or upn local part, role)
    ("Miriam Graham", IDENTITY_GOVERNANCE_ADMINISTRATOR),
    ("Isaiah Langer", IDENTITY_GOVERNANCE_ADMINISTRATOR),
    ("Megan Bowen", GLOBAL_ADMINISTRATOR),
    ("Lee Gu", SECURITY_ADMINISTRATOR),
    ("Patti Fernandez", SECURITY_READER),
    ("Nestor Wilson", REPORTS_READER),
    ("Grady Archie", APPLICATION_ADMINISTRATOR),
)
