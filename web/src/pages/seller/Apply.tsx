import { Button, Card, FileInput, Grid, Select, Stack, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api, ok } from "../../api/client";
import { uploadTo } from "../../api/upload";
import { PageTitle, ProblemAlert } from "../../components/common";

const DOCUMENT_TYPES = ["application/pdf", "image/jpeg", "image/png"] as const;

/** Apply to sell: who (CPF or CNPJ), the shop's name, the business address, the payout account
 * and the documents (straight to S3 with the API's presigned form). */
export function Apply() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const form = useForm({
    initialValues: {
      legalType: "PERSON", document: "", legalName: "", shopName: "",
      street: "", number: "", complement: "", district: "", city: "", state: "", postalCode: "",
      bankCode: "", branch: "", account: "", accountType: "CHECKING",
      files: [] as File[],
    },
  });
  const apply = useMutation({
    mutationFn: async (v: typeof form.values) => {
      const documents: string[] = [];
      for (const file of v.files) {
        const contentType = DOCUMENT_TYPES.find((type) => type === file.type) ?? "application/pdf";
        const upload = await ok(api().POST("/seller-applications/documents", { body: { contentType } }));
        documents.push(await uploadTo(upload as { url: string; fields: Record<string, string>; key: string }, file));
      }
      const document = v.document.replace(/\D/g, "");
      return ok(api().POST("/seller-applications", {
        body: {
          legalType: v.legalType as "PERSON" | "COMPANY", document, legalName: v.legalName, shopName: v.shopName, documents,
          address: { street: v.street, number: v.number, complement: v.complement || null, district: v.district, city: v.city, state: v.state.toUpperCase(), postalCode: v.postalCode },
          bank: { bankCode: v.bankCode, branch: v.branch, account: v.account, accountType: v.accountType as "CHECKING", holderName: v.legalName, holderDocument: document },
        },
      }));
    },
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ["my-applications"] });
      navigate("/seller");
    },
  });
  const field = (name: keyof typeof form.values, label: string, extra: object = {}) => (
    <TextInput label={t(label)} required {...form.getInputProps(name)} {...extra} />
  );
  return (
    <Card withBorder maw={760}>
      <PageTitle>{t("Apply to sell")}</PageTitle>
      <form onSubmit={form.onSubmit((v) => apply.mutate(v))}>
        <Stack>
          <Grid gap="xs">
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <Select label={t("You sell as")} data={[{ value: "PERSON", label: t("A person (CPF)") }, { value: "COMPANY", label: t("A company (CNPJ)") }]} allowDeselect={false} {...form.getInputProps("legalType")} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>{field("document", form.values.legalType === "PERSON" ? "CPF" : "CNPJ", { inputMode: "numeric" })}</Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>{field("legalName", "Legal name")}</Grid.Col>
            <Grid.Col span={12}>{field("shopName", "Shop name")}</Grid.Col>
          </Grid>
          <Title order={2} size="h5">{t("Business address")}</Title>
          <Grid gap="xs">
            <Grid.Col span={{ base: 12, sm: 8 }}>{field("street", "Street")}</Grid.Col>
            <Grid.Col span={{ base: 6, sm: 4 }}>{field("number", "Number")}</Grid.Col>
            <Grid.Col span={{ base: 6, sm: 4 }}><TextInput label={t("Complement")} {...form.getInputProps("complement")} /></Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>{field("district", "District")}</Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>{field("postalCode", "CEP")}</Grid.Col>
            <Grid.Col span={{ base: 8, sm: 8 }}>{field("city", "City")}</Grid.Col>
            <Grid.Col span={{ base: 4, sm: 4 }}>{field("state", "State", { maxLength: 2 })}</Grid.Col>
          </Grid>
          <Title order={2} size="h5">{t("Payout account (in your name)")}</Title>
          <Grid gap="xs">
            <Grid.Col span={{ base: 6, sm: 3 }}>{field("bankCode", "Bank code", { inputMode: "numeric", description: t("3 digits, e.g. 341") })}</Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}>{field("branch", "Branch")}</Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}>{field("account", "Account")}</Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}>
              <Select label={t("Account type")} allowDeselect={false} data={[{ value: "CHECKING", label: t("Checking") }, { value: "SAVINGS", label: t("Savings") }, { value: "PAYMENT", label: t("Payment") }]} {...form.getInputProps("accountType")} />
            </Grid.Col>
          </Grid>
          <FileInput label={t("Documents (ID, proof of address)")} description={t("PDF, JPEG or PNG, up to 10 MB each")} multiple accept={DOCUMENT_TYPES.join(",")} clearable {...form.getInputProps("files")} />
          <ProblemAlert error={apply.error} title={t("Application not sent")} />
          <Button type="submit" loading={apply.isPending} w="fit-content">{t("Send application")}</Button>
        </Stack>
      </form>
    </Card>
  );
}
