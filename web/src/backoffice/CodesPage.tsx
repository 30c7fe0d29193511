import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { Link, navigate } from "../shared/router";
import { RequestError, UserErrors, useDateTime } from "../shared/ui";
import { useCodePaired } from "./live";

const Codes = graphql(`
  query ConnectionCodes {
    connectionCodes(first: 100) {
      nodes {
        id description deviceType status useCount singleUse expiresAt lastPairedAt
        configuration { id name }
      }
    }
  }
`);

const CreateForm = graphql(`
  query ConnectionCodeForm {
    deviceTypes { key label }
    configurations(first: 100) { nodes { id name } }
  }
`);

const Create = graphql(`
  mutation ConnectionCodeCreate($input: ConnectionCodeCreateInput!) {
    connectionCodeCreate(input: $input) {
      connectionCode { id }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Code = graphql(`
  query ConnectionCode($id: ID!) {
    node(id: $id) {
      __typename
      ... on ConnectionCode {
        id description deviceType status useCount singleUse expiresAt code pairingUri
        qrCode(format: SVG)
        configuration { id name }
        devices(first: 100) { nodes { id name status } }
      }
    }
  }
`);

const Revoke = graphql(`
  mutation ConnectionCodeRevoke($id: ID!, $revokeDevices: Boolean!) {
    connectionCodeRevoke(input: { id: $id, revokeDevices: $revokeDevices }) {
      connectionCode { id status }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

export function CodesPage() {
  const { t } = useTranslation();
  const when = useDateTime();
  const [codes] = useQuery({ query: Codes, requestPolicy: "cache-and-network" });
  return (
    <>
      <h1>{t("codes.title")}</h1>
      <div className="actions">
        <button type="button" onClick={() => navigate("/codes/new")}>{t("codes.create")}</button>
      </div>
      <RequestError error={codes.error} />
      <table>
        <caption className="visually-hidden">{t("codes.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("codes.description")}</th>
            <th scope="col">{t("codes.deviceType")}</th>
            <th scope="col">{t("codes.configuration")}</th>
            <th scope="col">{t("codes.status")}</th>
            <th scope="col">{t("codes.useCount")}</th>
            <th scope="col">{t("codes.expiresAt")}</th>
          </tr>
        </thead>
        <tbody>
          {codes.data?.connectionCodes.nodes.map((code) => (
            <tr key={code.id}>
              <td><Link to={`/codes/${encodeURIComponent(code.id)}`}>{code.description}</Link></td>
              <td>{t(`deviceType.${code.deviceType}`, { defaultValue: code.deviceType })}</td>
              <td>{code.configuration?.name ?? "—"}</td>
              <td className="status">{t(`codeStatus.${code.status}`)}</td>
              <td>{code.useCount}</td>
              <td>{when(code.expiresAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {codes.data?.connectionCodes.nodes.length === 0 && <p>{t("codes.none")}</p>}
    </>
  );
}

function inDays(days: number): string {
  const date = new Date(Date.now() + days * 86400_000);
  date.setSeconds(0, 0);
  // datetime-local wants local time without a zone
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function CodeCreatePage() {
  const { t } = useTranslation();
  const [form] = useQuery({ query: CreateForm, requestPolicy: "cache-and-network" });
  const [result, create] = useMutation(Create);
  const [description, setDescription] = useState("");
  const [deviceType, setDeviceType] = useState("POS");
  const [configurationId, setConfigurationId] = useState("");
  const [expiresAt, setExpiresAt] = useState(inDays(30));
  const [singleUse, setSingleUse] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await create({
      input: {
        description,
        deviceType: deviceType as "POS",
        configurationId: configurationId || null,
        expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null,
        singleUse,
      },
    });
    const id = answer.data?.connectionCodeCreate.connectionCode?.id;
    if (id) navigate(`/codes/${encodeURIComponent(id)}`);
  };
  const configurations = form.data?.configurations.nodes ?? [];
  return (
    <section className="card">
      <h1>{t("codes.createTitle")}</h1>
      <form onSubmit={submit}>
        <label>
          {t("codes.description")}
          <input value={description} onChange={(e) => setDescription(e.target.value)} required maxLength={200} placeholder={t("codes.descriptionExample")} />
        </label>
        <label>
          {t("codes.deviceType")}
          <select value={deviceType} onChange={(e) => setDeviceType(e.target.value)} required>
            {form.data?.deviceTypes.map((type) => (
              <option key={type.key} value={type.key}>{t(`deviceType.${type.key}`, { defaultValue: type.label })}</option>
            ))}
          </select>
        </label>
        <label>
          {t("codes.configuration")}
          <select value={configurationId} onChange={(e) => setConfigurationId(e.target.value)} required>
            <option value="">{t("codes.chooseConfiguration")}</option>
            {configurations.map((c) => (
              <option key={c.id} value={c.id}>{c.name}</option>
            ))}
          </select>
        </label>
        {form.data && configurations.length === 0 && (
          <p className="warning">
            {t("codes.noConfiguration")} <Link to="/configurations">{t("nav.configurations")}</Link>
          </p>
        )}
        <label>
          {t("codes.expiresAt")}
          <input type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} required />
        </label>
        <label className="inline">
          <input type="checkbox" checked={singleUse} onChange={(e) => setSingleUse(e.target.checked)} aria-describedby="single-use-warning" />
          {t("codes.singleUse")}
        </label>
        <p id="single-use-warning" className={singleUse ? "warning" : "hint"}>{t("codes.singleUseWarning")}</p>
        <UserErrors errors={result.data?.connectionCodeCreate.userErrors} />
        <RequestError error={result.error} />
        <div className="actions">
          <button type="submit" disabled={result.fetching}>{t("codes.createSubmit")}</button>
          <button type="button" className="secondary" onClick={() => navigate("/codes")}>{t("common.cancel")}</button>
        </div>
      </form>
    </section>
  );
}

function formatCode(code: string): string {
  return /^\d{12}$/.test(code) ? code.replace(/(\d{4})(\d{4})(\d{4})/, "$1-$2-$3") : code;
}

export function CodeDetailPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const when = useDateTime();
  const [code, refetch] = useQuery({ query: Code, variables: { id }, requestPolicy: "cache-and-network" });
  const [revoking, setRevoking] = useState(false);
  const [revokeDevices, setRevokeDevices] = useState(false);
  const [revoked, revoke] = useMutation(Revoke);
  const paired = useCodePaired(id, () => refetch({ requestPolicy: "network-only" }));
  const node = code.data?.node;
  if (code.error) return <RequestError error={code.error} />;
  if (!node) return code.fetching ? <p>{t("common.loading")}</p> : <p>{t("common.notFound")}</p>;
  if (node.__typename !== "ConnectionCode") return <p>{t("common.notFound")}</p>;
  const confirm = async () => {
    const answer = await revoke({ id, revokeDevices });
    if (answer.data?.connectionCodeRevoke.userErrors.length === 0) {
      setRevoking(false);
      refetch({ requestPolicy: "network-only" });
    }
  };
  const pairedNames = node.devices.nodes.map((d) => d.name);
  return (
    <>
      <h1>{node.description}</h1>
      <section className="card">
        <p>
          {t("codes.status")}: <span className="status">{t(`codeStatus.${node.status}`)}</span> · {t("codes.useCount")}: {node.useCount} ·{" "}
          {t("codes.expiresAt")}: {when(node.expiresAt)} · {node.configuration?.name}
        </p>
        {node.singleUse && <p className="warning">{t("codes.singleUseWarning")}</p>}
        <div aria-live="polite">
          {paired && <p className="paired">{t("codes.paired", { name: paired })}</p>}
        </div>
        {node.status === "ACTIVE" && (
          <>
            <p>{t("codes.typeThisCode")}</p>
            <p className="code-value" aria-label={t("codes.codeValue")}>{formatCode(node.code)}</p>
            <div className="qr">
              <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(node.qrCode)}`} alt={t("codes.qrAlt")} />
            </div>
          </>
        )}
        {pairedNames.length > 0 && (
          <>
            <h2>{t("codes.pairedDevices")}</h2>
            <ul>{node.devices.nodes.map((d) => <li key={d.id}>{d.name} ({t(`deviceStatus.${d.status}`)})</li>)}</ul>
          </>
        )}
        {node.status !== "REVOKED" && !revoking && (
          <div className="actions">
            <button type="button" className="danger" onClick={() => setRevoking(true)}>{t("codes.revoke")}</button>
          </div>
        )}
        {revoking && (
          <div className="banner" role="alertdialog" aria-labelledby="revoke-title" aria-describedby="revoke-text">
            <h2 id="revoke-title">{t("codes.revokeTitle")}</h2>
            <p id="revoke-text">{t("codes.revokeText")}</p>
            <label className="inline">
              <input type="checkbox" checked={revokeDevices} onChange={(e) => setRevokeDevices(e.target.checked)} />
              {t("codes.revokeDevices", { count: node.useCount })}
            </label>
            <UserErrors errors={revoked.data?.connectionCodeRevoke.userErrors} />
            <div className="actions">
              <button type="button" className="danger" onClick={() => void confirm()} autoFocus>{t("codes.revokeConfirm")}</button>
              <button type="button" className="secondary" onClick={() => setRevoking(false)}>{t("common.cancel")}</button>
            </div>
          </div>
        )}
      </section>
      <p><Link to="/codes">{t("codes.back")}</Link></p>
    </>
  );
}
