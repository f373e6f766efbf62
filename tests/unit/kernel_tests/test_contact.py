"""Contact data in people's words (titan.contact): found for reviews, masked for chat."""

from __future__ import annotations

import pytest

from titan import contact


@pytest.mark.parametrize(
    "text, found",
    [
        ("me liga (11) 98765-4321", ["phone"]),
        ("whatsapp 11987654321", ["phone", "messenger"]),
        ("+55 21 3456-7890 fixo", ["phone"]),
        ("escreva para joao.silva@gmail.com", ["email"]),
        ("compre em https://outraloja.example/x", ["link"]),
        ("mais barato na loja.com.br", ["link"]),
        ("meu cpf 529.982.247-25", ["cpf"]),
        ("cpf 52998224725", ["phone", "cpf"]),
    ],
)
def test_contact_data_is_found(text, found):
    assert contact.contact_data(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Comprei no dia 29/04/2018 para ser entregue no dia 15/05/2018.",
        "Paguei R$ 1.234,56 e chegou em 3 dias, pedido 12345678.",
        "Cartucho HP 670 XL original, nota 10",
        "veio com outro nome.me dei mal",
        "cpf 529.982.247-26 não é um cpf",  # wrong check digit
        "11111111111",
    ],
)
def test_ordinary_numbers_and_typos_are_not_contact_data(text):
    assert contact.contact_data(text) == []


def test_cpf_check_digits():
    assert contact.cpf_valid("52998224725")
    assert not contact.cpf_valid("52998224726")
    assert not contact.cpf_valid("00000000000")
    assert not contact.cpf_valid("5299822472")


@pytest.mark.parametrize(
    "text, masked",
    [
        ("me liga (11) 98765-4321 amanhã", "me liga [hidden] amanhã"),
        ("escreva para joao.silva@gmail.com ok", "escreva para [hidden] ok"),
        ("veja https://outraloja.example/x e loja.com.br", "veja [hidden] e [hidden]"),
        ("meu cpf 529.982.247-25", "meu cpf [hidden]"),
        ("chama no zap 9 8765 4321", "chama no zap [hidden]"),
    ],
)
def test_contact_data_is_masked(text, masked):
    result, found = contact.mask(text)
    assert result == masked
    assert found


def test_words_without_contact_data_are_left_alone():
    text = "O pedido 12345678 chegou dia 15/05/2018, paguei R$ 1.234,56."
    assert contact.mask(text) == (text, [])
