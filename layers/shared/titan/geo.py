"""Geography shared by every context. The Olist data is Brazilian."""

#: Brazil's 26 states and the Federal District (UF codes, IBGE).
BR_STATES = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)
