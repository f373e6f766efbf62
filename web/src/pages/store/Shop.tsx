import { Alert, Avatar, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { api, ok } from "../../api/client";
import { Loading, PageTitle, ProblemAlert } from "../../components/common";
import { day, percent } from "../../format";
import { ProductCard, Stars } from "./ProductCard";

/** A shop's page, by its slug (`/shops/loja-x`) or its seller (`/sellers/{id}/shop`). */
export function Shop() {
  const { t } = useTranslation();
  const { slug, sellerId } = useParams();
  const shop = useQuery({
    queryKey: ["shop", slug, sellerId],
    queryFn: () =>
      slug
        ? ok(api().GET("/shops/{slug}", { params: { path: { slug } } }))
        : ok(api().GET("/sellers/{sellerId}/shop", { params: { path: { sellerId: sellerId! } } })),
  });
  const products = useQuery({
    queryKey: ["shop-products", shop.data?.sellerId],
    queryFn: () => ok(api().GET("/products", { params: { query: { sellerId: shop.data!.sellerId, limit: 24 } } })),
    enabled: !!shop.data,
  });
  if (shop.isPending) return <Loading />;
  if (shop.error) return <ProblemAlert error={shop.error} />;
  const s = shop.data;
  return (
    <Stack>
      <Group>
        <Avatar src={s.logoUrl} alt="" size="lg" radius="md">{s.name.slice(0, 2)}</Avatar>
        <div>
          <PageTitle>{s.name}</PageTitle>
          <Text size="sm" c="dimmed">
            {s.city}/{s.state} · {t("member since {{date}}", { date: day(s.memberSince) })} · {t("{{count}} products", { count: s.productCount })}
          </Text>
          <Group gap="md">
            <Stars average={s.rating.average} count={s.rating.count} />
            <Text size="xs">{t("Chat response rate")}: {percent(s.responseRate)}</Text>
          </Group>
        </div>
      </Group>
      {s.onVacation && <Alert color="yellow">{s.vacationMessage ?? t("This shop is on vacation: its products cannot be bought now.")}</Alert>}
      {s.description && <Text>{s.description}</Text>}
      {products.isPending ? <Loading /> : products.error ? <ProblemAlert error={products.error} /> : (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          {products.data.items.map((p) => <ProductCard key={p.productId} product={p} />)}
        </SimpleGrid>
      )}
    </Stack>
  );
}
