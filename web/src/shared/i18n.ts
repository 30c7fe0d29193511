// English and French with i18next: the browser's language picks one, the switch in the
// header changes it and is remembered. The French dictionary has the English one's type,
// so a missing French string fails `npm run check`.
import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import { initReactI18next } from "react-i18next";
import { en } from "./locales/en";
import { fr } from "./locales/fr";

export const LANGUAGES: [string, string][] = [
  ["en", "English"],
  ["fr", "Français"],
];

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof en };
  }
}

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { en: { translation: en }, fr: { translation: fr } },
    supportedLngs: ["en", "fr"],
    nonExplicitSupportedLngs: true,
    load: "languageOnly",
    fallbackLng: "en",
    interpolation: { escapeValue: false }, // React escapes
    detection: { order: ["localStorage", "navigator"], lookupLocalStorage: "pairgate.language", caches: ["localStorage"] },
  });

const setLang = (lng: string) => document.documentElement.setAttribute("lang", lng.split("-")[0]);
i18n.on("languageChanged", setLang);
if (i18n.resolvedLanguage) setLang(i18n.resolvedLanguage);

export default i18n;
