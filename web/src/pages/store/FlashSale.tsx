import { Badge, Button, Card, Group, NumberInput, Progress, Stack, Text } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok } from "../../api/client";
import { useSession } from "../../auth/useSession";
import { Loading, PageTitle, ProblemAlert } from "../../components/common";
import { Countdown } from "../../components/Countdown";
import { dateTime, money } from "../../format";

export function FlashSale() {
  const { t } = useTranslation();
  const { saleId = "" } = useParams();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [quantity, setQuantity] = useState(1);
  const sale = useQuery({
    queryKey: ["flash-sale", saleId],
    queryFn: () => ok(api().GET("/flash-sales/{saleId}", { params: { path: { saleId } } })),
    refetchInterval: 5_000,
  });
  const productId = sale.data?.productId;
  const product = useQuery({
    queryKey: ["product", productId],
    queryFn: () => ok(api().GET("/products/{productId}", { params: { path: { productId: productId! } } })),
    enabled: !!productId,
  });
  // A reservation ships at the seller's rate: its offer's freight for each unit.
  const freight = product.data?.offers.find((o) => o.offerId === sale.data?.offerId)?.freight.amount ?? 0;
  const reserve = useMutation({
    mutationFn: () => ok(api().POST("/flash-sales/{saleId}/reservations", { params: { path: { saleId } }, body: { quantity } })),
    onSuccess: (r) => navigate(`/checkout?reservation=${r.reservationId}&items=${r.unitPrice.amount * r.quantity}&freight=${freight * r.quantity}`),
  });
  if (sale.isPending) return <Loading />;
  if (sale.error) return <ProblemAlert error={sale.error} />;
  const s = sale.data;
  const sold = s.quantity - s.remaining;
  return (
    <Stack maw={640}>
      <PageTitle>{s.title}</PageTitle>
      <Card withBorder>
        <Group justify="space-between">
          <Badge color={s.phase === "ACTIVE" ? "red.9" : "gray.7"} size="lg">{t(s.phase)}</Badge>
          <Countdown key={sale.dataUpdatedAt} sale={s} fetchedAt={sale.dataUpdatedAt} />
        </Group>
        <Group gap="sm" mt="md" align="baseline">
          <Text fz={32} fw={800} c="titan.7">{money(s.salePrice)}</Text>
          <Text td="line-through" c="dimmed">{money(s.listPrice)}</Text>
        </Group>
        <Progress value={(100 * sold) / s.quantity} mt="sm" aria-hidden />
        <Text size="sm" mt={4} data-testid="remaining">{t("{{count}} left", { count: s.remaining })} · {t("limit {{n}} per customer", { n: s.perCustomerLimit })}</Text>
        <Text size="xs" c="dimmed">{dateTime(s.startsAt)} – {dateTime(s.endsAt)}</Text>
        <Group mt="md" align="end">
          <NumberInput label={t("Quantity")} value={quantity} onChange={(v) => setQuantity(Number(v) || 1)} min={1} max={s.perCustomerLimit} w={110} />
          {signedIn ? (
            <Button onClick={() => reserve.mutate()} loading={reserve.isPending} disabled={s.phase !== "ACTIVE" || s.remaining === 0}>
              {t("Buy now")}
            </Button>
          ) : (
            <Button component={Link} to={`/sign-in?next=/flash-sales/${saleId}`}>{t("Sign in to buy")}</Button>
          )}
        </Group>
        <Text size="xs" c="dimmed" mt="xs">{t("Units are held for you for {{minutes}} minutes while you pay.", { minutes: Math.round(s.holdSeconds / 60) })}</Text>
        <ProblemAlert error={reserve.error} title={t("Not reserved")} />
        <Text size="sm" mt="sm"><Link to={`/products/${s.productId}`}>{t("See the product")}</Link></Text>
      </Card>
    </Stack>
  );
}
