import { Alert, Button, Card, Checkbox, Grid, Group, Rating, Select, Stack, Table, Text, Textarea, Timeline, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { api, ok, type Schemas } from "../../api/client";
import { Loading, PageTitle, ProblemAlert, SignedIn, StatusBadge } from "../../components/common";
import { dateTime, day, money } from "../../format";

type OrderOut = Schemas["OrderOut"];
/** What a package card shows, from fulfilment's shipment or, before it, the order's package. */
type PackageView = Pick<Schemas["ShipmentOut"], "packageId" | "carrier" | "service" | "status" | "timeline"> & {
  promisedBy?: string | null;
  trackingNumber?: string | null;
};
const REASONS = ["DAMAGED", "NOT_AS_DESCRIBED", "WRONG_ITEM", "MISSING_PARTS", "CHANGED_MIND", "OTHER"] as const;

/** How long after its confirmation an order's packages are surely known to fulfilment (it
 * makes them from OrderConfirmed, a moment later); asking before would be a 404. */
const PACKAGES_SETTLE_MS = 20_000;

function packagesKnown(order: OrderOut, now: number): boolean {
  if (["PARTIALLY_SHIPPED", "SHIPPED", "DELIVERED"].includes(order.status)) return true;
  const confirmed = order.statusHistory.find((h) => h.status === "CONFIRMED");
  return !!confirmed && now - Date.parse(confirmed.at) > PACKAGES_SETTLE_MS;
}

function Tracking({ order }: { order: OrderOut }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(Date.now());
  const known = packagesKnown(order, now);
  useEffect(() => {
    if (known || order.status !== "CONFIRMED") return;
    const timer = setTimeout(() => setNow(Date.now()), PACKAGES_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [known, order.status, now]);
  const shipments = useQuery({
    queryKey: ["order-shipments", order.orderId],
    queryFn: () => ok(api().GET("/orders/{orderId}/shipments", { params: { path: { orderId: order.orderId } } })),
    refetchInterval: 30_000,
    enabled: known,
  });
  if (known && shipments.isPending) return <Loading />;
  if (known && shipments.error) return <ProblemAlert error={shipments.error} />;
  // Until fulfilment has them: the packages as the order knows them, being prepared.
  const packages: PackageView[] = known
    ? (shipments.data?.shipments ?? [])
    : (order.packages ?? []).map((p) => ({ ...p, status: order.status === "CANCELLED" ? "CANCELLED" : "PREPARING", timeline: [] }));
  return (
    <Stack>
      {packages.map((s, i) => (
        <Card key={s.packageId} withBorder data-testid="shipment">
          <Group justify="space-between">
            <Text fw={600}>{t("Package {{n}}", { n: i + 1 })}: {s.carrier} {s.service}</Text>
            <StatusBadge status={s.status} />
          </Group>
          <Text size="sm" c="dimmed">
            {s.trackingNumber ? `${t("Tracking")}: ${s.trackingNumber} · ` : ""}
            {t("arrives by {{date}}", { date: day(s.promisedBy) })}
          </Text>
          {s.timeline.length > 0 && (
            <Timeline active={s.timeline.length - 1} bulletSize={14} lineWidth={2} mt="sm">
              {s.timeline.map((e, j) => (
                <Timeline.Item key={j} title={t(e.status)}>
                  <Text size="xs" c="dimmed">{dateTime(e.at)}{e.location ? ` · ${e.location}` : ""}</Text>
                </Timeline.Item>
              ))}
            </Timeline>
          )}
        </Card>
      ))}
    </Stack>
  );
}

function ReturnForm({ order }: { order: OrderOut }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [lines, setLines] = useState<string[]>([]);
  const [reason, setReason] = useState<(typeof REASONS)[number]>("DAMAGED");
  const [refundTo, setRefundTo] = useState<"original" | "wallet">("original");
  const request = useMutation({
    mutationFn: () =>
      ok(api().POST("/orders/{orderId}/returns", {
        params: { path: { orderId: order.orderId } },
        body: { refundTo, lines: order.lines.filter((l) => lines.includes(l.lineId)).map((l) => ({ lineId: l.lineId, quantity: l.quantity, reason })) },
      })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["order", order.orderId] }),
  });
  if (request.data) return <Alert color="green">{t("Return requested: {{status}}", { status: t(request.data.status) })}</Alert>;
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">{t("Return items")}</Title>
      {order.lines.map((l) => (
        <Checkbox key={l.lineId} label={l.title ?? l.productId} checked={lines.includes(l.lineId)} onChange={(e) => setLines(e.currentTarget.checked ? [...lines, l.lineId] : lines.filter((x) => x !== l.lineId))} />
      ))}
      <Group>
        <Select label={t("Reason")} value={reason} onChange={(v) => setReason((v ?? "DAMAGED") as typeof reason)} data={REASONS.map((r) => ({ value: r, label: t(r) }))} allowDeselect={false} />
        <Select label={t("Refund to")} value={refundTo} onChange={(v) => setRefundTo((v ?? "original") as typeof refundTo)} data={[{ value: "original", label: t("How I paid") }, { value: "wallet", label: t("My wallet") }]} allowDeselect={false} />
      </Group>
      <ProblemAlert error={request.error} />
      <Button w="fit-content" disabled={!lines.length} loading={request.isPending} onClick={() => request.mutate()}>{t("Request return")}</Button>
    </Stack>
  );
}

/** Stars and words for each product and each seller of a delivered order, once each. */
function ReviewForms({ order }: { order: OrderOut }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const path = { params: { path: { orderId: order.orderId } } };
  const open = useQuery({ queryKey: ["order-reviews", order.orderId], queryFn: () => ok(api().GET("/orders/{orderId}/reviews", path)) });
  const [drafts, setDrafts] = useState<Record<string, { rating: number; text: string }>>({});
  const post = useMutation({
    mutationFn: ({ item, key }: { item: Schemas["Reviewable"]; key: string }) =>
      ok(api().POST("/orders/{orderId}/reviews", {
        ...path,
        body: { ...(item.lineId ? { lineId: item.lineId } : { sellerId: item.sellerId }), rating: drafts[key]?.rating ?? 5, text: drafts[key]?.text ?? "" },
      })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["order-reviews", order.orderId] }),
  });
  if (!open.data) return null;
  return (
    <Stack gap="sm">
      <Title order={2} size="h4">{t("Reviews")}</Title>
      <ProblemAlert error={post.error} />
      {open.data.items.map((item) => {
        const key = item.lineId ?? `seller:${item.sellerId}`;
        const name = item.lineId ? (order.lines.find((l) => l.lineId === item.lineId)?.title ?? item.productId) : t("The seller");
        if (item.review) return <Text key={key} size="sm">{name}: {"★".repeat(item.review.rating)} · {t(item.review.status)}</Text>;
        const draft = drafts[key] ?? { rating: 5, text: "" };
        return (
          <Stack key={key} gap={4}>
            <Text size="sm" fw={600}>{name}</Text>
            <Rating value={draft.rating} onChange={(rating) => setDrafts({ ...drafts, [key]: { ...draft, rating } })} aria-label={t("Stars for {{name}}", { name })} />
            <Textarea aria-label={t("Review of {{name}}", { name })} value={draft.text} onChange={(e) => setDrafts({ ...drafts, [key]: { ...draft, text: e.currentTarget.value } })} autosize minRows={2} />
            <Button size="xs" w="fit-content" onClick={() => post.mutate({ item, key })} loading={post.isPending && post.variables?.key === key}>{t("Publish review")}</Button>
          </Stack>
        );
      })}
    </Stack>
  );
}

