import { Anchor, Badge, Button, Card, FileInput, Grid, Group, NumberInput, Select, Stack, Table, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok, type Schemas } from "../../api/client";
import { IMAGE_TYPES, imageType, uploadTo, type UploadForm } from "../../api/upload";
import { useSession } from "../../auth/useSession";
import { Loading, PageTitle, ProblemAlert, StatusBadge } from "../../components/common";
import { dateTime, money, parseReais } from "../../format";

export function Products() {
  const { t } = useTranslation();
  const sellerId = useSession().sellerId!;
  const queries = useQueryClient();
  const products = useQuery({
    queryKey: ["seller-products", sellerId],
    queryFn: () => ok(api().GET("/sellers/{sellerId}/products", { params: { path: { sellerId }, query: { limit: 100 } } })),
  });
  const submit = useMutation({
    mutationFn: (productId: string) => ok(api().POST("/sellers/{sellerId}/products/{productId}/submit", { params: { path: { sellerId, productId } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ["seller-products", sellerId] }),
  });
  return (
    <Stack>
      <Group justify="space-between">
        <PageTitle>{t("Products")}</PageTitle>
        <Button component={Link} to="/seller/products/new">{t("New product")}</Button>
      </Group>
      <ProblemAlert error={submit.error} />
      {products.isPending ? <Loading /> : products.error ? <ProblemAlert error={products.error} /> : (
        <Table.ScrollContainer minWidth={640}>
          <Table>
            <Table.Thead><Table.Tr><Table.Th>{t("Product")}</Table.Th><Table.Th>{t("Variants")}</Table.Th><Table.Th>{t("State")}</Table.Th><Table.Th /></Table.Tr></Table.Thead>
            <Table.Tbody>
              {products.data.items.map((p) => (
                <Table.Tr key={p.productId} data-testid="seller-product">
                  <Table.Td>
                    <Text fw={600} size="sm">{p.title}</Text>
                    {p.rejection && <Text size="xs" c="red">{(p.rejection.reasons ?? []).join(", ")}</Text>}
                  </Table.Td>
                  <Table.Td>
                    {p.offers.map((o) => (
                      <Group key={o.offerId} gap={6}>
                        <Text size="xs">{Object.values(o.options as Record<string, string>).join(" / ") || t("Single")}: {money(o.price)}</Text>
                        <Anchor component={Link} to={`/seller/stock/${o.offerId}`} size="xs">{t("Stock")}</Anchor>
                      </Group>
                    ))}
                  </Table.Td>
                  <Table.Td><StatusBadge status={p.moderation ?? p.status} /></Table.Td>
                  <Table.Td>
                    {(p.moderation === "DRAFT" || p.moderation === "REJECTED") && (
                      <Button size="xs" onClick={() => submit.mutate(p.productId)} loading={submit.isPending && submit.variables === p.productId}>{t("Send for review")}</Button>
                    )}
                    {p.status === "ACTIVE" && <Anchor component={Link} to={`/products/${p.productId}`} size="sm">{t("View")}</Anchor>}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

interface VariantRow { price: string; stock: number; gtin: string }

/** A listing: its category's typed attributes, one option (say Size) whose values are the
 * variants, each a SKU with its price and opening stock, and pictures sent straight to S3. */
export function NewProduct() {
  const { t } = useTranslation();
  const sellerId = useSession().sellerId!;
  const navigate = useNavigate();
  const queries = useQueryClient();
  const tree = useQuery({ queryKey: ["categories"], queryFn: () => ok(api().GET("/categories")), staleTime: 300_000 });
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [category, setCategory] = useState<string | null>(null);
  const [attributes, setAttributes] = useState<Record<string, string>>({});
  const [dimensions, setDimensions] = useState({ weightG: 500, lengthCm: 20, widthCm: 15, heightCm: 10 });
  const [optionName, setOptionName] = useState("");
  const [optionValues, setOptionValues] = useState("");
  const [rows, setRows] = useState<Record<string, VariantRow>>({});
  const [freight, setFreight] = useState("15,00");
  const [files, setFiles] = useState<File[]>([]);
  const specs = useQuery({
    queryKey: ["category-attributes", category],
    queryFn: () => ok(api().GET("/categories/{categoryId}/attributes", { params: { path: { categoryId: category! } } })),
    enabled: !!category,
  });
  const categories = useMemo(
    () => (tree.data?.departments ?? []).map((d) => ({ group: d.name, items: (d.categories as { id: string; name: string }[]).map((c) => ({ value: c.id, label: c.name })) })),
    [tree.data],
  );
  const values = optionName.trim() ? optionValues.split(",").map((v) => v.trim()).filter(Boolean) : [""];
  const row = (value: string): VariantRow => rows[value] ?? { price: "", stock: 1, gtin: "" };

  const create = useMutation({
    mutationFn: async () => {
      const images: string[] = [];
      for (const file of files) {
        const form = await ok(api().POST("/sellers/{sellerId}/product-images", { params: { path: { sellerId } }, body: { contentType: imageType(file) } }));
        images.push(await uploadTo(form as UploadForm, file));
      }
      const categoryAttributes: Record<string, string | number> = {};
      for (const spec of specs.data?.attributes ?? []) {
        const value = attributes[spec.name];
        if (value) categoryAttributes[spec.name] = spec.kind === "number" ? Number(value) : value;
      }
      return ok(api().POST("/sellers/{sellerId}/products", {
        params: { path: { sellerId } },
        body: {
          title, description: description || null, category: category!, categoryAttributes, dimensions, images,
          options: optionName.trim() ? [{ name: optionName.trim(), values }] : [],
          variants: values.map((value) => ({
            options: optionName.trim() ? { [optionName.trim()]: value } : {},
            price: parseReais(row(value).price) ?? 0,
            freight: parseReais(freight) ?? 0,
            stock: row(value).stock,
            gtin: row(value).gtin || null,
            images: [],
          })),
        },
      }));
    },
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ["seller-products", sellerId] });
      navigate("/seller/products");
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Card withBorder component="form" onSubmit={submit} maw={860}>
      <PageTitle>{t("New product")}</PageTitle>
      <Stack>
        <TextInput label={t("Title")} value={title} onChange={(e) => setTitle(e.currentTarget.value)} required minLength={3} />
        <Select label={t("Category")} data={categories} value={category} onChange={setCategory} searchable required />
        {(specs.data?.attributes ?? []).length > 0 && (
          <Grid gap="xs">
            {specs.data!.attributes.map((spec: Schemas["AttributeSpec"]) => (
              <Grid.Col key={spec.name} span={{ base: 12, sm: 4 }}>
                {spec.kind === "choice" ? (
                  <Select label={t(spec.name)} data={(spec.choices ?? []).map((c) => ({ value: c, label: t(c) }))} value={attributes[spec.name] ?? null} required={spec.required}
                    onChange={(v) => setAttributes({ ...attributes, [spec.name]: v ?? "" })} />
                ) : (
                  <TextInput label={`${t(spec.name)}${spec.unit ? ` (${spec.unit})` : ""}`} required={spec.required} value={attributes[spec.name] ?? ""}
                    inputMode={spec.kind === "number" ? "decimal" : undefined} onChange={(e) => setAttributes({ ...attributes, [spec.name]: e.currentTarget.value })} />
                )}
              </Grid.Col>
            ))}
          </Grid>
        )}
        <Textarea label={t("Description")} value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={3} />
        <Group grow>
          <NumberInput label={t("Weight (g)")} value={dimensions.weightG} min={1} onChange={(v) => setDimensions({ ...dimensions, weightG: Number(v) })} />
          <NumberInput label={t("Length (cm)")} value={dimensions.lengthCm} min={1} onChange={(v) => setDimensions({ ...dimensions, lengthCm: Number(v) })} />
          <NumberInput label={t("Width (cm)")} value={dimensions.widthCm} min={1} onChange={(v) => setDimensions({ ...dimensions, widthCm: Number(v) })} />
          <NumberInput label={t("Height (cm)")} value={dimensions.heightCm} min={1} onChange={(v) => setDimensions({ ...dimensions, heightCm: Number(v) })} />
        </Group>
        <Title order={2} size="h5">{t("Variants")}</Title>
        <Group grow>
          <TextInput label={t("Option (e.g. Size)")} value={optionName} onChange={(e) => setOptionName(e.currentTarget.value)} />
          <TextInput label={t("Its values, separated by commas")} value={optionValues} onChange={(e) => setOptionValues(e.currentTarget.value)} disabled={!optionName.trim()} />
          <TextInput label={t("Shipping you charge (R$)")} value={freight} onChange={(e) => setFreight(e.currentTarget.value)} />
        </Group>
        <Table>
          <Table.Thead><Table.Tr><Table.Th>{t("Variant")}</Table.Th><Table.Th>{t("Price (R$)")}</Table.Th><Table.Th>{t("Stock")}</Table.Th><Table.Th>GTIN</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {values.map((value) => (
              <Table.Tr key={value || "single"}>
                <Table.Td>{value || t("Single")}</Table.Td>
                <Table.Td><TextInput aria-label={t("Price of {{v}}", { v: value || t("Single") })} value={row(value).price} onChange={(e) => setRows({ ...rows, [value]: { ...row(value), price: e.currentTarget.value } })} required /></Table.Td>
                <Table.Td><NumberInput aria-label={t("Stock of {{v}}", { v: value || t("Single") })} value={row(value).stock} min={0} onChange={(v) => setRows({ ...rows, [value]: { ...row(value), stock: Number(v) } })} /></Table.Td>
                <Table.Td><TextInput aria-label={t("GTIN of {{v}}", { v: value || t("Single") })} value={row(value).gtin} onChange={(e) => setRows({ ...rows, [value]: { ...row(value), gtin: e.currentTarget.value } })} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <FileInput label={t("Pictures")} description={t("JPEG, PNG or WebP, up to 5 MB, 8 at most")} multiple accept={IMAGE_TYPES.join(",")} value={files} onChange={setFiles} clearable />
        <ProblemAlert error={create.error} title={t("Product not saved")} />
        <Button type="submit" loading={create.isPending} w="fit-content" disabled={!category}>{t("Save draft")}</Button>
      </Stack>
    </Card>
  );
}

export function Stock() {
  const { t } = useTranslation();
  const { offerId = "" } = useParams();
  const queries = useQueryClient();
  const [quantity, setQuantity] = useState<number>(10);
  const stock = useQuery({ queryKey: ["stock", offerId], queryFn: () => ok(api().GET("/inventory/offers/{offerId}", { params: { path: { offerId } } })) });
  const receive = useMutation({
    mutationFn: () => ok(api().POST("/inventory/offers/{offerId}/receipts", { params: { path: { offerId } }, body: { quantity } })),
    onSuccess: (data) => queries.setQueryData(["stock", offerId], data),
  });
  if (stock.isPending) return <Loading />;
  if (stock.error) return <ProblemAlert error={stock.error} />;
  return (
    <Stack>
      <PageTitle>{t("Stock")}</PageTitle>
      <Text>{t("Available")}: <b data-testid="available">{stock.data.available}</b></Text>
      <Table>
        <Table.Thead><Table.Tr><Table.Th>{t("Warehouse")}</Table.Th><Table.Th>{t("On hand")}</Table.Th><Table.Th>{t("Reserved")}</Table.Th><Table.Th>{t("Available")}</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {stock.data.warehouses.map((w) => (
            <Table.Tr key={w.warehouseId}><Table.Td>{w.warehouseId}</Table.Td><Table.Td>{w.onHand}</Table.Td><Table.Td>{w.reserved}</Table.Td><Table.Td>{w.available}</Table.Td></Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group align="end">
        <NumberInput label={t("Units received")} value={quantity} min={1} onChange={(v) => setQuantity(Number(v))} />
        <Button onClick={() => receive.mutate()} loading={receive.isPending}>{t("Receive")}</Button>
      </Group>
      <ProblemAlert error={receive.error} />
      <Title order={2} size="h5">{t("Movements")}</Title>
      <Table>
        <Table.Tbody>
          {stock.data.movements.slice(0, 20).map((m) => (
            <Table.Tr key={m.movementId}><Table.Td>{dateTime(m.at)}</Table.Td><Table.Td><Badge variant="light">{t(m.kind)}</Badge></Table.Td><Table.Td>{m.onHandChange}</Table.Td><Table.Td>{m.reference}</Table.Td></Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
