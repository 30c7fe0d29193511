import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { UserErrors } from "./ui";

const Approve = graphql(`
  mutation ApproveThisDevice($name: String!) {
    deviceApprove(input: { name: $name }) {
      device { id name status }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Decline = graphql(`
  mutation DeclineThisDevice($dontAskAgain: Boolean!) {
    deviceDeclineApproval(input: { dontAskAgain: $dontAskAgain }) {
      device { id }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

/** After a password login on an unapproved device, an ADMIN or MANAGER may approve it for PIN login. */
export function ApprovalPrompt({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [approved, approve] = useMutation(Approve);
  const [declined, decline] = useMutation(Decline);
  const errors = approved.data?.deviceApprove.userErrors ?? declined.data?.deviceDeclineApproval.userErrors;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await approve({ name });
    if (result.data?.deviceApprove.userErrors.length === 0) onDone();
  };
  const skip = async (dontAskAgain: boolean) => {
    const result = await decline({ dontAskAgain });
    if (result.data?.deviceDeclineApproval.userErrors.length === 0) onDone();
  };
  return (
    <section className="card" aria-labelledby="approval-title">
      <h2 id="approval-title">{t("approval.title")}</h2>
      <p>{t("approval.explain")}</p>
      <form onSubmit={submit}>
        <label>
          {t("approval.name")}
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <UserErrors errors={errors} />
        <div className="actions">
          <button type="submit" disabled={approved.fetching}>
            {t("approval.approve")}
          </button>
          <button type="button" className="secondary" onClick={() => void skip(false)} disabled={declined.fetching}>
            {t("approval.notNow")}
          </button>
          <button type="button" className="secondary" onClick={() => void skip(true)} disabled={declined.fetching}>
            {t("approval.dontAskAgain")}
          </button>
        </div>
      </form>
    </section>
  );
}
