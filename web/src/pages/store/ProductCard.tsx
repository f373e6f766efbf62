import { Card, Group, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Schemas } from "../../api/client";
import { money } from "../../format";

export function Stars({ average, count }: { average?: number | null; count?: number }) {
  const { t } = useTranslation();
  if (!count || average === null || average === undefined) return <Text size="xs" c="dimmed">{t("No reviews yet")}</Text>;
  return (
    <Text size="xs">
      <span role="img" aria-label={t("{{average}} out of 5 stars, {{count}} reviews", { average: average.toFixed(1), count })}>
        {"★".repeat(Math.round(average))}{"☆".repeat(5 - Math.round(average))}
      </span>{" "}
      <span aria-hidden="true">({count})</span>
    </Text>
  );
}

export function ProductCard({ product }: { product: Schemas["ProductSummary"] }) {
  const { t } = useTranslation();
  const best = product.bestOffer;
  return (
    <Card withBorder component={Link} to={`/products/${product.productId}`} data-testid="product-card">
      <Text fw={600} lineClamp={2} size="sm">{product.title}</Text>
      <Text size="xs" c="dimmed">{product.category.name}</Text>
      {best ? (
        <Group gap={6} mt="xs" align="baseline">
          <Text fw={700} c="titan.7">{money(best.price)}</Text>
          <Text size="xs" c="dimmed">+ {money(best.freight)} {t("shipping")}</Text>
        </Group>
      ) : (
        <Text size="sm" c="dimmed" mt="xs">{t("Unavailable")}</Text>
      )}
      <Group justify="space-between" mt={4}>
        <Stars average={product.rating?.average} count={product.rating?.count} />
        {product.offerCount > 1 && <Text size="xs">{t("{{count}} sellers", { count: product.offerCount })}</Text>}
      </Group>
    </Card>
  );
}
