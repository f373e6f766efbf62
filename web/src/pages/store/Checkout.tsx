import { Button, Card, Grid, Group, Radio, Select, SimpleGrid, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";
import { api, newKey, ok, type Schemas } from "../../api/client";
import { Loading, ProblemAlert, SignedInPage } from "../../components/common";
import { useCart } from "../../components/Layout";
import { day, money } from "../../format";
import { AddressForm } from "./Addresses";

type Method = "card" | "debit_card" | "boleto" | "wallet" | "voucher";
/** The front offers up to 12 interest-free installments of at least R$ 5,00 each. */
const MAX_INSTALLMENTS = 12;
const MIN_INSTALLMENT = 500;

function installmentChoices(total: number, label: (n: number, each: string) => string) {
  const most = Math.max(1, Math.min(MAX_INSTALLMENTS, Math.floor(total / MIN_INSTALLMENT)));
  return Array.from({ length: most }, (_, i) => ({ value: String(i + 1), label: label(i + 1, money(Math.ceil(total / (i + 1)))) }));
}

function AddressStep({ value, onChange }: { value: string | null; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState(false);
  const addresses = useQuery({ queryKey: ["addresses"], queryFn: () => ok(api().GET("/me/addresses")) });
  const items = addresses.data?.items ?? [];
  useEffect(() => {
    if (!value && items.length) onChange((items.find((a) => a.isDefault) ?? items[0]).addressId);
  }, [items, value, onChange]);
  if (addresses.isPending) return <Loading />;
  return (
    <Stack>
      <ProblemAlert error={addresses.error} />
      <Radio.Group value={value ?? ""} onChange={onChange} label={t("Deliver to")}>
        <Stack gap="xs" mt="xs">
          {items.map((a) => (
            <Radio key={a.addressId} value={a.addressId} label={`${a.recipientName}: ${a.street}, ${a.number}${a.complement ? ` ${a.complement}` : ""}, ${a.city}/${a.state}, ${a.postalCode}`} />
          ))}
        </Stack>
      </Radio.Group>
      {adding || !items.length ? (
        <AddressForm onSaved={(id) => { setAdding(false); onChange(id); }} />
      ) : (
        <Button variant="subtle" w="fit-content" onClick={() => setAdding(true)}>{t("Add an address")}</Button>
      )}
    </Stack>
  );
}

function shippingOptions(addressId: string | null, enabled: boolean) {
  return {
    queryKey: ["shipping-options", addressId],
    queryFn: () => ok(api().GET("/cart/shipping-options", { params: { query: { addressId: addressId! } } })),
    enabled: !!addressId && enabled,
  };
}

function ShippingStep({ addressId, choices, onChoose }: { addressId: string; choices: Record<string, string>; onChoose: (sellerId: string, service: string) => void }) {
  const { t } = useTranslation();
  const options = useQuery(shippingOptions(addressId, true));
  useEffect(() => {
    // Each package starts on its cheapest option (listed first), chosen explicitly.
    for (const pkg of options.data?.packages ?? []) {
      if (!choices[pkg.sellerId] && pkg.options[0]) onChoose(pkg.sellerId, pkg.options[0].service);
    }
  }, [options.data, choices, onChoose]);
  if (options.isPending) return <Loading />;
  if (options.error) return <ProblemAlert error={options.error} />;
  return (
    <Stack>
      {options.data.packages.map((pkg, i) => (
        <Radio.Group
          key={pkg.sellerId}
          label={t("Package {{n}} ({{count}} items)", { n: i + 1, count: pkg.lineIds.length })}
          value={choices[pkg.sellerId] ?? null}
          onChange={(service) => onChoose(pkg.sellerId, service)}
        >
          <Stack gap={4} mt="xs">
            {pkg.options.map((o: Schemas["ShippingOptionOut"]) => (
              <Radio key={o.service} value={o.service} label={`${o.name} (${o.carrier}): ${money(o.total)}, ${t("arrives by {{date}}", { date: day(o.promisedBy) })}`} />
            ))}
          </Stack>
        </Radio.Group>
      ))}
    </Stack>
  );
}

interface CardFields { number: string; holderName: string; expiry: string; cvc: string }

function PaymentStep({ total, method, setMethod, card, setCard, installments, setInstallments, voucher, setVoucher }: {
  total: number; method: Method; setMethod: (m: Method) => void; card: CardFields; setCard: (c: CardFields) => void;
  installments: string; setInstallments: (n: string) => void; voucher: string; setVoucher: (v: string) => void;
}) {
  const { t } = useTranslation();
  const wallet = useQuery({ queryKey: ["wallet"], queryFn: () => ok(api().GET("/wallet")), enabled: method === "wallet" });
  const choices = installmentChoices(total, (n, each) => (n === 1 ? t("1x {{each}} (in full)", { each }) : t("{{n}}x {{each}} interest-free", { n, each })));
  return (
    <Stack>
      <Radio.Group value={method} onChange={(m) => setMethod(m as Method)} label={t("Pay with")}>
        <SimpleGrid cols={{ base: 1, xs: 2 }} mt="xs">
          <Radio value="card" label={t("Credit card")} />
          <Radio value="debit_card" label={t("Debit card")} />
          <Radio value="boleto" label={t("Boleto")} />
          <Radio value="wallet" label={t("Wallet balance")} />
          <Radio value="voucher" label={t("Gift voucher")} />
        </SimpleGrid>
      </Radio.Group>
      {(method === "card" || method === "debit_card") && (
        <Grid gap="xs">
          <Grid.Col span={12}><TextInput label={t("Card number")} inputMode="numeric" autoComplete="cc-number" value={card.number} onChange={(e) => setCard({ ...card, number: e.currentTarget.value })} required /></Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}><TextInput label={t("Name on the card")} autoComplete="cc-name" value={card.holderName} onChange={(e) => setCard({ ...card, holderName: e.currentTarget.value })} /></Grid.Col>
          <Grid.Col span={{ base: 6, sm: 3 }}><TextInput label={t("Expiry (MM/YY)")} autoComplete="cc-exp" placeholder="12/30" value={card.expiry} onChange={(e) => setCard({ ...card, expiry: e.currentTarget.value })} /></Grid.Col>
          <Grid.Col span={{ base: 6, sm: 3 }}><TextInput label="CVC" inputMode="numeric" autoComplete="cc-csc" value={card.cvc} onChange={(e) => setCard({ ...card, cvc: e.currentTarget.value })} /></Grid.Col>
          {method === "card" && (
            <Grid.Col span={12}><Select label={t("Installments")} data={choices} value={installments} onChange={(v) => setInstallments(v ?? "1")} allowDeselect={false} /></Grid.Col>
          )}
        </Grid>
      )}
      {method === "boleto" && <Text size="sm">{t("The boleto is issued with the order; the order is confirmed once it is paid.")}</Text>}
      {method === "wallet" && <Text size="sm">{t("Balance")}: {wallet.data ? money(wallet.data.balance) : "…"}</Text>}
      {method === "voucher" && <TextInput label={t("Voucher code")} value={voucher} onChange={(e) => setVoucher(e.currentTarget.value.toUpperCase())} />}
    </Stack>
  );
}

function cardIn(card: CardFields): Schemas["CardIn"] {
  const [month, year] = card.expiry.split("/").map((p) => Number(p.trim()));
  return {
    number: card.number.replace(/\D/g, ""),
    holderName: card.holderName || null,
    expMonth: month || null,
    expYear: year ? (year < 100 ? 2000 + year : year) : null,
    cvc: card.cvc || null,
  };
}

function CheckoutForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params] = useSearchParams();
  const reservationId = params.get("reservation");
  const reservationItems = Number(params.get("items") ?? 0);
  const reservationFreight = Number(params.get("freight") ?? 0);
  const cart = useCart();
  const [addressId, setAddressId] = useState<string | null>(null);
  const [shipping, setShipping] = useState<Record<string, string>>({});
  const choose = useCallback((sellerId: string, service: string) => setShipping((now) => ({ ...now, [sellerId]: service })), []);
  const [method, setMethod] = useState<Method>("card");
  const [card, setCard] = useState<CardFields>({ number: "", holderName: "", expiry: "", cvc: "" });
  const [installments, setInstallments] = useState("1");
  const [voucher, setVoucher] = useState("");
  const [coupon, setCoupon] = useState("");
  // One key per attempt: a double click or a retry after a lost answer places one order.
  const key = useMemo(() => newKey(), [addressId, method, card, installments, voucher, coupon, shipping]);

  const place = useMutation({
    mutationFn: () =>
      ok(
        api().POST("/checkout", {
          headers: { "Idempotency-Key": key },
          body: {
            shippingAddressId: addressId!,
            reservationId: reservationId || null,
            couponCode: coupon.trim() || null,
            shipping: reservationId ? null : Object.entries(shipping).map(([sellerId, service]) => ({ sellerId, service })),
            payments: [
              {
                method,
                installments: method === "card" ? Number(installments) : 1,
                card: method === "card" || method === "debit_card" ? cardIn(card) : null,
                voucherCode: method === "voucher" ? voucher : null,
              },
            ],
          },
        }),
      ),
    onSuccess: (order) => {
      void queries.invalidateQueries({ queryKey: ["cart"] });
      void queries.invalidateQueries({ queryKey: ["orders"] });
      navigate(`/orders/${order.orderId}?placed=1`);
    },
  });

  const options = useQuery(shippingOptions(addressId, !reservationId));
  const chosen = (options.data?.packages ?? []).map((pkg) => pkg.options.find((o) => o.service === shipping[pkg.sellerId]));
  const freight = reservationId
    ? reservationFreight
    : chosen.length && chosen.every(Boolean)
      ? chosen.reduce((sum, o) => sum + o!.total.amount, 0)
      : (cart.data?.freight.amount ?? 0);
  if (!reservationId && cart.isPending) return <Loading />;
  const subtotal = reservationId ? reservationItems : (cart.data?.subtotal.amount ?? 0);
  const total = subtotal + freight;
  if (!reservationId && cart.data && !cart.data.lines.length) return <Text>{t("Your cart is empty.")}</Text>;
  // Not a <form>: the address form nests in it (forms cannot nest).
  return (
    <div>
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack>
            <Card withBorder><Title order={2} size="h4" mb="xs">1. {t("Address")}</Title><AddressStep value={addressId} onChange={setAddressId} /></Card>
            {!reservationId && addressId && (
              <Card withBorder><Title order={2} size="h4" mb="xs">2. {t("Shipping")}</Title>
                <ShippingStep addressId={addressId} choices={shipping} onChoose={choose} />
              </Card>
            )}
            <Card withBorder><Title order={2} size="h4" mb="xs">3. {t("Payment")}</Title>
              <PaymentStep total={total} method={method} setMethod={setMethod} card={card} setCard={setCard} installments={installments} setInstallments={setInstallments} voucher={voucher} setVoucher={setVoucher} />
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder>
            <Title order={2} size="h4" mb="xs">{t("Summary")}</Title>
            {reservationId && <Text size="sm">{t("Flash sale reservation")}</Text>}
            <Group justify="space-between"><Text>{t("Subtotal")}</Text><Text>{money(subtotal)}</Text></Group>
            <Group justify="space-between"><Text>{t("Shipping")}</Text><Text>{money(freight)}</Text></Group>
            <Group justify="space-between" mt="xs"><Text fw={700}>{t("Total")}</Text><Text fw={700} data-testid="checkout-total">{money(total)}</Text></Group>
            <Text size="xs" c="dimmed">{t("Coupons are applied when the order is placed.")}</Text>
            <TextInput mt="md" label={t("Coupon code")} value={coupon} onChange={(e) => setCoupon(e.currentTarget.value.toUpperCase())} />
            <ProblemAlert error={place.error} title={t("The order was not placed")} />
            <Button mt="md" fullWidth loading={place.isPending} disabled={!addressId} onClick={() => place.mutate()}>
              {t("Place order")}
            </Button>
          </Card>
        </Grid.Col>
      </Grid>
    </div>
  );
}

export function Checkout() {
  const { t } = useTranslation();
  return <SignedInPage title={t("Checkout")}><CheckoutForm /></SignedInPage>;
}
