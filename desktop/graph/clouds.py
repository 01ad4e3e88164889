"""The national clouds: where to sign in and where Graph answers, per `--cloud`."""

from dataclasses import dataclass

from desktop.errors import InvalidInput


@dataclass(frozen=True)
class Cloud:
    name: str
    authority_host: str
    graph_root: str


CLOUDS = {
    "global": Cloud("global", "https://login.microsoftonline.com", "https://graph.microsoft.com"),
    "usgov": Cloud("usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us"),
    "usgov-dod": Cloud("usgov-dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
    "china": Cloud("china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
}


def cloud_named(name: str) -> Cloud:
    try:
        return CLOUDS[name]
    except KeyError:
        raise InvalidInput(f"Unknown cloud {name!r}: use one of {', '.join(CLOUDS)}.") from None
