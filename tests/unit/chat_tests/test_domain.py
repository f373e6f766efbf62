"""The chat context's pure rules."""

from __future__ import annotations

import pytest

from chat import domain


def test_who_is_who_in_a_conversation():
    assert domain.party("acct_a", None, "acct_a", "s1").side == "BUYER"
    assert domain.party("acct_b", "s1", "acct_a", "s1").side == "SELLER"
    assert domain.party("acct_b", "s1", "acct_a", "s1").other == "BUYER"
    assert domain.party("acct_b", "s2", "acct_a", "s1") is None
    assert domain.party("acct_c", None, "acct_a", "s1") is None


def test_messages_are_trimmed_masked_and_bounded():
    assert domain.cleaned("  oi  ") == ("oi", [])
    assert domain.cleaned("site www.loja.com.br") == ("site [hidden]", ["link"])
    with pytest.raises(ValueError):
        domain.cleaned("x" * (domain.MAX_TEXT_CHARS + 1))
    assert domain.preview("a\n b") == "a b"
    assert len(domain.preview("x" * 200)) == 80


@pytest.mark.parametrize(
    "seconds, bucket", [(0, 0), (60, 0), (61, 1), (900, 2), (43200, 8), (10**7, 11)]
)
def test_response_times_fall_in_buckets(seconds, bucket):
    assert domain.response_bucket(seconds) == bucket


def test_median_and_rate():
    assert domain.median_bound([]) is None
    assert domain.median_bound([0] * 12) is None
    assert domain.median_bound([1, 0, 1] + [0] * 9) == 60
    assert domain.median_bound([0, 1, 1, 1] + [0] * 8) == 900
    assert domain.median_bound([0] * 11 + [3]) is None  # slower than the last bound
    assert domain.response_rate(0, 0) is None
    assert domain.response_rate(3, 1) == 0.333
    assert domain.response_rate(2, 5) == 1.0
