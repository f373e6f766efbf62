import { Button, Checkbox, Grid, Group, NavLink, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, ok } from "../../api/client";
import { Loading, PageTitle, ProblemAlert } from "../../components/common";
import { money } from "../../format";
import { ProductCard } from "./ProductCard";

type Sort = "relevance" | "newest" | "price_asc" | "price_desc" | "rating_desc";
const PAGE = 24;

/** Search (words) with facets, or browsing a department or category (no words): filters,
 * sort and pages are all in the address, so a result page can be shared and reloaded. */
export function Search() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = (params.get("q") ?? "").trim();
  const words = q && q !== "*" ? q : "";
  const category = params.get("category") ?? undefined;
  const department = params.get("department") ?? undefined;
  const minPrice = params.get("minPrice") ? Number(params.get("minPrice")) : undefined;
  const maxPrice = params.get("maxPrice") ? Number(params.get("maxPrice")) : undefined;
  const minRating = params.get("minRating") ? Number(params.get("minRating")) : undefined;
  const sort = (params.get("sort") ?? (words ? "relevance" : "newest")) as Sort;
  const cursors = params.getAll("after");
  const cursor = cursors.at(-1);

  const results = useQuery({
    queryKey: ["search", words, category, department, minPrice, maxPrice, minRating, sort, cursor],
    queryFn: async () => {
      const common = { category, department, minPrice, maxPrice, minRating, limit: PAGE, cursor };
      if (words) return ok(api().GET("/search", { params: { query: { q: words, sort, ...common } } }));
      const browse = await ok(
        api().GET("/products", { params: { query: { ...common, sort: sort === "relevance" ? "newest" : sort } } }),
      );
      return { ...browse, facets: null, query: "" };
    },
    placeholderData: keepPreviousData,
  });

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    next.delete("after");
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === "") next.delete(key);
      else next.set(key, value);
    }
    setParams(next);
  };
  const nextPage = () => {
    const next = new URLSearchParams(params);
    next.append("after", results.data!.nextCursor!);
    setParams(next);
    window.scrollTo(0, 0);
  };
  const previousPage = () => {
    const next = new URLSearchParams(params);
    next.delete("after");
    cursors.slice(0, -1).forEach((c) => next.append("after", c));
    setParams(next);
  };

  const facets = results.data?.facets;
  return (
    <Stack>
      <PageTitle>{words ? t("Results for “{{q}}”", { q: words }) : t("Browse")}</PageTitle>
      <Grid>
        <Grid.Col span={{ base: 12, sm: 3 }}>
          <Stack gap="xs" component="aside" aria-label={t("Filters")}>
            {facets && facets.category.length > 0 && (
              <>
                <Title order={2} size="h5">{t("Category")}</Title>
                {facets.category.slice(0, 12).map((c) => (
                  <NavLink
                    key={c.id}
                    label={c.name}
                    rightSection={<Text size="xs">{c.count}</Text>}
                    active={category === c.id}
                    onClick={() => update({ category: category === c.id ? undefined : c.id })}
                  />
                ))}
              </>
            )}
            {facets && facets.price.length > 0 && (
              <>
                <Title order={2} size="h5">{t("Price")}</Title>
                {facets.price.map((p) => {
                  const selected = minPrice === (p.min ?? undefined) && maxPrice === (p.max ?? undefined);
                  return (
                    <Checkbox
                      key={`${p.min}-${p.max}`}
                      checked={selected}
                      label={`${p.min === null ? `${t("up to")} ${money(p.max)}` : p.max === null ? `${money(p.min)}+` : `${money(p.min)} – ${money(p.max)}`} (${p.count})`}
                      onChange={() =>
                        update(selected ? { minPrice: undefined, maxPrice: undefined } : { minPrice: p.min?.toString(), maxPrice: p.max?.toString() })
                      }
                    />
                  );
                })}
              </>
            )}
            <Checkbox
              label={t("4 stars and up")}
              checked={minRating === 4}
              onChange={() => update({ minRating: minRating === 4 ? undefined : "4" })}
            />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 9 }}>
          <Group justify="space-between" mb="sm">
            <Text size="sm" aria-live="polite" data-testid="result-count">
              {results.data ? t("{{count}} products", { count: results.data.total }) : ""}
            </Text>
            <Select
              label={t("Sort by")}
              size="xs"
              value={sort}
              allowDeselect={false}
              onChange={(value) => update({ sort: value ?? undefined })}
              data={[
                ...(words ? [{ value: "relevance", label: t("Relevance") }] : []),
                { value: "newest", label: t("Newest") },
                { value: "price_asc", label: t("Lowest price") },
                { value: "price_desc", label: t("Highest price") },
                { value: "rating_desc", label: t("Best rated") },
              ]}
            />
          </Group>
          {results.isPending ? <Loading /> : results.error ? <ProblemAlert error={results.error} /> : (
            <>
              {results.data.items.length === 0 && <Text>{t("Nothing found. Try other words.")}</Text>}
              <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
                {results.data.items.map((product) => <ProductCard key={product.productId} product={product} />)}
              </SimpleGrid>
              <Group justify="center" mt="md">
                <Button variant="default" disabled={!cursors.length} onClick={previousPage}>{t("Previous")}</Button>
                <Text size="sm">{t("Page {{page}}", { page: cursors.length + 1 })}</Text>
                <Button variant="default" disabled={!results.data.nextCursor} onClick={nextPage}>{t("Next")}</Button>
              </Group>
            </>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
