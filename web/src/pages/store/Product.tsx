import { Badge, Button, Card, Chip, Grid, Group, Image, NumberInput, Paper, Progress, SimpleGrid, Stack, Table, Text, Textarea, Title, VisuallyHidden } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok, type Schemas } from "../../api/client";
import { useSession } from "../../auth/useSession";
import { Loading, PageTitle, ProblemAlert } from "../../components/common";
import { dateTime, money } from "../../format";
import { Stars } from "./ProductCard";

type Offer = Schemas["OfferOut"];

function Gallery({ images, title }: { images: Schemas["ImageOut"][]; title: string }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(0);
  if (!images.length) return <Paper withBorder h={240} bg="gray.1" aria-label={t("No picture")} />;
  const image = images[Math.min(shown, images.length - 1)];
  return (
    <Stack gap="xs">
      <Image src={image.thumbnails?.["600"] ?? image.url} fallbackSrc={image.url} alt={title} radius="md" mah={420} fit="contain" />
      <Group gap="xs">
        {images.map((img, i) => (
          <button key={img.key} type="button" onClick={() => setShown(i)} aria-label={t("Picture {{n}}", { n: i + 1 })} style={{ border: i === shown ? "2px solid #c2410c" : "1px solid #ccc", padding: 0, borderRadius: 6, background: "none" }}>
            <Image src={img.thumbnails?.["200"] ?? img.url} fallbackSrc={img.url} alt="" w={56} h={56} fit="cover" radius="sm" />
          </button>
        ))}
      </Group>
    </Stack>
  );
}

function Reviews({ productId }: { productId: string }) {
  const { t } = useTranslation();
  const reviews = useQuery({
    queryKey: ["reviews", productId],
    queryFn: () => ok(api().GET("/products/{productId}/reviews", { params: { path: { productId }, query: { limit: 10 } } })),
  });
  if (reviews.isPending) return <Loading />;
  if (reviews.error) return <ProblemAlert error={reviews.error} />;
  const { rating, items, total } = reviews.data;
  const distribution = rating.distribution as Record<string, number>;
  return (
    <section aria-labelledby="reviews-title">
      <Title order={2} id="reviews-title" size="h3" mb="sm">{t("Reviews")} ({total})</Title>
      {rating.count > 0 && (
        <Stack gap={2} maw={320} mb="md">
          {[5, 4, 3, 2, 1].map((stars) => (
            <Group key={stars} gap="xs" wrap="nowrap">
              <Text size="xs" w={28}>{stars}★</Text>
              <Progress value={(100 * (distribution[String(stars)] ?? 0)) / rating.count} style={{ flex: 1 }} aria-hidden />
              <Text size="xs" w={28}>{distribution[String(stars)] ?? 0}</Text>
            </Group>
          ))}
        </Stack>
      )}
      <Stack>
        {items.map((review) => (
          <Card key={review.reviewId} withBorder>
            <Group justify="space-between">
              <Stars average={review.rating} count={1} />
              <Text size="xs" c="dimmed">{dateTime(review.createdAt)}</Text>
            </Group>
            {review.title && <Text fw={600}>{review.title}</Text>}
            <Text size="sm">{review.text}</Text>
            {review.verifiedPurchase && <Badge size="xs" variant="light" mt={4}>{t("Verified purchase")}</Badge>}
            {review.reply && <Text size="sm" c="dimmed" mt="xs">{t("Seller's reply")}: {review.reply.text}</Text>}
          </Card>
        ))}
      </Stack>
    </section>
  );
}

