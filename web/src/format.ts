/** Money and dates for people: BRL as Brazilians write it (R$ 1.234,56) whatever the language,
 * dates and times in the reader's own time zone and language. */
import i18n from "./i18n";

export interface Money {
  amount: number;
  currency: string;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** `{amount: 123456, currency: "BRL"}` (minor units) → "R$ 1.234,56". */
export function money(value: Money | number | null | undefined, currency = "BRL"): string {
  if (value === null || value === undefined) return "—";
  const { amount, currency: code } = typeof value === "number" ? { amount: value, currency } : value;
  let format = moneyFormats.get(code);
  if (!format) {
    format = new Intl.NumberFormat(code === "BRL" ? "pt-BR" : i18n.language, {
      style: "currency",
      currency: code,
    });
    moneyFormats.set(code, format);
  }
  return format.format(amount / 100);
}

function locale(): string {
  return i18n.language === "en" ? "en-US" : "pt-BR";
}

/** An ISO 8601 instant in the reader's time zone: "1 de dez. de 2026 14:05". */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

/** A calendar day ("2026-12-04" or an instant) as the reader writes dates. */
export function day(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(date);
}

/** A share (0.125) as a percentage ("12,5%"). */
export function percent(share: number | null | undefined): string {
  if (share === null || share === undefined) return "—";
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(share);
}

/** Seconds left as h:mm:ss (a flash sale's countdown). */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}

/** Reais typed by a person ("1.234,56", "1234.56", "12") → minor units, or null. */
export function parseReais(text: string): number | null {
  const cleaned = text.replace(/[R$\s]/g, "");
  const normalised = cleaned.includes(",") ? cleaned.replace(/\./g, "").replace(",", ".") : cleaned;
  if (!/^\d+(\.\d{1,2})?$/.test(normalised)) return null;
  return Math.round(parseFloat(normalised) * 100);
}
