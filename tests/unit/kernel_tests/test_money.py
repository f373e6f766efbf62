import pytest

from titan.money import CurrencyMismatch, InvalidAmount, Money


def test_parse_is_exact_in_minor_units():
    assert Money.parse("34.99", "BRL") == Money(3499, "BRL")
    assert Money.parse("0.1", "BRL").amount == 10
    assert Money.parse("220", "BRL").amount == 22000
    assert Money.parse("1000", "JPY").amount == 1000


@pytest.mark.parametrize("text", ["abc", "", "1.234", "NaN", "inf", "1e400x"])
def test_parse_refuses_what_is_not_an_amount(text):
    with pytest.raises(InvalidAmount):
        Money.parse(text, "BRL")


def test_floats_and_unknown_currencies_are_refused():
    with pytest.raises(InvalidAmount):
        Money(10.5, "BRL")
    with pytest.raises(InvalidAmount):
        Money(True, "BRL")
    with pytest.raises(InvalidAmount):
        Money(100, "XXX")


def test_arithmetic_keeps_the_currency_and_refuses_mixing():
    assert Money(100, "BRL") + Money(250, "BRL") == Money(350, "BRL")
    assert Money(100, "BRL") - Money(250, "BRL") == Money(-150, "BRL")
    assert Money(1999, "BRL").times(3) == Money(5997, "BRL")
    with pytest.raises(CurrencyMismatch):
        Money(1, "BRL") + Money(1, "USD")


def test_percent_rounds_half_even():
    assert Money(1000, "BRL").percent(1250) == Money(125, "BRL")
    assert Money(5, "BRL").percent(5000) == Money(2, "BRL")  # 2.5 -> 2
    assert Money(7, "BRL").percent(5000) == Money(4, "BRL")  # 3.5 -> 4


def test_allocate_never_loses_a_minor_unit():
    shares = Money(1000, "BRL").allocate([1, 1, 1])
    assert [s.amount for s in shares] == [334, 333, 333]
    assert sum(s.amount for s in shares) == 1000
    shares = Money(101, "BRL").allocate([70, 30])
    assert [s.amount for s in shares] == [71, 30]
    with pytest.raises(ValueError):
        Money(1, "BRL").allocate([0, 0])


def test_api_shape_round_trips():
    money = Money(3499, "BRL")
    assert money.to_dict() == {"amount": 3499, "currency": "BRL"}
    assert Money.from_dict(money.to_dict()) == money
    assert money.format() == "34.99 BRL"
