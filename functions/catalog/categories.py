"""The category tree: Olist's built-in categories (domain.py) plus staff-created ones.

``tree()`` is what every read and import uses; it is cached in the process for
``CACHE_SECONDS``, so a new category is usable everywhere within seconds. Built-in categories
map the source data and cannot be renamed or deleted; a staff category can be deleted only
while no product is in it (checked in the same transaction as the delete).

Raises (``titan.errors``): NotFound CATEGORY_NOT_FOUND, Conflict CATEGORY_EXISTS /
BUILT_IN_CATEGORY / CATEGORY_NOT_EMPTY, Unprocessable UNKNOWN_DEPARTMENT.
"""

from __future__ import annotations

import time

from pynamodb.exceptions import PutError, TransactWriteError

from catalog import domain
from catalog.store import CategoryCount, CategoryItem
from titan import clock
from titan.dynamo import get_or_404, transaction
from titan.errors import Conflict, Unprocessable
from titan.events import DomainEvent

CACHE_SECONDS = 5.0
_cached: tuple[float, domain.CategoryTree] | None = None


def tree(fresh: bool = False) -> domain.CategoryTree:
    """Built-in + staff categories (read at most every CACHE_SECONDS unless ``fresh``)."""
    global _cached
    if fresh or _cached is None or time.monotonic() - _cached[0] > CACHE_SECONDS:
        custom = [
            domain.Category(c.slug, c.name, c.department, c.source_name, built_in=False)
            for c in CategoryItem.by_gsi1.query("CATEGORIES")
        ]
        _cached = (time.monotonic(), domain.CategoryTree(custom))
    return _cached[1]


def _event(detail_type: str, category: domain.Category) -> DomainEvent:
    data = {"categoryId": category.slug, "name": category.name, "department": category.department}
    return DomainEvent.of(detail_type, data)


def _department(department: str) -> str:
    if department not in domain.DEPARTMENTS:
        raise Unprocessable(f"Unknown department {department!r}.", code="UNKNOWN_DEPARTMENT")
    return department


def _custom(slug: str) -> CategoryItem:
    if slug in domain.BY_SLUG:
        raise Conflict("Built-in categories cannot be changed.", code="BUILT_IN_CATEGORY")
    return get_or_404(
        CategoryItem, *CategoryItem.key(slug), code="CATEGORY_NOT_FOUND", detail="No such category."
    )


def create(
    slug: str, name: str, department: str, source_name: str | None
) -> tuple[domain.Category, list[DomainEvent]]:
    """A staff category. ``source_name``: the name CSV imports may use for it."""
    current = tree(fresh=True)
    if slug in current.by_slug or (source_name and current.resolve(source_name)):
        raise Conflict("A category with this id or name exists.", code="CATEGORY_EXISTS")
    now = clock.iso()
    item = CategoryItem(
        *CategoryItem.key(slug),
        gsi1sk=slug,
        slug=slug,
        name=name,
        department=_department(department),
        source_name=source_name,
        created_at=now,
        updated_at=now,
    )
    try:
        item.save(condition=CategoryItem.pk.does_not_exist())
    except PutError as exc:  # created meanwhile
        raise Conflict("A category with this id exists.", code="CATEGORY_EXISTS") from exc
    category = domain.Category(slug, name, department, source_name, built_in=False)
    tree(fresh=True)
    return category, [_event("CategoryCreated", category)]


def update(
    slug: str, name: str | None, department: str | None
) -> tuple[domain.Category, list[DomainEvent]]:
    """Rename or move a staff category (products keep it). Built-ins: BUILT_IN_CATEGORY."""
    item = _custom(slug)
    actions = [CategoryItem.updated_at.set(clock.iso())]
    if name is not None:
        actions.append(CategoryItem.name.set(name))
    if department is not None:
        actions.append(CategoryItem.department.set(_department(department)))
    item.update(actions=actions, condition=CategoryItem.pk.exists())
    category = domain.Category(slug, item.name, item.department, item.source_name, False)
    tree(fresh=True)
    return category, [_event("CategoryUpdated", category)]


def delete(slug: str) -> list[DomainEvent]:
    """Delete an empty staff category; one with products: CATEGORY_NOT_EMPTY."""
    item = _custom(slug)
    try:
        with transaction() as write:
            write.delete(item, condition=CategoryItem.pk.exists())
            write.condition_check(
                CategoryCount,
                *CategoryCount.key(slug),
                condition=CategoryCount.pk.does_not_exist() | (CategoryCount.products == 0),
            )
    except TransactWriteError as exc:
        raise Conflict(
            "The category has products; move or delete them first.", code="CATEGORY_NOT_EMPTY"
        ) from exc
    category = domain.Category(slug, item.name, item.department, item.source_name, False)
    tree(fresh=True)
    return [_event("CategoryDeleted", category)]
