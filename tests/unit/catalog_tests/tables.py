"""The catalog table as template.yaml defines it (both global secondary indexes)."""

from tests.unit.tables import create_tables


def create_catalog_table() -> None:
    create_tables("CatalogTable")
