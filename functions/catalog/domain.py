"""Pure catalog rules: the category tree, product titles, CSV row validation.

The source data is the Olist catalog (infra/seed/olist, CC BY-NC-SA 4.0): products have no
names, so a title is derived (English category name + the first six characters of the id);
categories are Portuguese, with an English translation that has typos and two gaps, fixed in
the table below; money is BRL decimals, kept as integer centavos.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from titan import ids
from titan.geo import BR_STATES
from titan.money import InvalidAmount, Money

CURRENCY = "BRL"
#: A product's dimensions as the API names them -> as the catalog table does.
DIMENSIONS = {
    "weightG": "weight_g",
    "lengthCm": "length_cm",
    "heightCm": "height_cm",
    "widthCm": "width_cm",
}
_SOURCE_ID = re.compile(ids.SOURCE_ID)


@dataclass(frozen=True)
class Category:
    """``slug``: the public id (``perfumery``); ``name``: English display name;
    ``department``: the top-level node it sits under; ``source_name``: the name imports use
    (Olist's Portuguese name for built-ins); ``built_in``: one of the Olist categories below,
    which staff cannot rename or delete."""

    slug: str
    name: str
    department: str
    source_name: str | None = None
    built_in: bool = True


DEPARTMENTS: dict[str, str] = {
    "electronics": "Electronics & Computers",
    "home": "Home & Living",
    "fashion": "Fashion",
    "health-beauty": "Health & Beauty",
    "sports-leisure": "Sports & Leisure",
    "baby-toys": "Baby & Toys",
    "books-media": "Books, Music & Media",
    "food-drink": "Food & Drink",
    "tools-construction": "Tools & Construction",
    "auto-business": "Auto, Industry & Business",
    "gifts-party-art": "Gifts, Party & Art",
    "uncategorised": "Uncategorised",
}
UNCATEGORISED = Category("uncategorised", "Uncategorised", "uncategorised")

#: Olist's Portuguese category name -> our category. English names follow Olist's translation
#: file, with its typos fixed; pc_gamer and portateis_cozinha_e_preparadores_de_alimentos,
#: missing there, are named here.
CATEGORIES: dict[str, Category] = {
    "audio": Category("audio", "Audio", "electronics"),
    "cine_foto": Category("cine-photo", "Cinema & Photo", "electronics"),
    "pcs": Category("computers", "Computers", "electronics"),
    "informatica_acessorios": Category(
        "computers-accessories", "Computers & Accessories", "electronics"
    ),
    "consoles_games": Category("consoles-games", "Consoles & Games", "electronics"),
    "eletronicos": Category("electronics", "Electronics", "electronics"),
    "telefonia_fixa": Category("fixed-telephony", "Fixed Telephony", "electronics"),
    "pc_gamer": Category("pc-gamer", "Gaming PCs", "electronics"),
    "tablets_impressao_imagem": Category(
        "tablets-printing-image", "Tablets, Printing & Imaging", "electronics"
    ),
    "telefonia": Category("telephony", "Telephony", "electronics"),
    "climatizacao": Category("air-conditioning", "Air Conditioning", "home"),
    "cama_mesa_banho": Category("bed-bath-table", "Bed, Bath & Table", "home"),
    "moveis_quarto": Category("furniture-bedroom", "Furniture Bedroom", "home"),
    "moveis_decoracao": Category("furniture-decor", "Furniture Decor", "home"),
    "moveis_sala": Category("furniture-living-room", "Furniture Living Room", "home"),
    "moveis_colchao_e_estofado": Category(
        "furniture-mattress-and-upholstery", "Mattresses & Upholstery", "home"
    ),
    "eletrodomesticos": Category("home-appliances", "Home Appliances", "home"),
    "eletrodomesticos_2": Category("home-appliances-2", "Home Appliances II", "home"),
    "casa_conforto": Category("home-comfort", "Home Comfort", "home"),
    "casa_conforto_2": Category("home-comfort-2", "Home Comfort II", "home"),
    "utilidades_domesticas": Category("housewares", "Housewares", "home"),
    "moveis_cozinha_area_de_servico_jantar_e_jardim": Category(
        "kitchen-dining-laundry-garden-furniture",
        "Kitchen, Dining, Laundry & Garden Furniture",
        "home",
    ),
    "portateis_cozinha_e_preparadores_de_alimentos": Category(
        "kitchen-portables-and-food-preparers", "Kitchen Portables & Food Preparers", "home"
    ),
    "la_cuisine": Category("la-cuisine", "La Cuisine", "home"),
    "moveis_escritorio": Category("office-furniture", "Office Furniture", "home"),
    "pet_shop": Category("pet-shop", "Pet Shop", "home"),
    "eletroportateis": Category("small-appliances", "Small Appliances", "home"),
    "portateis_casa_forno_e_cafe": Category(
        "small-appliances-home-oven-and-coffee", "Ovens & Coffee Makers", "home"
    ),
    "fashion_bolsas_e_acessorios": Category(
        "fashion-bags-accessories", "Bags & Accessories", "fashion"
    ),
    "fashion_roupa_infanto_juvenil": Category(
        "fashion-childrens-clothes", "Children's Clothing", "fashion"
    ),
    "fashion_roupa_feminina": Category(
        "fashion-female-clothing", "Fashion Female Clothing", "fashion"
    ),
    "fashion_roupa_masculina": Category(
        "fashion-male-clothing", "Fashion Male Clothing", "fashion"
    ),
    "fashion_calcados": Category("fashion-shoes", "Fashion Shoes", "fashion"),
    "fashion_esporte": Category("fashion-sport", "Fashion Sport", "fashion"),
    "fashion_underwear_e_moda_praia": Category(
        "fashion-underwear-beach", "Underwear & Beachwear", "fashion"
    ),
    "malas_acessorios": Category("luggage-accessories", "Luggage & Accessories", "fashion"),
    "relogios_presentes": Category("watches-gifts", "Watches & Gifts", "fashion"),
    "fraldas_higiene": Category("diapers-and-hygiene", "Diapers & Hygiene", "health-beauty"),
    "beleza_saude": Category("health-beauty", "Health & Beauty", "health-beauty"),
    "perfumaria": Category("perfumery", "Perfumery", "health-beauty"),
    "instrumentos_musicais": Category(
        "musical-instruments", "Musical Instruments", "sports-leisure"
    ),
    "esporte_lazer": Category("sports-leisure", "Sports & Leisure", "sports-leisure"),
    "bebes": Category("baby", "Baby", "baby-toys"),
    "brinquedos": Category("toys", "Toys", "baby-toys"),
    "livros_interesse_geral": Category(
        "books-general-interest", "Books General Interest", "books-media"
    ),
    "livros_importados": Category("books-imported", "Books Imported", "books-media"),
    "livros_tecnicos": Category("books-technical", "Books Technical", "books-media"),
    "cds_dvds_musicais": Category("cds-dvds-music", "CDs & DVDs", "books-media"),
    "dvds_blu_ray": Category("dvds-blu-ray", "DVDs & Blu-ray", "books-media"),
    "musica": Category("music", "Music", "books-media"),
    "bebidas": Category("drinks", "Drinks", "food-drink"),
    "alimentos": Category("food", "Food", "food-drink"),
    "alimentos_bebidas": Category("food-drink", "Food & Drink", "food-drink"),
    "construcao_ferramentas_construcao": Category(
        "construction-tools-construction", "Construction Tools Construction", "tools-construction"
    ),
    "construcao_ferramentas_jardim": Category(
        "construction-tools-garden", "Construction Tools Garden", "tools-construction"
    ),
    "construcao_ferramentas_iluminacao": Category(
        "construction-tools-lights", "Construction Tools Lights", "tools-construction"
    ),
    "construcao_ferramentas_seguranca": Category(
        "construction-tools-safety", "Construction Tools Safety", "tools-construction"
    ),
    "construcao_ferramentas_ferramentas": Category(
        "construction-tools-tools", "Construction Tools Tools", "tools-construction"
    ),
    "ferramentas_jardim": Category("garden-tools", "Garden Tools", "tools-construction"),
    "casa_construcao": Category("home-construction", "Home Construction", "tools-construction"),
    "sinalizacao_e_seguranca": Category(
        "signaling-and-security", "Signaling & Safety", "tools-construction"
    ),
    "agro_industria_e_comercio": Category(
        "agro-industry-and-commerce", "Agro Industry & Commerce", "auto-business"
    ),
    "automotivo": Category("auto", "Automotive", "auto-business"),
    "industria_comercio_e_negocios": Category(
        "industry-commerce-and-business", "Industry, Commerce & Business", "auto-business"
    ),
    "market_place": Category("market-place", "Marketplace", "auto-business"),
    "seguros_e_servicos": Category(
        "security-and-services", "Insurance & Services", "auto-business"
    ),
    "artes": Category("art", "Art", "gifts-party-art"),
    "artes_e_artesanato": Category(
        "arts-and-craftmanship", "Arts & Craftsmanship", "gifts-party-art"
    ),
    "artigos_de_natal": Category("christmas-supplies", "Christmas Supplies", "gifts-party-art"),
    "cool_stuff": Category("cool-stuff", "Cool Stuff", "gifts-party-art"),
    "flores": Category("flowers", "Flowers", "gifts-party-art"),
    "artigos_de_festas": Category("party-supplies", "Party Supplies", "gifts-party-art"),
    "papelaria": Category("stationery", "Stationery", "gifts-party-art"),
}
CATEGORIES = {
    source: Category(c.slug, c.name, c.department, source) for source, c in CATEGORIES.items()
}
BY_SLUG: dict[str, Category] = {c.slug: c for c in CATEGORIES.values()} | {
    UNCATEGORISED.slug: UNCATEGORISED
}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class CategoryTree:
    """The built-in categories plus staff-created ones (``custom``, which never shadow a
    built-in slug or source name)."""

    def __init__(self, custom: list[Category] = ()) -> None:
        self.custom = [c for c in custom if c.slug not in BY_SLUG]
        self.by_slug: dict[str, Category] = BY_SLUG | {c.slug: c for c in self.custom}
        self._by_source = {c.source_name: c for c in self.custom if c.source_name} | CATEGORIES

    def get(self, slug: str) -> Category:
        """The category with this slug; Uncategorised for an unknown one (a deleted
        category's products)."""
        return self.by_slug.get(slug, UNCATEGORISED)

    def resolve(self, name: str) -> Category | None:
        """The category for a slug or an import (source) name; the empty name is
        Uncategorised; None if unknown."""
        name = (name or "").strip()
        if not name:
            return UNCATEGORISED
        return self._by_source.get(name) or self.by_slug.get(name)

    def in_department(self, department: str) -> list[str]:
        return [slug for slug, c in self.by_slug.items() if c.department == department]


BUILT_IN = CategoryTree()


def category_for(name: str, tree: CategoryTree = BUILT_IN) -> Category | None:
    """The category for an import name (Olist's Portuguese name) or a slug in ``tree``;
    the empty name is Uncategorised; None if unknown."""
    return tree.resolve(name)


def product_title(product_id: str, category: Category) -> str:
    """A deterministic readable title: ``"Perfumery 1e9e8e"``; ``"Product 1e9e8e"`` when
    uncategorised."""
    label = "Product" if category is UNCATEGORISED else category.name
    return f"{label} {product_id[:6]}"


def offer_id(product_id: str, seller_id: str) -> str:
    """A stable offer id for a product x seller pair, so re-imports address the same offer."""
    digest = hashlib.sha256(f"{product_id}|{seller_id}".encode()).hexdigest()[:20]
    return f"off_{digest}"


def content_hash(fields: dict[str, Any]) -> str:
    """Hash of an item's imported fields: equal hashes mean a re-import changes nothing."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()[:32]


class RowError(ValueError):
    """A CSV row that cannot be imported; the message is the reason in the import report."""


def _source_id(row: dict, column: str) -> str:
    value = (row.get(column) or "").strip().lower()
    if not _SOURCE_ID.match(value):
        raise RowError(f"{column} must be 32 hexadecimal characters")
    return value


def _count(row: dict, column: str) -> int | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise RowError(f"{column} is not a number: {value!r}") from exc
    if number < 0 or number != int(number):
        raise RowError(f"{column} must be a whole number of at least 0")
    return int(number)


def _money(row: dict, column: str, minimum: int) -> int:
    try:
        amount = Money.parse(row.get(column) or "", CURRENCY).amount
    except InvalidAmount as exc:
        raise RowError(f"{column}: {exc}") from exc
    if amount < minimum:
        raise RowError(f"{column} must be at least {Money(minimum, CURRENCY).format()}")
    return amount


def parse_product(row: dict, tree: CategoryTree = BUILT_IN) -> dict:
    """products.csv row -> product fields. Raises RowError (unknown category, bad numbers)."""
    product_id = _source_id(row, "product_id")
    category = category_for(row.get("product_category_name", ""), tree)
    if category is None:
        raise RowError(f"unknown category {row.get('product_category_name')!r}")
    dimensions = {k: _count(row, f"product_{k}_cm") for k in ("length", "height", "width")}
    return {
        "product_id": product_id,
        "title": product_title(product_id, category),
        "category": category.slug,
        "weight_g": _count(row, "product_weight_g"),
        "length_cm": dimensions["length"],
        "height_cm": dimensions["height"],
        "width_cm": dimensions["width"],
        "photo_count": _count(row, "product_photos_qty"),
        "source_name_length": _count(row, "product_name_lenght"),
        "source_description_length": _count(row, "product_description_lenght"),
    }


def parse_seller(row: dict) -> dict:
    """sellers.csv row -> seller fields. Raises RowError."""
    seller_id = _source_id(row, "seller_id")
    state = (row.get("seller_state") or "").strip().upper()
    if state not in BR_STATES:
        raise RowError(f"seller_state must be a Brazilian UF, got {state!r}")
    zip_prefix = (row.get("seller_zip_code_prefix") or "").strip()
    if not re.fullmatch(r"\d{4,5}", zip_prefix):
        raise RowError("seller_zip_code_prefix must be 4 or 5 digits")
    city = (row.get("seller_city") or "").strip()
    if not city:
        raise RowError("seller_city is empty")
    return {"seller_id": seller_id, "city": city, "state": state, "zip_prefix": zip_prefix.zfill(5)}


def parse_offer(row: dict) -> dict:
    """offers.csv row -> offer fields (price and freight in centavos). Raises RowError."""
    product_id = _source_id(row, "product_id")
    seller_id = _source_id(row, "seller_id")
    return {
        "offer_id": offer_id(product_id, seller_id),
        "product_id": product_id,
        "seller_id": seller_id,
        "price": _money(row, "price", 1),
        "freight": _money(row, "freight_value", 0),
        "times_sold": _count(row, "times_sold") or 0,
    }
