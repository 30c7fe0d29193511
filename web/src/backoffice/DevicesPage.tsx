import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { Link } from "../shared/router";
import { RequestError, UserErrors, useDateTime } from "../shared/ui";
import { useDeviceEvents } from "./live";

const PinLogin = graphql(`
  query PinLogin {
    organisation { id pinLoginEnabled }
    devices(first: 100) {
      nodes { id name deviceType status online lastSeenAt appVersion }
    }
  }
`);

const SetPinLogin = graphql(`
  mutation PinLoginSet($enabled: Boolean!) {
    organisationUpdate(input: { pinLoginEnabled: $enabled }) {
      organisation { id pinLoginEnabled }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Rename = graphql(`
  mutation DeviceRename($id: ID!, $name: String!) {
    deviceRename(input: { id: $id, name: $name }) {
      device { id name }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Revoke = graphql(`
  mutation DeviceRevoke($id: ID!) {
    deviceRevoke(input: { id: $id }) {
      device { id status }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Delete = graphql(`
  mutation DeviceDelete($id: ID!) {
    deviceDelete(input: { id: $id }) {
      device { id }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Logout = graphql(`
  mutation DeviceLogout($id: ID!) {
    deviceLogout(input: { id: $id }) {
      device { id }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Device = graphql(`
  query DeviceDetails($id: ID!) {
    node(id: $id) {
      __typename
      ... on Device {
        id name deviceType status online appVersion lastSeenAt approvedAt
        configuration { id name }
        sessions(first: 50) {
          nodes {
            id method ipAddress createdAt endedAt endReason locked active
            user { id displayName }
          }
        }
      }
    }
  }
`);

export function PinLoginPage() {
  const { t } = useTranslation();
  const when = useDateTime();
  const [page, refetch] = useQuery({ query: PinLogin, requestPolicy: "cache-and-network" });
  const [switched, setPinLogin] = useMutation(SetPinLogin);
  const [rename, doRename] = useMutation(Rename);
  const [revoked, revoke] = useMutation(Revoke);
  const [deleted, remove] = useMutation(Delete);
  const [loggedOut, logout] = useMutation(Logout);
  const [menu, setMenu] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [confirming, setConfirming] = useState<{ id: string; name: string; what: "revoke" | "delete" } | null>(null);
  const reload = () => refetch({ requestPolicy: "network-only" });
  useDeviceEvents(null, reload);
  const enabled = page.data?.organisation.pinLoginEnabled ?? false;

  const act = async (what: "revoke" | "delete" | "logout", id: string) => {
    setMenu(null);
    setConfirming(null);
    if (what === "revoke") await revoke({ id });
    if (what === "delete") await remove({ id });
    if (what === "logout") await logout({ id });
    reload();
  };
  const submitRename = async (event: FormEvent) => {
    event.preventDefault();
    if (!renaming) return;
    const answer = await doRename({ id: renaming.id, name: renaming.name });
    if (answer.data?.deviceRename.userErrors.length === 0) setRenaming(null);
  };
  return (
    <>
      <h1>{t("pinLogin.title")}</h1>
      <section className="card">
        <div className="switch">
          <span id="pin-login-label">{t("pinLogin.switch")}</span>
          <button
            type="button"
            role="switch"
            aria-checked={enabled}
            aria-labelledby="pin-login-label"
            disabled={!page.data || switched.fetching}
            onClick={() => void setPinLogin({ enabled: !enabled })}
          >
            {enabled ? t("pinLogin.on") : t("pinLogin.off")}
          </button>
        </div>
        <p>{t("pinLogin.explain")}</p>
        <UserErrors errors={switched.data?.organisationUpdate.userErrors} />
      </section>
      <h2>{t("devices.title")}</h2>
      <RequestError error={page.error} />
      <UserErrors
        errors={
          rename.data?.deviceRename.userErrors ?? revoked.data?.deviceRevoke.userErrors ??
          deleted.data?.deviceDelete.userErrors ?? loggedOut.data?.deviceLogout.userErrors
        }
      />
      {confirming && (
        <div className="banner" role="alertdialog" aria-labelledby="confirm-device">
          <p id="confirm-device">{t(confirming.what === "revoke" ? "devices.revokeConfirm" : "devices.deleteConfirm", { name: confirming.name })}</p>
          <div className="actions">
            <button type="button" className="danger" autoFocus onClick={() => void act(confirming.what, confirming.id)}>
              {t(confirming.what === "revoke" ? "devices.revoke" : "devices.delete")}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(null)}>{t("common.cancel")}</button>
          </div>
        </div>
      )}
      {renaming && (
        <form className="card" onSubmit={submitRename}>
          <label>
            {t("devices.newName")}
            <input value={renaming.name} onChange={(e) => setRenaming({ ...renaming, name: e.target.value })} required maxLength={100} autoFocus />
          </label>
          <div className="actions">
            <button type="submit">{t("devices.rename")}</button>
            <button type="button" className="secondary" onClick={() => setRenaming(null)}>{t("common.cancel")}</button>
          </div>
        </form>
      )}
      <table>
        <caption className="visually-hidden">{t("devices.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("devices.name")}</th>
            <th scope="col">{t("codes.deviceType")}</th>
            <th scope="col">{t("devices.status")}</th>
            <th scope="col">{t("devices.online")}</th>
            <th scope="col">{t("devices.lastSeen")}</th>
            <th scope="col">{t("devices.appVersion")}</th>
            <th scope="col"><span className="visually-hidden">{t("common.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          {page.data?.devices.nodes.map((d) => (
            <tr key={d.id}>
              <td><Link to={`/devices/${encodeURIComponent(d.id)}`}>{d.name}</Link></td>
              <td>{t(`deviceType.${d.deviceType}`, { defaultValue: d.deviceType })}</td>
              <td>{t(`deviceStatus.${d.status}`)}</td>
              <td className={d.online ? "online" : "offline"}>{d.online ? t("devices.isOnline") : t("devices.isOffline")}</td>
              <td>{when(d.lastSeenAt)}</td>
              <td>{d.appVersion ?? "—"}</td>
              <td>
                <div className="menu">
                  <button
                    type="button"
                    className="secondary"
                    aria-haspopup="true"
                    aria-expanded={menu === d.id}
                    aria-label={t("devices.actionsFor", { name: d.name })}
                    onClick={() => setMenu(menu === d.id ? null : d.id)}
                  >
                    ⋮
                  </button>
                  {menu === d.id && (
                    <ul>
                      <li><button type="button" onClick={() => { setMenu(null); setRenaming({ id: d.id, name: d.name }); }}>{t("devices.rename")}</button></li>
                      <li><button type="button" onClick={() => void act("logout", d.id)}>{t("devices.logout")}</button></li>
                      {d.status !== "REVOKED" && (
                        <li><button type="button" onClick={() => { setMenu(null); setConfirming({ id: d.id, name: d.name, what: "revoke" }); }}>{t("devices.revoke")}</button></li>
                      )}
                      <li><button type="button" onClick={() => { setMenu(null); setConfirming({ id: d.id, name: d.name, what: "delete" }); }}>{t("devices.delete")}</button></li>
                    </ul>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.data?.devices.nodes.length === 0 && <p>{t("devices.none")}</p>}
    </>
  );
}

export function DeviceDetailPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const when = useDateTime();
  const [device, refetch] = useQuery({ query: Device, variables: { id }, requestPolicy: "cache-and-network" });
  useDeviceEvents(id, () => refetch({ requestPolicy: "network-only" }));
  const node = device.data?.node;
  if (device.error) return <RequestError error={device.error} />;
  if (!node || node.__typename !== "Device") {
    return device.fetching ? <p>{t("common.loading")}</p> : (
      <>
        <p>{t("common.notFound")}</p>
        <p><Link to="/pin-login">{t("devices.back")}</Link></p>
      </>
    );
  }
  return (
    <>
      <h1>{node.name}</h1>
      <section className="card">
        <dl>
          <dt>{t("devices.id")}</dt>
          <dd><code>{node.id}</code></dd>
          <dt>{t("devices.status")}</dt>
          <dd className="status">{t(`deviceStatus.${node.status}`)}</dd>
          <dt>{t("devices.online")}</dt>
          <dd className={node.online ? "online" : "offline"}>{node.online ? t("devices.isOnline") : t("devices.isOffline")}</dd>
          <dt>{t("devices.appVersion")}</dt>
          <dd>{node.appVersion ?? "—"}</dd>
          <dt>{t("devices.lastSeen")}</dt>
          <dd>{when(node.lastSeenAt)}</dd>
          <dt>{t("codes.configuration")}</dt>
          <dd>{node.configuration?.name ?? "—"}</dd>
        </dl>
      </section>
      <h2>{t("sessions.title")}</h2>
      <table>
        <caption className="visually-hidden">{t("sessions.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("sessions.user")}</th>
            <th scope="col">{t("sessions.ipAddress")}</th>
            <th scope="col">{t("sessions.loginTime")}</th>
            <th scope="col">{t("sessions.state")}</th>
            <th scope="col">{t("sessions.endTime")}</th>
            <th scope="col">{t("sessions.endReason")}</th>
          </tr>
        </thead>
        <tbody>
          {node.sessions.nodes.map((s) => (
            <tr key={s.id}>
              <td>{s.user?.displayName ?? "—"}</td>
              <td>{s.ipAddress ?? "—"}</td>
              <td>{when(s.createdAt)}</td>
              <td>{s.active ? (s.locked ? t("sessions.locked") : t("sessions.active")) : t("sessions.ended")}</td>
              <td>{when(s.endedAt)}</td>
              <td>{s.endReason ? t(`endReason.${s.endReason}`) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {node.sessions.nodes.length === 0 && <p>{t("sessions.none")}</p>}
      <p><Link to="/pin-login">{t("devices.back")}</Link></p>
    </>
  );
}
