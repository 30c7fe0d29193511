import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { OverrideAction } from "../gql/graphql";
import { PinPad } from "../shared/PinPad";
import { RequestError, UserErrors } from "../shared/ui";

const Actions = graphql(`
  query OverrideActions {
    overrideActions { key label approverRoles }
  }
`);

const Approve = graphql(`
  mutation OverrideApprove($pin: String!, $action: OverrideAction!, $reason: String!) {
    overrideApprove(input: { pin: $pin, action: $action, reason: $reason }) {
      overrideToken
      override { id action reason expiresAt }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

/** A manager types their PIN on this register to approve one restricted action. */
export function OverrideDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [actions] = useQuery({ query: Actions });
  const [action, setAction] = useState<OverrideAction | "">("");
  const [reason, setReason] = useState("");
  const [result, approve] = useMutation(Approve);
  const [approved, setApproved] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const close = (event: KeyboardEvent) => event.key === "Escape" && onClose();
    window.addEventListener("keydown", close);
    return () => window.removeEventListener("keydown", close);
  }, [onClose]);
  const chosen = action || actions.data?.overrideActions[0]?.key || "";
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="override-title" ref={dialog}>
        <h2 id="override-title">{t("override.title")}</h2>
        {approved ? (
          <>
            <p className="success" role="status">{t("override.approved", { action: t(`overrideAction.${approved as OverrideAction}`, { defaultValue: approved }) })}</p>
            <div className="actions">
              <button type="button" onClick={onClose} autoFocus>{t("common.close")}</button>
            </div>
          </>
        ) : (
          <>
            <label>
              {t("override.action")}
              <select value={chosen} onChange={(e) => setAction(e.target.value as OverrideAction)}>
                {actions.data?.overrideActions.map((a) => (
                  <option key={a.key} value={a.key}>{t(`overrideAction.${a.key}`, { defaultValue: a.label })}</option>
                ))}
              </select>
            </label>
            <label>
              {t("override.reason")}
              <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} />
            </label>
            <PinPad
              label={t("override.pin")}
              submitLabel={t("override.submit")}
              busy={result.fetching}
              onSubmit={async (pin) => {
                if (!chosen) return;
                const answer = await approve({ pin, action: chosen as OverrideAction, reason });
                const payload = answer.data?.overrideApprove;
                if (payload?.overrideToken && payload.override) setApproved(payload.override.action);
              }}
            />
            <UserErrors errors={result.data?.overrideApprove.userErrors} />
            <RequestError error={result.error} />
            <div className="actions">
              <button type="button" className="secondary" onClick={onClose}>{t("common.cancel")}</button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
