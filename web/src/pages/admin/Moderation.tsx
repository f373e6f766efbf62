import { Button, Card, Group, MultiSelect, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ok, type Schemas } from "../../api/client";
import { Loading, PageTitle, ProblemAlert } from "../../components/common";
import { dateTime, money } from "../../format";

const LISTING_REASONS = ["PROHIBITED_ITEM", "MISLEADING_LISTING", "POOR_IMAGES", "WRONG_CATEGORY", "COUNTERFEIT", "OTHER"] as const;

function ListingCard({ product, onChange }: { product: Schemas["ProductOut"]; onChange: () => void }) {
  const { t } = useTranslation();
  const [reasons, setReasons] = useState<string[]>([]);
  const path = { params: { path: { productId: product.productId } } };
  const publish = useMutation({ mutationFn: () => ok(api().POST("/admin/listings/{productId}/publish", path)), onSuccess: onChange });
  const reject = useMutation({
    mutationFn: () => ok(api().POST("/admin/listings/{productId}/reject", { ...path, body: { reasons: reasons as (typeof LISTING_REASONS)[number][] } })),
    onSuccess: onChange,
  });
  return (
    <Card withBorder data-testid="listing">
      <Text fw={600}>{product.title}</Text>
      <Text size="sm" c="dimmed">{product.category.name} · {product.offers.map((o) => money(o.price)).join(", ")}</Text>
      {product.description && <Text size="sm" lineClamp={3}>{product.description}</Text>}
      <Group mt="xs" align="end">
        <Button size="xs" onClick={() => publish.mutate()} loading={publish.isPending}>{t("Publish")}</Button>
        <MultiSelect size="xs" label={t("Reasons")} data={LISTING_REASONS.map((r) => ({ value: r, label: t(r) }))} value={reasons} onChange={setReasons} w={260} />
        <Button size="xs" color="red" variant="light" disabled={!reasons.length} onClick={() => reject.mutate()}>{t("Reject")}</Button>
      </Group>
      <ProblemAlert error={publish.error ?? reject.error} />
    </Card>
  );
}

export function Listings() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const queue = useQuery({ queryKey: ["admin-listings"], queryFn: () => ok(api().GET("/admin/listings", { params: { query: { limit: 50 } } })) });
  return (
    <Stack>
      <PageTitle>{t("Listings to review")}</PageTitle>
      {queue.isPending ? <Loading /> : queue.error ? <ProblemAlert error={queue.error} /> : (
        <>
          {!queue.data.items.length && <Text>{t("No listing waits for review.")}</Text>}
          {queue.data.items.map((p) => <ListingCard key={p.productId} product={p} onChange={() => queries.invalidateQueries({ queryKey: ["admin-listings"] })} />)}
        </>
      )}
    </Stack>
  );
}

export function Reviews() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const held = useQuery({ queryKey: ["admin-reviews"], queryFn: () => ok(api().GET("/admin/reviews", { params: { query: { limit: 50 } } })) });
  const decide = useMutation({
    mutationFn: ({ reviewId, outcome }: { reviewId: string; outcome: "PUBLISH" | "REJECT" }) =>
      ok(api().POST("/admin/reviews/{reviewId}/decision", { params: { path: { reviewId } }, body: { outcome, genuine: outcome === "PUBLISH" } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["admin-reviews"] }),
  });
  return (
    <Stack>
      <PageTitle>{t("Reviews held for moderation")}</PageTitle>
      <ProblemAlert error={decide.error} />
      {held.isPending ? <Loading /> : held.error ? <ProblemAlert error={held.error} /> : (
        <>
          {!held.data.items.length && <Text>{t("No review is held.")}</Text>}
          {held.data.items.map((r) => (
            <Card key={r.reviewId} withBorder>
              <Group justify="space-between"><Text fw={600}>{"★".repeat(r.rating)} {r.title}</Text><Text size="xs">{dateTime(r.createdAt)}</Text></Group>
              <Text size="sm">{r.text}</Text>
              <Text size="xs" c="red">{r.reasons.map((f) => t(String((f as { code?: string }).code ?? ""))).join(", ")}</Text>
              <Group mt="xs">
                <Button size="xs" onClick={() => decide.mutate({ reviewId: r.reviewId, outcome: "PUBLISH" })}>{t("Publish")}</Button>
                <Button size="xs" color="red" variant="light" onClick={() => decide.mutate({ reviewId: r.reviewId, outcome: "REJECT" })}>{t("Reject")}</Button>
              </Group>
            </Card>
          ))}
        </>
      )}
    </Stack>
  );
}
