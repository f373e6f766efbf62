import { Alert, Button, Card, Group, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation } from "react-router";
import { api, ok } from "../../api/client";
import { renew } from "../../auth/session";
import { useSession } from "../../auth/useSession";
import { Loading, PageTitle, SectionTabs, SignedIn, StatusBadge } from "../../components/common";
import { dateTime } from "../../format";

const TABS = [
  { to: "/seller", label: "Dashboard" },
  { to: "/seller/products", label: "Products" },
  { to: "/seller/shipments", label: "Packages to ship" },
  { to: "/seller/returns", label: "Returns" },
  { to: "/seller/shop", label: "Shop" },
  { to: "/seller/balance", label: "Balance" },
];

/** No seller yet: the account's applications and their state, or the way to apply. */
function NotASeller() {
  const { t } = useTranslation();
  const applications = useQuery({ queryKey: ["my-applications"], queryFn: () => ok(api().GET("/me/seller-applications")) });
  if (applications.isPending) return <Loading />;
  const items = applications.data?.items ?? [];
  const approved = items.some((a) => a.status === "APPROVED");
  return (
    <Stack>
      <PageTitle>{t("Seller center")}</PageTitle>
      {items.map((a) => (
        <Card key={a.applicationId} withBorder data-testid="application">
          <Group justify="space-between">
            <Text fw={600}>{a.shopName}</Text>
            <StatusBadge status={a.status} />
          </Group>
          <Text size="sm" c="dimmed">{t("Sent {{date}}", { date: dateTime(a.createdAt) })}</Text>
          {a.note && <Alert color="yellow" mt="xs">{a.note}</Alert>}
          {a.reasons.length > 0 && <Text size="sm">{a.reasons.map((r) => t(r)).join(", ")}</Text>}
        </Card>
      ))}
      {approved ? (
        <Button w="fit-content" onClick={() => void renew()}>{t("Open my seller center")}</Button>
      ) : items.some((a) => ["SUBMITTED", "IN_REVIEW", "NEEDS_INFO"].includes(a.status)) ? null : (
        <Card withBorder>
          <Text>{t("Sell to millions of buyers: apply with your CPF or CNPJ and a bank account.")}</Text>
          <Button component={Link} to="/seller/apply" mt="sm" w="fit-content">{t("Apply to sell")}</Button>
        </Card>
      )}
    </Stack>
  );
}

export function SellerLayout() {
  const { t } = useTranslation();
  const { sellerId, isStaff } = useSession();
  const location = useLocation();
  return (
    <SignedIn>
      {location.pathname === "/seller/apply" ? (
        <Outlet />
      ) : !sellerId ? (
        isStaff ? <Alert>{t("Staff act for sellers from the admin panel.")}</Alert> : <NotASeller />
      ) : (
        <Stack>
          <SectionTabs tabs={TABS} />
          <Outlet context={{ sellerId }} />
        </Stack>
      )}
    </SignedIn>
  );
}
