"""The catalog functions' settings (functions/catalog/template.yaml), read at cold start."""

from titan.settings import Settings


class CatalogSettings(Settings):
    #: Where staff upload catalog CSVs (presigned PUT), under ``imports/``.
    catalog_imports_bucket: str | None = None
    #: Where the search index's versions live.
    catalog_search_bucket: str | None = None
    #: Sellers' product images (presigned POST under ``uploads/<sellerId>/``) and their
    #: thumbnails (``thumbnails/``).
    catalog_media_bucket: str | None = None


SETTINGS = CatalogSettings.from_environment()
