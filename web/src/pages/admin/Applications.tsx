import { Button, Card, Group, MultiSelect, SegmentedControl, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ok, type Schemas } from "../../api/client";
import { Loading, PageTitle, ProblemAlert, StatusBadge } from "../../components/common";
import { dateTime } from "../../format";

const REASONS = ["DOCUMENT_UNREADABLE", "DOCUMENT_MISMATCH", "IDENTITY_NOT_VERIFIED", "PROHIBITED_GOODS", "DUPLICATE_SELLER", "OTHER"] as const;
type Application = Schemas["SellerApplicationOut"];

function ApplicationCard({ application, onChange }: { application: Application; onChange: () => void }) {
  const { t } = useTranslation();
  const [reasons, setReasons] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const path = { params: { path: { applicationId: application.applicationId } } };
  const act = useMutation({
    mutationFn: async (action: "review" | "approve" | "reject" | "request-info") => {
      if (action === "review") return ok(api().POST("/admin/seller-applications/{applicationId}/review", path));
      if (action === "approve") {
        if (application.status === "SUBMITTED") await ok(api().POST("/admin/seller-applications/{applicationId}/review", path));
        return ok(api().POST("/admin/seller-applications/{applicationId}/approve", path));
      }
      if (action === "reject") return ok(api().POST("/admin/seller-applications/{applicationId}/reject", { ...path, body: { reasons: reasons as (typeof REASONS)[number][], note: note || null } }));
      return ok(api().POST("/admin/seller-applications/{applicationId}/request-info", { ...path, body: { note } }));
    },
    onSuccess: onChange,
  });
  const address = application.address as Record<string, string>;
  return (
    <Card withBorder data-testid="application">
      <Group justify="space-between">
        <Text fw={600}>{application.shopName}</Text>
        <StatusBadge status={application.status} />
      </Group>
      <Text size="sm">{application.legalName} · {application.legalType === "PERSON" ? "CPF" : "CNPJ"} {application.document}</Text>
      <Text size="sm" c="dimmed">{address.city}/{address.state} · {t("sent {{date}}", { date: dateTime(application.createdAt) })} · {t("{{count}} documents", { count: application.documents.length })}</Text>
      {application.status !== "APPROVED" && application.status !== "REJECTED" && (
        <Stack gap="xs" mt="sm">
          <Group>
            {application.status === "SUBMITTED" && <Button size="xs" variant="light" onClick={() => act.mutate("review")}>{t("Start review")}</Button>}
            <Button size="xs" onClick={() => act.mutate("approve")} loading={act.isPending && act.variables === "approve"}>{t("Approve")}</Button>
          </Group>
          <Group align="end">
            <MultiSelect size="xs" label={t("Reasons")} data={REASONS.map((r) => ({ value: r, label: t(r) }))} value={reasons} onChange={setReasons} w={280} />
            <TextInput size="xs" label={t("Note to the applicant")} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
            <Button size="xs" color="red" variant="light" disabled={!reasons.length} onClick={() => act.mutate("reject")}>{t("Reject")}</Button>
            <Button size="xs" variant="default" disabled={!note} onClick={() => act.mutate("request-info")}>{t("Ask for more")}</Button>
          </Group>
        </Stack>
      )}
      <ProblemAlert error={act.error} />
    </Card>
  );
}

export function Applications() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [status, setStatus] = useState("SUBMITTED");
  const list = useQuery({
    queryKey: ["admin-applications", status],
    queryFn: () => ok(api().GET("/admin/seller-applications", { params: { query: { status: status as "SUBMITTED", limit: 50 } } })),
  });
  return (
    <Stack>
      <PageTitle>{t("Seller applications")}</PageTitle>
      <SegmentedControl value={status} onChange={setStatus} aria-label={t("State")}
        data={["SUBMITTED", "IN_REVIEW", "NEEDS_INFO", "APPROVED", "REJECTED"].map((s) => ({ value: s, label: t(s) }))} />
      {list.isPending ? <Loading /> : list.error ? <ProblemAlert error={list.error} /> : (
        <>
          {!list.data.items.length && <Text>{t("No application in this state.")}</Text>}
          {list.data.items.map((a) => <ApplicationCard key={a.applicationId} application={a} onChange={() => queries.invalidateQueries({ queryKey: ["admin-applications"] })} />)}
        </>
      )}
    </Stack>
  );
}
