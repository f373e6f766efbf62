"""The reviews context's pure rules: what moderation finds, on made-up and on real reviews;
Wilson's bound; how ratings move."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reviews import domain

REVIEWS_CSV = Path(__file__).resolve().parents[3] / "infra/seed/olist/orders/reviews.csv"


def test_profanity_in_portuguese_and_english_whole_words_only():
    assert domain.profanity("que merda de produto") == ["merda"]
    assert domain.profanity("this is shit") == ["shit"]
    assert domain.profanity("veio num saco plástico") == []
    assert domain.profanity("computador excelente, recomendo") == []
    assert domain.profanity("") == []


def test_the_same_long_text_has_one_fingerprint_short_ones_none():
    a = domain.fingerprint("Ótimo", "Produto chegou antes do prazo, muito bem embalado!")
    b = domain.fingerprint("otimo", "produto chegou antes do prazo muito bem embalado")
    assert a is not None and a == b
    assert domain.fingerprint("", "Ótimo produto, recomendo") is None


def test_moderation_publishes_clean_reviews_and_holds_with_every_finding():
    clean = domain.moderate("Recomendo", "Chegou rápido e bem embalado.", domain.Signals())
    assert clean.status == domain.PUBLISHED and clean.counted and clean.reasons == []
    dirty = domain.moderate("", "que merda, liga 11 98765-4321", domain.Signals())
    assert dirty.status == domain.HELD
    assert [r["code"] for r in dirty.reasons] == ["CONTACT_DATA", "PROFANITY"]
    assert dirty.counted  # the words are held; the buyer's stars are real
    copied = domain.moderate("", "x" * 50, domain.Signals(same_text_accounts=2))
    assert copied.status == domain.HELD and not copied.counted
    burst = domain.moderate("", "", domain.Signals(subject_reviews_this_hour=21))
    assert [r["code"] for r in burst.reasons] == ["BURST"] and not burst.counted
    at_limit = domain.moderate("", "", domain.Signals(subject_reviews_this_hour=20))
    assert at_limit.status == domain.PUBLISHED
    spam = domain.moderate("Promoção", "www.outraloja.com.br zap 11 98765-4321", domain.Signals())
    assert spam.status == domain.REJECTED and not spam.counted
    assert spam.reasons == [{"code": "SPAM", "detail": "link, phone, messenger"}]


def test_stars_count_unless_suspected_judged_not_genuine_or_deleted():
    assert domain.counts(domain.PUBLISHED, ["BURST"])  # staff published it
    assert domain.counts(domain.HELD, ["PROFANITY"])
    assert not domain.counts(domain.HELD, ["DUPLICATE_TEXT"])
    assert domain.counts(domain.REJECTED, ["PROFANITY", "REJECTED"])
    assert not domain.counts(domain.REJECTED, ["REJECTED", "NOT_GENUINE"])
    assert not domain.counts(domain.DELETED, [])


def test_rating_delta_moves_one_review_between_scores():
    assert domain.rating_delta(None, (5, True)) == {5: 1}
    assert domain.rating_delta((5, True), (2, True)) == {5: -1, 2: 1}
    assert domain.rating_delta((4, True), (4, True)) == {}
    assert domain.rating_delta((4, True), (4, False)) == {4: -1}
    assert domain.rating_delta((4, False), None) == {}
    rating = domain.Rating((1, 0, 0, 1, 2))
    assert (rating.count, rating.total, rating.average) == (4, 1 + 4 + 10, 3.75)
    assert domain.Rating().average is None


def test_wilson_lower_bound_prefers_many_votes_to_one():
    assert domain.wilson_lower_bound(0, 0) == 0.0
    one = domain.wilson_lower_bound(1, 1)
    ninety = domain.wilson_lower_bound(90, 100)
    assert one == pytest.approx(0.2065, abs=1e-4)  # Evan Miller's worked values
    assert ninety == pytest.approx(0.8256, abs=1e-4)
    assert ninety > one
    assert domain.helpfulness_rank(9, 1, 0) == pytest.approx(2 * domain.helpfulness_rank(9, 1, 365))


def test_moderation_holds_few_real_reviews_and_says_why():
    """The 1,995 real Olist reviews: what moderation's word checks hold (docs/reviews.md lists
    them). More than 1% would be too eager for real customers' words."""
    rows = list(csv.DictReader(REVIEWS_CSV.open(encoding="utf-8")))
    assert len(rows) == 1995
    held = {}
    for row in rows:
        verdict = domain.moderate(
            row["review_comment_title"], row["review_comment_message"], domain.Signals()
        )
        if verdict.status == domain.HELD:
            held[row["review_id"]] = [r["code"] for r in verdict.reasons]
    assert len(held) <= len(rows) // 100
    assert held == {
        "4fd3d9be6e354b0ffc52f94594ea9758": ["PROFANITY"],  # "enchendo o saco" (vulgar slang)
        "5ba552f6a978e273f1a89dcbcb15c590": ["CONTACT_DATA"],  # names a shop's website
        "63389d1e0bcf5a7b45a40f61491ca6ea": ["PROFANITY"],  # "sacanagem"
        "ed77ab117ee482ebaa2314f13d95a4dd": ["CONTACT_DATA"],  # names a shop's website
    }
