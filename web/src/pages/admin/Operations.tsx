import { Alert, Badge, Button, Card, FileInput, Group, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, ok } from "../../api/client";
import { Problem } from "../../api/problem";
import { Loading, PageTitle, ProblemAlert, StatusBadge } from "../../components/common";
import { dateTime, money } from "../../format";

const ROLES = ["customer", "seller", "staff", "admin"] as const;

export function Accounts() {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("staff");
  const [sellerId, setSellerId] = useState("");
  const find = useMutation({ mutationFn: (address: string) => ok(api().GET("/admin/accounts", { params: { query: { email: address } } })) });
  const account = find.data;
  const grant = useMutation({
    mutationFn: () => ok(api().POST("/admin/accounts/{accountId}/roles", { params: { path: { accountId: account!.accountId } }, body: { role, sellerId: role === "seller" ? sellerId : null } })),
    onSuccess: () => find.mutate(account!.email),
  });
  const revoke = useMutation({
    mutationFn: (name: string) => ok(api().DELETE("/admin/accounts/{accountId}/roles/{role}", { params: { path: { accountId: account!.accountId, role: name } } })),
    onSuccess: () => find.mutate(account!.email),
  });
  const search = (e: FormEvent) => {
    e.preventDefault();
    find.mutate(email);
  };
  return (
    <Stack>
      <PageTitle>{t("Accounts and roles")}</PageTitle>
      <form onSubmit={search}>
        <Group align="end">
          <TextInput label={t("E-mail")} type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required />
          <Button type="submit" loading={find.isPending}>{t("Find")}</Button>
        </Group>
      </form>
      <ProblemAlert error={find.error ?? grant.error ?? revoke.error} />
      {account && (
        <Card withBorder>
          <Text fw={600}>{account.name} · {account.email}</Text>
          <Text size="sm" c="dimmed">{t("since {{date}}", { date: dateTime(account.createdAt) })} · MFA {account.mfaEnabled ? t("on") : t("off")}</Text>
          <Group mt="xs" gap="xs">
            {account.roles.map((r) => (
              <Badge key={r} rightSection={<button type="button" aria-label={t("Revoke {{role}}", { role: r })} onClick={() => revoke.mutate(r)} style={{ border: 0, background: "none", cursor: "pointer" }}>✕</button>}>{r}</Badge>
            ))}
          </Group>
          <Group mt="sm" align="end">
            <Select label={t("Role")} data={[...ROLES]} value={role} onChange={(v) => setRole((v ?? "staff") as typeof role)} allowDeselect={false} w={140} />
            {role === "seller" && <TextInput label={t("Seller id")} value={sellerId} onChange={(e) => setSellerId(e.currentTarget.value)} />}
            <Button onClick={() => grant.mutate()} loading={grant.isPending}>{t("Grant")}</Button>
          </Group>
        </Card>
      )}
    </Stack>
  );
}

export function Imports() {
  const { t } = useTranslation();
  const [kind, setKind] = useState<"sellers" | "products" | "offers">("products");
  const [file, setFile] = useState<File | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: async () => {
      const created = await ok(api().POST("/admin/catalog/imports", { body: { kind } }));
      const upload = created.upload;
      const sent = await fetch(upload.url, { method: upload.method, headers: upload.headers as Record<string, string>, body: file });
      if (!sent.ok) throw new Problem(sent.status, { code: "UPLOAD_REFUSED", detail: `The storage refused the file (${sent.status}).` });
      return created.importId;
    },
    onSuccess: setImportId,
  });
  const report = useQuery({
    queryKey: ["import", importId],
    queryFn: () => ok(api().GET("/admin/catalog/imports/{importId}", { params: { path: { importId: importId! } } })),
    enabled: !!importId,
    refetchInterval: (query) => (["COMPLETED", "FAILED"].includes(query.state.data?.status ?? "") ? false : 2000),
  });
  return (
    <Stack>
      <PageTitle>{t("Catalog imports")}</PageTitle>
      <Text size="sm">{t("A CSV in Olist's columns: sellers, products or offers. Rows already imported are left as they are.")}</Text>
      <Group align="end">
        <Select label={t("Kind")} data={["sellers", "products", "offers"]} value={kind} onChange={(v) => setKind((v ?? "products") as typeof kind)} allowDeselect={false} w={140} />
        <FileInput label={t("CSV file")} accept=".csv,text/csv" value={file} onChange={setFile} w={260} />
        <Button onClick={() => start.mutate()} disabled={!file} loading={start.isPending}>{t("Import")}</Button>
      </Group>
      <ProblemAlert error={start.error ?? report.error} />
      {importId && report.isPending && <Loading />}
      {report.data && (
        <Card withBorder>
          <Group justify="space-between"><Text fw={600}>{report.data.importId}</Text><StatusBadge status={report.data.status} /></Group>
          <Text size="sm">
            {t("rows {{rows}}, created {{created}}, updated {{updated}}, unchanged {{unchanged}}, skipped {{skipped}}", report.data.counts)}
          </Text>
          {report.data.failure && <Alert color="red">{report.data.failure}</Alert>}
          {report.data.errors.slice(0, 10).map((e, i) => <Text key={i} size="xs" c="red">{JSON.stringify(e)}</Text>)}
        </Card>
      )}
    </Stack>
  );
}

export function Ledger() {
  const { t } = useTranslation();
  const [account, setAccount] = useState("");
  const trial = useQuery({ queryKey: ["trial-balance"], queryFn: () => ok(api().GET("/admin/ledger/trial-balance")) });
  const lookup = useMutation({ mutationFn: () => ok(api().GET("/admin/ledger/accounts/{account}", { params: { path: { account } } })) });
  return (
    <Stack>
      <PageTitle>{t("Ledger")}</PageTitle>
      {trial.isPending ? <Loading /> : trial.error ? <ProblemAlert error={trial.error} /> : (
        <Card withBorder data-testid="trial-balance">
          <Title order={2} size="h4">{t("Trial balance")}</Title>
          <Text>{t("{{count}} accounts", { count: trial.data.accounts })} · {t("sum of all balances")}: <b>{money(trial.data.total)}</b></Text>
          {trial.data.total === 0 && !trial.data.mismatched.length ? (
            <Alert color="green" mt="xs">{t("Balanced: debits equal credits and every balance equals its entries.")}</Alert>
          ) : (
            <Alert color="red" mt="xs">{t("Out of balance")}: {trial.data.mismatched.join(", ")}</Alert>
          )}
        </Card>
      )}
      <Group align="end">
        <TextInput label={t("Account (e.g. platform:commission)")} value={account} onChange={(e) => setAccount(e.currentTarget.value)} />
        <Button onClick={() => lookup.mutate()} disabled={!account}>{t("Look up")}</Button>
      </Group>
      <ProblemAlert error={lookup.error} />
      {lookup.data && (
        <Table><Table.Tbody>
          <Table.Tr><Table.Td>{lookup.data.account}</Table.Td><Table.Td>{money(lookup.data.balance)}</Table.Td><Table.Td>{t("entries")}: {money(lookup.data.entriesSum)}</Table.Td></Table.Tr>
        </Table.Tbody></Table>
      )}
    </Stack>
  );
}
