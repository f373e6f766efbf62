import { Anchor, Button, Card, Group, NumberInput, SegmentedControl, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ok, type Schemas } from "../../api/client";
import { useSession } from "../../auth/useSession";
import { Loading, PageTitle, ProblemAlert, StatusBadge } from "../../components/common";
import { dateTime, day, money } from "../../format";

type Shipment = Schemas["ShipmentOut"];

/** Pack (the box as measured), buy the label, print it: the seller's part of a package. */
function PackageCard({ shipment, onChange }: { shipment: Shipment; onChange: () => void }) {
  const { t } = useTranslation();
  const [box, setBox] = useState({ weightGrams: 800, lengthCm: 30, widthCm: 20, heightCm: 10 });
  const path = { params: { path: { packageId: shipment.packageId } } };
  const pack = useMutation({ mutationFn: () => ok(api().POST("/shipments/{packageId}/pack", { ...path, body: box })), onSuccess: onChange });
  const label = useMutation({ mutationFn: () => ok(api().POST("/shipments/{packageId}/label", path)), onSuccess: onChange });
  const open = useMutation({
    mutationFn: () => ok(api().GET("/shipments/{packageId}/label", path)),
    onSuccess: (link) => window.open(link.url, "_blank", "noopener"),
  });
  return (
    <Card withBorder data-testid="package">
      <Group justify="space-between">
        <Text fw={600}>{shipment.carrier} {shipment.service} · {t("order {{id}}", { id: shipment.orderId.slice(-8) })}</Text>
        <StatusBadge status={shipment.status} />
      </Group>
      <Text size="sm" c="dimmed">
        {t("{{count}} items", { count: shipment.lineIds.length })} · {t("hand over by {{date}}", { date: dateTime(shipment.handoverBy) })} · {t("arrives by {{date}}", { date: day(shipment.promisedBy) })}
      </Text>
      {shipment.shipTo && <Text size="sm">{t("To")}: {String((shipment.shipTo as Record<string, unknown>).city ?? "")}/{String((shipment.shipTo as Record<string, unknown>).state ?? "")}</Text>}
      {shipment.trackingNumber && <Text size="sm">{t("Tracking")}: <b data-testid="tracking-number">{shipment.trackingNumber}</b></Text>}
      {shipment.status === "AWAITING_PACKING" && (
        <Group align="end" mt="sm">
          <NumberInput label={t("Weight (g)")} value={box.weightGrams} min={1} w={110} onChange={(v) => setBox({ ...box, weightGrams: Number(v) })} />
          <NumberInput label={t("Length (cm)")} value={box.lengthCm} min={1} w={110} onChange={(v) => setBox({ ...box, lengthCm: Number(v) })} />
          <NumberInput label={t("Width (cm)")} value={box.widthCm} min={1} w={110} onChange={(v) => setBox({ ...box, widthCm: Number(v) })} />
          <NumberInput label={t("Height (cm)")} value={box.heightCm} min={1} w={110} onChange={(v) => setBox({ ...box, heightCm: Number(v) })} />
          <Button onClick={() => pack.mutate()} loading={pack.isPending}>{t("Packed")}</Button>
        </Group>
      )}
      {shipment.status === "PACKED" && <Button mt="sm" w="fit-content" onClick={() => label.mutate()} loading={label.isPending}>{t("Buy label")}</Button>}
      {shipment.hasLabel && <Button mt="sm" w="fit-content" variant="light" onClick={() => open.mutate()} loading={open.isPending}>{t("Print label (PDF)")}</Button>}
      <ProblemAlert error={pack.error ?? label.error ?? open.error} />
    </Card>
  );
}

const QUEUES = ["AWAITING_PACKING", "PACKED", "LABEL_PURCHASED", "HANDED_OVER"] as const;

export function Shipments() {
  const { t } = useTranslation();
  const sellerId = useSession().sellerId!;
  const queries = useQueryClient();
  const [status, setStatus] = useState<(typeof QUEUES)[number]>("AWAITING_PACKING");
  const shipments = useQuery({
    queryKey: ["seller-shipments", sellerId, status],
    queryFn: () => ok(api().GET("/sellers/{sellerId}/shipments", { params: { path: { sellerId }, query: { status, limit: 50 } } })),
  });
  const refresh = () => queries.invalidateQueries({ queryKey: ["seller-shipments", sellerId] });
  return (
    <Stack>
      <PageTitle>{t("Packages to ship")}</PageTitle>
      <SegmentedControl value={status} onChange={(v) => setStatus(v as typeof status)} data={QUEUES.map((q) => ({ value: q, label: t(q) }))} aria-label={t("Package state")} />
      {shipments.isPending ? <Loading /> : shipments.error ? <ProblemAlert error={shipments.error} /> : (
        <>
          {!shipments.data.shipments.length && <Text>{t("Nothing here.")}</Text>}
          {shipments.data.shipments.map((s) => <PackageCard key={s.packageId} shipment={s} onChange={refresh} />)}
        </>
      )}
    </Stack>
  );
}

export function Returns() {
  const { t } = useTranslation();
  const sellerId = useSession().sellerId!;
  const queries = useQueryClient();
  const returns = useQuery({
    queryKey: ["seller-returns", sellerId],
    queryFn: () => ok(api().GET("/sellers/{sellerId}/returns", { params: { path: { sellerId }, query: { status: "PENDING_DECISION", limit: 50 } } })),
  });
  const decide = useMutation({
    mutationFn: ({ returnId, approve }: { returnId: string; approve: boolean }) =>
      approve
        ? ok(api().POST("/returns/{returnId}/approve", { params: { path: { returnId } }, body: null }))
        : ok(api().POST("/returns/{returnId}/reject", { params: { path: { returnId } }, body: { reason: "Not accepted by the seller" } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["seller-returns", sellerId] }),
  });
  return (
    <Stack>
      <PageTitle>{t("Returns to decide")}</PageTitle>
      <ProblemAlert error={decide.error} />
      {returns.isPending ? <Loading /> : returns.error ? <ProblemAlert error={returns.error} /> : (
        <>
          {!returns.data.items.length && <Text>{t("No return waits for you.")}</Text>}
          {returns.data.items.map((r) => (
            <Card key={r.returnId} withBorder>
              <Group justify="space-between">
                <Anchor href={`#/orders/${r.orderId}`}>{t("order {{id}}", { id: r.orderId.slice(-8) })}</Anchor>
                <Text size="sm">{dateTime(r.createdAt)}</Text>
              </Group>
              <Text size="sm">{(r.lines as { reason?: string; quantity?: number }[]).map((l) => `${l.quantity}× ${t(l.reason ?? "")}`).join(", ")} · {t("refund")} {money(r.refund)}</Text>
              <Group mt="xs">
                <Button size="xs" onClick={() => decide.mutate({ returnId: r.returnId, approve: true })}>{t("Approve")}</Button>
                <Button size="xs" color="red" variant="light" onClick={() => decide.mutate({ returnId: r.returnId, approve: false })}>{t("Reject")}</Button>
              </Group>
            </Card>
          ))}
        </>
      )}
    </Stack>
  );
}
