import { Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../api/client";
import { countdown } from "../format";

type Sale = Schemas["SaleOut"];

/** Seconds to the sale's start (upcoming) or end (live), ticking every second from the moment
 * the API answered (its `secondsToStart`/`secondsToEnd`, not this device's clock). */
export function Countdown({ sale, fetchedAt }: { sale: Sale; fetchedAt?: number }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(Date.now());
  const [origin] = useState(() => fetchedAt ?? Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const elapsed = (now - origin) / 1000;
  const upcoming = sale.phase === "UPCOMING";
  const left = (upcoming ? sale.secondsToStart : sale.secondsToEnd) - elapsed;
  if (sale.phase === "ENDED" || left <= 0 && !upcoming) return <Text size="sm">{t("Ended")}</Text>;
  return (
    <Text size="sm" fw={600} data-testid="countdown" role="timer" aria-live="off">
      {upcoming ? t("Starts in") : t("Ends in")} {countdown(Math.max(0, left))}
    </Text>
  );
}

