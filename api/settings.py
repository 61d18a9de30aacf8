"""Service settings, read from ``MATCHMAKING_*`` environment variables.

=====================================  =========================================  ==========
variable                               meaning                                    default
=====================================  =========================================  ==========
``MATCHMAKING_STORE``                  store URL (sqlite:///PATH, bolt://...)      sqlite file
``MATCHMAKING_CORS_ORIGINS``           JSON list of allowed origins; empty = off  ``[]``
``MATCHMAKING_RATE_LIMIT``             requests per minute per key; 0 = off       ``600``
``MATCHMAKING_MAX_BODY_BYTES``         request body limit (not for /imports)      1 MB
``MATCHMAKING_MAX_IMPORT_BYTES``       size limit of one uploaded import          2 GiB
``MATCHMAKING_IMPORT_MAX_LINE_BYTES``  longest line of an imported file           16 MiB
``MATCHMAKING_IMPORT_MAX_FILE_BYTES``  decompressed size of one imported file     4 GiB
``MATCHMAKING_IMPORT_DIR``             folder for uploaded imports (stale ones    temp dir
                                       are removed at startup)
``MATCHMAKING_KEY_CACHE_SECONDS``      how long a verified key is cached          ``30``
``MATCHMAKING_ENGINE_REFRESH``         seconds between engine staleness checks    ``1.0``
``MATCHMAKING_STORE_RETRY_AFTER``      Retry-After (s) sent with 503              ``2``
``MATCHMAKING_INIT_STORE``             run ``store.init()`` at startup            ``true``
``MATCHMAKING_WARM_ENGINE``            build the engine in the background at      ``true``
                                       startup
``MATCHMAKING_RESULT_CACHE``           recommendation bodies cached per process   ``4096``
                                       (0 = off); emptied by any store write
=====================================  =========================================  ==========
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph_schema.interchange import MAX_FILE_BYTES, MAX_LINE_BYTES
from graph_schema.store import DEFAULT_STORE_URL


class Settings(BaseSettings):
    """Configuration of one API process."""

    model_config = SettingsConfigDict(env_prefix="MATCHMAKING_", extra="ignore")

    store: str = DEFAULT_STORE_URL
    cors_origins: list[str] = Field(default_factory=list)
    rate_limit: int = Field(600, ge=0, description="requests per minute per key; 0 disables")
    max_body_bytes: int = Field(1_000_000, ge=1024)
    max_import_bytes: int = Field(2 * 1024**3, ge=1024)
    import_max_line_bytes: int = Field(MAX_LINE_BYTES, ge=1)
    import_max_file_bytes: int = Field(MAX_FILE_BYTES, ge=1)
    import_dir: str = ""
    key_cache_seconds: float = Field(30.0, ge=0.0, le=300.0)
    engine_refresh: float = Field(1.0, gt=0.0)
    store_retry_after: int = Field(2, ge=1)
    init_store: bool = True
    warm_engine: bool = True
    random_state: int = 0
    result_cache: int = Field(4096, ge=0, description="recommendation bodies cached; 0 = off")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
