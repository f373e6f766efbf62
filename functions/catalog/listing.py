"""Pure rules of a seller's listing: variants and their SKUs, barcodes, the attributes each
category takes, and the prohibited-item check of moderation.

- **Options and variants.** A product names up to 3 options (``Size``, ``Colour``), each
  with up to 30 values; each variant picks one value of every option, and no two variants
  pick the same values. A product without options has exactly one variant. Each variant is
  one SKU: its own price, freight, stock, barcode and images (in the catalog table, a
  variant is an offer of its seller, addressed by ``skuId``).
- **GTIN** (EAN-8, UPC-A, EAN-13, GTIN-14): digits whose last is the GS1 modulo-10 check
  digit (GS1 General Specifications, section 7.9: weights 3 and 1 from the right).
- **Category attributes**: a typed set per department, with extra sets for some categories
  (``ATTRIBUTE_SETS``): text, one of a list, or a number in a range; required or not.
- **Prohibited items** (moderation's automatic rule): a product whose title, description or
  attributes name something the marketplace does not sell (weapons, drugs, prescription
  medicines, counterfeits, live animals, tobacco; in Portuguese and English) is rejected
  with reason ``PROHIBITED_ITEM`` and the words found. What passes goes to staff review.

Every refusal is a ``FieldRefused`` naming the body field it concerns.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from titan.errors import FieldRefused

MAX_OPTIONS = 3
MAX_OPTION_VALUES = 30
MAX_VARIANTS = 100
MAX_IMAGES = 8
#: Thumbnail widths and heights (pixels, fitted inside a square) made of every image.
THUMBNAIL_SIZES = (200, 600)
#: moderation states of a seller's product
DRAFT, SUBMITTED, PUBLISHED, REJECTED = "DRAFT", "SUBMITTED", "PUBLISHED", "REJECTED"
#: action -> (states it may start from, the state it leads to)
MODERATION = {
    "submit": ((DRAFT, REJECTED), SUBMITTED),
    "publish": ((SUBMITTED,), PUBLISHED),
    "reject": ((SUBMITTED, PUBLISHED), REJECTED),
}
#: Reasons staff (or the automatic rule) give for a rejection.
REJECTION_REASONS = (
    "PROHIBITED_ITEM",
    "MISLEADING_LISTING",
    "POOR_IMAGES",
    "WRONG_CATEGORY",
    "COUNTERFEIT",
    "OTHER",
)


class Refused(FieldRefused):
    """A listing rule refused a field."""


def gtin_valid(code: str) -> bool:
    """True for 8, 12, 13 or 14 digits ending in their GS1 modulo-10 check digit."""
    if not re.fullmatch(r"\d{8}|\d{12,14}", code or ""):
        return False
    digits = [int(d) for d in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _name(value: str) -> str:
    return " ".join(value.split())


def check_options(options: list[dict]) -> list[dict]:
    """``[{name, values}]`` cleaned (spaces collapsed). Raises Refused OPTIONS_INVALID on
    too many options or values, a repeated option name or a repeated value."""
    if len(options) > MAX_OPTIONS:
        raise Refused(f"At most {MAX_OPTIONS} options.", "OPTIONS_INVALID", "options")
    cleaned, names = [], set()
    for i, option in enumerate(options):
        name = _name(option["name"])
        values = [_name(v) for v in option["values"]]
        if name.casefold() in names:
            raise Refused(f"Option {name!r} is named twice.", "OPTIONS_INVALID", f"options.{i}")
        if not values or len(values) > MAX_OPTION_VALUES:
            raise Refused(
                f"An option has 1 to {MAX_OPTION_VALUES} values.",
                "OPTIONS_INVALID",
                f"options.{i}.values",
            )
        if len({v.casefold() for v in values}) != len(values):
            raise Refused(
                f"Option {name!r} repeats a value.", "OPTIONS_INVALID", f"options.{i}.values"
            )
        names.add(name.casefold())
        cleaned.append({"name": name, "values": values})
    return cleaned


def combinations(options: list[dict]) -> list[dict[str, str]]:
    """Every choice of one value per option, in the options' order: the SKUs a product with
    these options may have (``[{}]`` for a product without options)."""
    names = [o["name"] for o in options]
    picks = itertools.product(*(o["values"] for o in options))
    return [dict(zip(names, pick, strict=True)) for pick in picks]


def check_variant_choice(
    options: list[dict], choice: dict[str, str], field: str, taken: set[tuple]
) -> dict[str, str]:
    """A variant's ``choice`` ({option name: value}) of ``options``, matched
    case-insensitively and returned in the options' spelling. ``taken``: the choices of the
    product's other variants (this one is added). Raises Refused VARIANT_INVALID (an option
    missing or unknown, a value not offered) or VARIANT_DUPLICATE."""
    given = {_name(k).casefold(): _name(v) for k, v in choice.items()}
    known = {o["name"].casefold() for o in options}
    if set(given) != known:
        raise Refused(
            "A variant picks one value of every option, and only of those.",
            "VARIANT_INVALID",
            field,
        )
    picked = {}
    for option in options:
        value = given[option["name"].casefold()]
        spelled = {v.casefold(): v for v in option["values"]}.get(value.casefold())
        if spelled is None:
            raise Refused(f"{option['name']} has no value {value!r}.", "VARIANT_INVALID", field)
        picked[option["name"]] = spelled
    signature = tuple(picked.values())
    if signature in taken:
        raise Refused("Two variants pick the same values.", "VARIANT_DUPLICATE", field)
    taken.add(signature)
    return picked


def variant_label(choice: dict[str, str]) -> str:
    """``"Size M, Colour Red"``; empty for the only variant of a product without options."""
    return ", ".join(f"{name} {value}" for name, value in choice.items())


def thumbnail_key(image_key: str, size: int) -> str:
    """``uploads/<seller>/<id>.<ext>`` → ``thumbnails/<seller>/<id>-<size>.webp``."""
    stem = image_key.removeprefix("uploads/").rsplit(".", 1)[0]
    return f"thumbnails/{stem}-{size}.webp"


def check_gtin(code: str | None, field: str) -> str | None:
    """Raises Refused GTIN_INVALID unless ``code`` is None or a valid GTIN."""
    if code is not None and not gtin_valid(code):
        raise Refused(
            "The barcode is not a GTIN (8, 12, 13 or 14 digits with a valid check digit).",
            "GTIN_INVALID",
            field,
        )
    return code


# ------------------------------------------------------------------ category attributes


@dataclass(frozen=True)
class Attribute:
    """``kind``: text, choice (one of ``choices``) or number (``low`` to ``high``, ``unit``)."""

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    low: float = 0
    high: float = 0
    unit: str | None = None


BRAND = Attribute("brand", "text", required=True)
CONDITION = Attribute("condition", "choice", required=True, choices=("NEW", "USED", "REFURBISHED"))
VOLTAGE = Attribute("voltage", "choice", required=True, choices=("110V", "220V", "BIVOLT"))
WARRANTY = Attribute("warrantyMonths", "number", low=0, high=120, unit="months")
GENDER = Attribute("gender", "choice", choices=("FEMALE", "MALE", "UNISEX", "KIDS"))
MATERIAL = Attribute("material", "text")
#: Attribute sets by department; categories listed in ``CATEGORY_EXTRAS`` add theirs.
ATTRIBUTE_SETS: dict[str, tuple[Attribute, ...]] = {
    "electronics": (BRAND, CONDITION, WARRANTY, Attribute("model", "text")),
    "home": (BRAND, CONDITION, MATERIAL, WARRANTY),
    "fashion": (BRAND, CONDITION, GENDER, MATERIAL),
    "health-beauty": (
        BRAND,
        Attribute("volumeMl", "number", low=0, high=10_000, unit="ml"),
        Attribute("anvisaRegistration", "text"),
    ),
    "sports-leisure": (BRAND, CONDITION, GENDER),
    "baby-toys": (
        BRAND,
        CONDITION,
        Attribute("minimumAgeMonths", "number", required=True, low=0, high=216, unit="months"),
        Attribute("inmetroCertified", "choice", choices=("YES", "NO")),
    ),
    "books-media": (
        Attribute("author", "text"),
        Attribute("publisher", "text"),
        Attribute("isbn", "text"),
        Attribute("language", "choice", choices=("PT", "EN", "ES", "OTHER")),
        CONDITION,
    ),
    "food-drink": (BRAND, Attribute("shelfLifeDays", "number", low=1, high=3650, unit="days")),
    "tools-construction": (BRAND, CONDITION, VOLTAGE, WARRANTY),
    "auto-business": (BRAND, CONDITION, Attribute("model", "text")),
    "gifts-party-art": (BRAND, MATERIAL),
    "uncategorised": (Attribute("brand", "text"), CONDITION),
}
CATEGORY_EXTRAS: dict[str, tuple[Attribute, ...]] = {
    "home-appliances": (VOLTAGE,),
    "home-appliances-2": (VOLTAGE,),
    "small-appliances": (VOLTAGE,),
    "small-appliances-home-oven-and-coffee": (VOLTAGE,),
    "air-conditioning": (VOLTAGE, Attribute("btus", "number", low=1000, high=100_000)),
    "telephony": (
        Attribute("storageGb", "number", low=1, high=4096, unit="GB"),
        Attribute("screenInches", "number", low=1, high=20, unit="inches"),
    ),
    "computers": (Attribute("storageGb", "number", low=1, high=65_536, unit="GB"),),
    "watches-gifts": (Attribute("waterResistant", "choice", choices=("YES", "NO")),),
    "drinks": (Attribute("alcoholic", "choice", required=True, choices=("YES", "NO")),),
}


def attribute_set(category: str, department: str) -> tuple[Attribute, ...]:
    """The attributes a product of ``category`` (in ``department``) takes."""
    base = ATTRIBUTE_SETS.get(department, ATTRIBUTE_SETS["uncategorised"])
    extra = CATEGORY_EXTRAS.get(category, ())
    names = {a.name for a in extra}
    return tuple(a for a in base if a.name not in names) + extra


def check_attributes(given: dict[str, object], category: str, department: str) -> dict[str, object]:
    """``given`` checked against the category's set: text 1-120 characters, a choice among
    its values, a number within its range. Raises Refused ATTRIBUTE_UNKNOWN,
    ATTRIBUTE_INVALID or ATTRIBUTE_REQUIRED (field ``categoryAttributes.<name>``)."""
    spec = {a.name: a for a in attribute_set(category, department)}
    checked: dict[str, object] = {}
    for name, value in given.items():
        field = f"categoryAttributes.{name}"
        attribute = spec.get(name)
        if attribute is None:
            raise Refused(
                f"{category} products take no attribute {name!r}; they take {', '.join(spec)}.",
                "ATTRIBUTE_UNKNOWN",
                field,
            )
        checked[name] = _checked_value(attribute, value, field)
    for attribute in spec.values():
        if attribute.required and attribute.name not in checked:
            raise Refused(
                f"{category} products need {attribute.name!r}.",
                "ATTRIBUTE_REQUIRED",
                f"categoryAttributes.{attribute.name}",
            )
    return checked


def _checked_value(attribute: Attribute, value: object, field: str) -> object:
    if attribute.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Refused(f"{attribute.name} is a number.", "ATTRIBUTE_INVALID", field)
        if not attribute.low <= value <= attribute.high:
            raise Refused(
                f"{attribute.name} is from {attribute.low:g} to {attribute.high:g}.",
                "ATTRIBUTE_INVALID",
                field,
            )
        return int(value) if float(value).is_integer() else float(value)
    if not isinstance(value, str) or not value.strip() or len(value) > 120:
        raise Refused(f"{attribute.name} is 1 to 120 characters.", "ATTRIBUTE_INVALID", field)
    if attribute.kind == "choice":
        upper = value.strip().upper()
        if upper not in attribute.choices:
            raise Refused(
                f"{attribute.name} is one of {', '.join(attribute.choices)}.",
                "ATTRIBUTE_INVALID",
                field,
            )
        return upper
    return _name(value)


# ------------------------------------------------------------------ prohibited items

#: Words naming what the marketplace does not sell, folded (no accents, lower case). Whole
#: words or phrases; Portuguese and English.
PROHIBITED: dict[str, tuple[str, ...]] = {
    "weapons": (
        "arma de fogo",
        "revolver",
        "pistola",
        "espingarda",
        "municao",
        "firearm",
        "handgun",
        "shotgun",
        "ammunition",
        "soqueira",
        "brass knuckles",
    ),
    "drugs": ("maconha", "cocaina", "cannabis", "marijuana", "cocaine", "lsd", "ecstasy"),
    "prescription medicines": (
        "receita medica",
        "tarja preta",
        "sibutramina",
        "prescription drug",
        "anabolizante",
        "anabolic steroid",
    ),
    "counterfeits": ("replica", "falsificado", "pirata", "counterfeit", "knockoff", "fake"),
    "live animals": ("filhote", "animal vivo", "live animal", "puppy for sale"),
    "tobacco": ("cigarro", "cigarette", "vape", "narguile", "tabaco", "tobacco"),
}


def fold(text: str) -> str:
    """Lower case, accents removed, non-letters as spaces (``"Réplica!"`` → ``"replica "``)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", plain.lower())


def prohibited(*texts: str) -> list[str]:
    """The prohibited categories ``texts`` name (as ``"counterfeits: replica"``), sorted;
    empty when none."""
    words = f" {fold(' '.join(texts))} "
    found = []
    for category, terms in PROHIBITED.items():
        hits = [t for t in terms if f" {t} " in words]
        if hits:
            found.append(f"{category}: {', '.join(hits)}")
    return sorted(found)


def moved(action: str, status: str) -> str:
    """The moderation state ``action`` leads to from ``status``. Raises ValueError when the
    action cannot start there."""
    starts, lands = MODERATION[action]
    if status not in starts:
        raise ValueError(f"A {status} product cannot take {action!r}.")
    return lands
