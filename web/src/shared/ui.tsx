import { useTranslation } from "react-i18next";
import type { ErrorCode } from "../gql/graphql";
import { LANGUAGES } from "./i18n";

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      {t("common.language")}{" "}
      <select value={i18n.resolvedLanguage} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
        {LANGUAGES.map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface UserErrorLike {
  code: ErrorCode;
  message: string;
  field?: string[] | null;
  retryAfterSeconds?: number | null;
}

/** A payload's userErrors, in the reader's language (the server's English message as a fallback). */
export function UserErrors({ errors }: { errors: readonly UserErrorLike[] | null | undefined }) {
  const { t } = useTranslation();
  if (!errors || errors.length === 0) return null;
  return (
    <div role="alert" className="errors">
      <ul>
        {errors.map((error, index) => (
          <li key={index}>
            {t(`errorCode.${error.code}`, { defaultValue: error.message })}
            {error.retryAfterSeconds ? ` ${t("common.retryAfter", { seconds: error.retryAfterSeconds })}` : ""}
            {error.field && error.field.length ? ` (${error.field.join(".")})` : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A transport or top-level GraphQL error (not a userError). */
export function RequestError({ error }: { error: { message: string } | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p role="alert" className="errors">
      {t("common.requestFailed")} {error.message}
    </p>
  );
}

export function useDateTime() {
  const { i18n } = useTranslation();
  return (value: string | null | undefined) =>
    value ? new Date(value).toLocaleString(i18n.resolvedLanguage, { dateStyle: "short", timeStyle: "medium" }) : "—";
}
