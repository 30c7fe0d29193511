import { useTranslation } from "react-i18next";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { RequestError, useDateTime } from "../shared/ui";

const Audit = graphql(`
  query AuditEvents {
    auditEvents(first: 100) {
      nodes { id type createdAt ipAddress data actor { id displayName } device { id name } }
    }
  }
`);

export function AuditPage() {
  const { t } = useTranslation();
  const when = useDateTime();
  const [events, refetch] = useQuery({ query: Audit, requestPolicy: "network-only" });
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => refetch({ requestPolicy: "network-only" })}>{t("common.refresh")}</button>
      </div>
      <RequestError error={events.error} />
      <table>
        <caption className="visually-hidden">{t("audit.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("audit.when")}</th>
            <th scope="col">{t("audit.type")}</th>
            <th scope="col">{t("audit.actor")}</th>
            <th scope="col">{t("audit.device")}</th>
            <th scope="col">{t("audit.ipAddress")}</th>
            <th scope="col">{t("audit.data")}</th>
          </tr>
        </thead>
        <tbody>
          {events.data?.auditEvents.nodes.map((e) => (
            <tr key={e.id}>
              <td>{when(e.createdAt)}</td>
              <td><code>{e.type}</code></td>
              <td>{e.actor?.displayName ?? "—"}</td>
              <td>{e.device?.name ?? "—"}</td>
              <td>{e.ipAddress ?? "—"}</td>
              <td><code>{JSON.stringify(e.data)}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
