import { Alert, Stack } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Outlet } from "react-router";
import { useSession } from "../../auth/useSession";
import { SectionTabs, SignedIn } from "../../components/common";

const TABS = [
  { to: "/admin", label: "Seller applications" },
  { to: "/admin/listings", label: "Listings" },
  { to: "/admin/reviews", label: "Reviews" },
  { to: "/admin/promotions", label: "Coupons and flash sales" },
  { to: "/admin/accounts", label: "Accounts and roles" },
  { to: "/admin/imports", label: "Catalog imports" },
  { to: "/admin/ledger", label: "Ledger" },
];

export function AdminLayout() {
  const { t } = useTranslation();
  const { isStaff } = useSession();
  return (
    <SignedIn>
      {!isStaff ? (
        <Alert color="red">{t("The admin panel is for staff.")}</Alert>
      ) : (
        <Stack>
          <SectionTabs tabs={TABS} />
          <Outlet />
        </Stack>
      )}
    </SignedIn>
  );
}
