"""entitle: a GraphQL gateway over a permissioned entitlement graph."""

import os

# piccolo resolves engines and migrations through this module; set before any table loads.
os.environ.setdefault("PICCOLO_CONF", "entitle.piccolo_conf")
