"""Brazilian banks payouts may go to: COMPE codes and names.

Source: Banco Central do Brasil, "Relação dos participantes do STR" (the instant and
real-time settlement participants, with their COMPE codes), the banks and payment
institutions that hold most Brazilian accounts. A code not here is refused (422
``BANK_UNKNOWN``); adding one is adding a line.
"""

BANKS = {
    "001": "Banco do Brasil",
    "033": "Santander",
    "041": "Banrisul",
    "070": "BRB",
    "077": "Banco Inter",
    "104": "Caixa Econômica Federal",
    "208": "BTG Pactual",
    "212": "Banco Original",
    "237": "Bradesco",
    "260": "Nu Pagamentos (Nubank)",
    "290": "PagSeguro",
    "318": "Banco BMG",
    "323": "Mercado Pago",
    "336": "C6 Bank",
    "341": "Itaú Unibanco",
    "380": "PicPay",
    "389": "Banco Mercantil do Brasil",
    "422": "Banco Safra",
    "633": "Banco Rendimento",
    "637": "Banco Sofisa",
    "655": "Banco Votorantim",
    "707": "Banco Daycoval",
    "745": "Citibank",
    "746": "Banco Modal",
    "748": "Sicredi",
    "756": "Sicoob",
}
