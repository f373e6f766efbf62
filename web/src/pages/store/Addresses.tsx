import { Button, Checkbox, Grid, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, ok } from "../../api/client";
import { ProblemAlert } from "../../components/common";

const UF = /^(AC|AL|AP|AM|BA|CE|DF|ES|GO|MA|MT|MS|MG|PA|PB|PR|PE|PI|RJ|RN|RS|RO|RR|SC|SP|SE|TO)$/;

/** A new address for the buyer's address book; `onSaved` gets its id. */
export function AddressForm({ onSaved }: { onSaved: (addressId: string) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const form = useForm({
    initialValues: { recipientName: "", postalCode: "", street: "", number: "", complement: "", district: "", city: "", state: "", phone: "", isDefault: true },
    validate: {
      recipientName: (v) => (v.trim() ? null : t("Required")),
      postalCode: (v) => (/^\d{5}-?\d{3}$/.test(v.trim()) ? null : t("CEP has 8 digits")),
      street: (v) => (v.trim() ? null : t("Required")),
      number: (v) => (v.trim() ? null : t("Required")),
      city: (v) => (v.trim() ? null : t("Required")),
      state: (v) => (UF.test(v.trim().toUpperCase()) ? null : t("A state's two letters (SP, RJ...)")),
    },
  });
  const save = useMutation({
    mutationFn: (values: typeof form.values) =>
      ok(
        api().POST("/me/addresses", {
          body: {
            ...values,
            postalCode: values.postalCode.replace("-", ""),
            state: values.state.toUpperCase(),
            complement: values.complement || null,
            district: values.district || null,
            phone: values.phone || null,
            country: "BR",
          },
        }),
      ),
    onSuccess: (created) => {
      void queries.invalidateQueries({ queryKey: ["addresses"] });
      onSaved(created.addressId);
    },
  });
  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values))} aria-label={t("New address")}>
      <Stack gap="xs">
        <ProblemAlert error={save.error} />
        <Grid gap="xs">
          <Grid.Col span={{ base: 12, sm: 8 }}><TextInput label={t("Recipient")} autoComplete="name" {...form.getInputProps("recipientName")} /></Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}><TextInput label="CEP" autoComplete="postal-code" {...form.getInputProps("postalCode")} /></Grid.Col>
          <Grid.Col span={{ base: 12, sm: 8 }}><TextInput label={t("Street")} autoComplete="address-line1" {...form.getInputProps("street")} /></Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4 }}><TextInput label={t("Number")} {...form.getInputProps("number")} /></Grid.Col>
          <Grid.Col span={{ base: 6, sm: 6 }}><TextInput label={t("Complement")} {...form.getInputProps("complement")} /></Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}><TextInput label={t("District")} {...form.getInputProps("district")} /></Grid.Col>
          <Grid.Col span={{ base: 8, sm: 6 }}><TextInput label={t("City")} autoComplete="address-level2" {...form.getInputProps("city")} /></Grid.Col>
          <Grid.Col span={{ base: 4, sm: 2 }}><TextInput label={t("State")} maxLength={2} autoComplete="address-level1" {...form.getInputProps("state")} /></Grid.Col>
          <Grid.Col span={{ base: 12, sm: 4 }}><TextInput label={t("Phone")} type="tel" autoComplete="tel" {...form.getInputProps("phone")} /></Grid.Col>
        </Grid>
        <Checkbox label={t("Make this my default address")} {...form.getInputProps("isDefault", { type: "checkbox" })} />
        <Button type="submit" loading={save.isPending} w="fit-content">{t("Save address")}</Button>
      </Stack>
    </form>
  );
}