function OrderDetail() {
  const { t } = useTranslation();
  const { orderId = "" } = useParams();
  const [params] = useSearchParams();
  const queries = useQueryClient();
  const order = useQuery({
    queryKey: ["order", orderId],
    queryFn: () => ok(api().GET("/orders/{orderId}", { params: { path: { orderId } } })),
  });
  const refresh = (o: OrderOut) => queries.setQueryData(["order", orderId], o);
  const cancel = useMutation({
    mutationFn: () => ok(api().POST("/orders/{orderId}/cancel", { params: { path: { orderId } }, body: { reason: "customer" } })),
    onSuccess: refresh,
  });
  const confirm = useMutation({
    mutationFn: () => ok(api().POST("/orders/{orderId}/confirm-receipt", { params: { path: { orderId } } })),
    onSuccess: refresh,
  });
  if (order.isPending) return <Loading />;
  if (order.error) return <ProblemAlert error={order.error} />;
  const o = order.data;
  return (
    <Stack>
      {params.get("placed") && <Alert color="green" title={t("Thank you!")}>{t("Your order was placed.")}</Alert>}
      <Group justify="space-between">
        <Text size="sm" c="dimmed">{dateTime(o.createdAt)}</Text>
        <StatusBadge status={o.status} />
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Table.ScrollContainer minWidth={400}>
            <Table>
              <Table.Thead><Table.Tr><Table.Th>{t("Product")}</Table.Th><Table.Th>{t("Quantity")}</Table.Th><Table.Th>{t("Unit price")}</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {o.lines.map((l) => (
                  <Table.Tr key={l.lineId}>
                    <Table.Td><Link to={`/products/${l.productId}`}>{l.title ?? l.productId}</Link></Table.Td>
                    <Table.Td>{l.quantity}</Table.Td>
                    <Table.Td>{money(l.unitPrice)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Title order={2} size="h4" mt="md" mb="xs">{t("Tracking")}</Title>
          <Tracking order={o} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder>
            <Group justify="space-between"><Text>{t("Subtotal")}</Text><Text>{money(o.totals.subtotal)}</Text></Group>
            <Group justify="space-between"><Text>{t("Shipping")}</Text><Text>{money(o.totals.freight)}</Text></Group>
            {o.totals.discount.amount > 0 && <Group justify="space-between"><Text>{t("Discount")}</Text><Text>−{money(o.totals.discount)}</Text></Group>}
            <Group justify="space-between"><Text fw={700}>{t("Total")}</Text><Text fw={700} data-testid="order-total">{money(o.totals.total)}</Text></Group>
            {o.payments.map((p) => (
              <Text key={p.paymentId} size="sm" mt="xs" data-testid="payment">
                {t(p.method)}{p.installments > 1 ? ` · ${t("{{n}}x {{each}}", { n: p.installments, each: money(Math.ceil(p.amount.amount / p.installments)) })}` : ""} · {money(p.amount)} · {t(p.status)}
              </Text>
            ))}
          </Card>
          <Card withBorder mt="md">
            <Title order={2} size="h4" mb="xs">{t("History")}</Title>
            <Timeline active={o.statusHistory.length - 1} bulletSize={14}>
              {o.statusHistory.map((h, i) => (
                <Timeline.Item key={i} title={t(h.status)}><Text size="xs" c="dimmed">{dateTime(h.at)}</Text></Timeline.Item>
              ))}
            </Timeline>
          </Card>
          <Stack mt="md">
            <ProblemAlert error={cancel.error ?? confirm.error} />
            {["PENDING_PAYMENT", "CONFIRMED"].includes(o.status) && (
              <Button color="red" variant="light" onClick={() => cancel.mutate()} loading={cancel.isPending}>{t("Cancel order")}</Button>
            )}
            {o.status === "DELIVERED" && !o.receiptConfirmedAt && (
              <Button onClick={() => confirm.mutate()} loading={confirm.isPending}>{t("I received it")}</Button>
            )}
            {o.status === "DELIVERED" && <Card withBorder><ReturnForm order={o} /></Card>}
            {o.status === "DELIVERED" && <Card withBorder><ReviewForms order={o} /></Card>}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

export function Order() {
  const { t } = useTranslation();
  const { orderId = "" } = useParams();
  return (
    <SignedIn>
      <PageTitle>{t("Order {{id}}", { id: orderId.slice(-8) })}</PageTitle>
      <OrderDetail />
    </SignedIn>
  );
}
