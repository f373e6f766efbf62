/** Portuguese and English. Keys are the English text (i18next returns the key when a language
 * has no entry), so `en` needs no table and `pt` translates every key (checked by `npm run
 * typecheck`: the table is typed by the keys in use). The choice is kept in localStorage. */
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./en";
import { pt } from "./pt";

const LANGUAGE_KEY = "titan.language";

export function initialLanguage(): "pt" | "en" {
  const chosen = localStorage.getItem(LANGUAGE_KEY);
  if (chosen === "pt" || chosen === "en") return chosen;
  return navigator.language.toLowerCase().startsWith("en") ? "en" : "pt";
}

export function chooseLanguage(language: "pt" | "en") {
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language === "pt" ? "pt-BR" : "en";
  void i18n.changeLanguage(language);
}

void i18n.use(initReactI18next).init({
  resources: { pt: { translation: pt }, en: { translation: en } },
  lng: initialLanguage(),
  fallbackLng: false,
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  returnEmptyString: false,
  showSupportNotice: false,
});
document.documentElement.lang = i18n.language === "pt" ? "pt-BR" : "en";

export default i18n;