/** A question to one of the product's sellers: opens (or adds to) the conversation. */
function AskSeller({ productId, sellerId }: { productId: string; sellerId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const ask = useMutation({
    mutationFn: () => ok(api().POST("/conversations", { body: { productId, sellerId, text } })),
    onSuccess: (opened) => navigate(`/chat/${opened.conversation.conversationId}`),
  });
  return (
    <Card withBorder mt="md">
      <Textarea label={t("Ask the seller")} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={2} maxLength={2000} />
      <ProblemAlert error={ask.error} title={t("Not sent")} />
      <Button mt="xs" w="fit-content" disabled={!text.trim()} loading={ask.isPending} onClick={() => ask.mutate()}>{t("Send")}</Button>
    </Card>
  );
}

export function Product() {
  const { t } = useTranslation();
  const { productId = "" } = useParams();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [quantity, setQuantity] = useState(1);
  const product = useQuery({
    queryKey: ["product", productId],
    queryFn: () => ok(api().GET("/products/{productId}", { params: { path: { productId } } })),
  });
  const add = useMutation({
    mutationFn: (offer: Offer) =>
      ok(api().POST("/cart/items", { body: { productId, sellerId: offer.sellerId, skuId: offer.skuId ?? null, quantity } })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ["cart"] });
      notifications.show({ message: t("Added to your cart"), color: "green" });
    },
  });

  if (product.isPending) return <Loading />;
  if (product.error) return <ProblemAlert error={product.error} />;
  const p = product.data;
  const options = p.options ?? [];
  const offers = p.offers.filter(
    (o) => o.status === "ACTIVE" && options.every((opt) => !chosen[opt.name] || (o.options as Record<string, string>)[opt.name] === chosen[opt.name]),
  );
  const complete = options.every((opt) => chosen[opt.name]);
  const images = [...(p.images ?? []), ...offers.flatMap((o) => o.images ?? [])];

  const buy = (offer: Offer) => {
    if (!signedIn) return navigate(`/sign-in?next=${encodeURIComponent(`/products/${productId}`)}`);
    add.mutate(offer);
  };

  return (
    <Stack>
      <Grid>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Gallery images={images} title={p.title} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <PageTitle>{p.title}</PageTitle>
          <Text size="sm" c="dimmed">{p.category.name}</Text>
          <Stars average={p.rating?.average} count={p.rating?.count} />
          {p.description && <Text mt="sm" size="sm">{p.description}</Text>}
          {options.map((option) => (
            <Stack key={option.name} gap={4} mt="md">
              <Text fw={600} size="sm" id={`opt-${option.name}`}>{option.name}</Text>
              <Chip.Group value={chosen[option.name] ?? ""} onChange={(value) => setChosen({ ...chosen, [option.name]: value as string })}>
                <Group gap="xs" role="radiogroup" aria-labelledby={`opt-${option.name}`}>
                  {option.values.map((value) => <Chip key={value} value={value}>{value}</Chip>)}
                </Group>
              </Chip.Group>
            </Stack>
          ))}
          <NumberInput label={t("Quantity")} value={quantity} onChange={(v) => setQuantity(Number(v) || 1)} min={1} max={99} w={120} mt="md" />
          <Title order={2} size="h4" mt="lg" mb="xs">{t("Sellers")}</Title>
          {options.length > 0 && !complete && <Text size="sm" c="dimmed">{t("Choose {{names}} to buy", { names: options.map((o) => o.name).join(", ") })}</Text>}
          <ProblemAlert error={add.error} title={t("Not added to your cart")} />
          <Table.ScrollContainer minWidth={420}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("Seller")}</Table.Th>
                  {options.length > 0 && <Table.Th>{t("Variant")}</Table.Th>}
                  <Table.Th>{t("Price")}</Table.Th>
                  <Table.Th>{t("Shipping")}</Table.Th>
                  <Table.Th><VisuallyHidden>{t("Buy")}</VisuallyHidden></Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {offers.map((offer) => (
                  <Table.Tr key={offer.offerId} data-testid="offer-row">
                    <Table.Td>
                      <Link to={`/sellers/${offer.sellerId}/shop`}>{offer.sellerId.slice(0, 8)}</Link>
                      <Stars average={offer.sellerRating?.average} count={offer.sellerRating?.count} />
                    </Table.Td>
                    {options.length > 0 && <Table.Td>{Object.values(offer.options as Record<string, string>).join(" / ")}</Table.Td>}
                    <Table.Td fw={700}>{money(offer.price)}</Table.Td>
                    <Table.Td>{money(offer.freight)}</Table.Td>
                    <Table.Td>
                      <Button size="xs" onClick={() => buy(offer)} loading={add.isPending} disabled={options.length > 0 && !complete}>
                        {t("Add to cart")}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {offers.length === 0 && <Text c="dimmed">{t("No seller offers this now.")}</Text>}
          {signedIn && p.offers[0] && <AskSeller productId={productId} sellerId={(offers[0] ?? p.offers[0]).sellerId} />}
        </Grid.Col>
      </Grid>
      <SimpleGrid cols={1}>
        <Reviews productId={productId} />
      </SimpleGrid>
    </Stack>
  );
}
