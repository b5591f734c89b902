"""piccolo's configuration module: the bound engine and the app registry for migrations."""

from piccolo.conf.apps import AppRegistry

from entitle.db import make_engine
from entitle.settings import load_settings

# entitle.db.bind() replaces this; piccolo reads it each time it looks for the engine.
DB = make_engine(load_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["entitle.piccolo_app"])
