import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { LoginMethod, Role } from "../gql/graphql";
import { RequestError, UserErrors } from "../shared/ui";

const Users = graphql(`
  query Users {
    users(first: 100) { nodes { id username displayName role loginMethod hasPin } }
  }
`);

const Create = graphql(`
  mutation UserCreate($input: UserCreateInput!) {
    userCreate(input: $input) {
      user { id displayName }
      generatedPin
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const ResetPin = graphql(`
  mutation UserResetPin($id: ID!) {
    userUpdate(input: { id: $id, generatePin: true }) {
      user { id displayName hasPin }
      generatedPin
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Delete = graphql(`
  mutation UserDelete($id: ID!) {
    userDelete(input: { id: $id }) {
      user { id }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const LogoutEverywhere = graphql(`
  mutation UserLogout($id: ID!) {
    userLogout(input: { id: $id }) {
      user { id }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const ROLES: Role[] = ["STAFF", "MANAGER", "ADMIN"];
const METHODS: LoginMethod[] = ["PIN_ONLY", "PASSWORD_AND_PIN", "PASSWORD"];

export function UsersPage() {
  const { t } = useTranslation();
  const [list, refetch] = useQuery({ query: Users, requestPolicy: "cache-and-network" });
  const [created, create] = useMutation(Create);
  const [reset, resetPin] = useMutation(ResetPin);
  const [deleted, remove] = useMutation(Delete);
  const [loggedOut, logout] = useMutation(LogoutEverywhere);
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Role>("STAFF");
  const [loginMethod, setLoginMethod] = useState<LoginMethod>("PIN_ONLY");
  const [password, setPassword] = useState("");
  const [pinChoice, setPinChoice] = useState<"generate" | "type">("generate");
  const [pin, setPin] = useState("");
  const [shownPin, setShownPin] = useState<{ name: string; pin: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const needsPassword = loginMethod !== "PIN_ONLY";
  const needsPin = loginMethod !== "PASSWORD";

  const reload = () => refetch({ requestPolicy: "network-only" });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShownPin(null);
    const answer = await create({
      input: {
        username,
        displayName,
        role,
        loginMethod,
        password: needsPassword ? password : null,
        pin: needsPin && pinChoice === "type" ? pin : null,
        generatePin: needsPin && pinChoice === "generate",
      },
    });
    const payload = answer.data?.userCreate;
    if (payload?.user) {
      if (payload.generatedPin) setShownPin({ name: payload.user.displayName, pin: payload.generatedPin });
      setMessage(t("users.created", { name: payload.user.displayName }));
      setUsername("");
      setDisplayName("");
      setPassword("");
      setPin("");
      reload();
    }
  };
  const onReset = async (id: string) => {
    const answer = await resetPin({ id });
    const payload = answer.data?.userUpdate;
    if (payload?.user && payload.generatedPin) setShownPin({ name: payload.user.displayName, pin: payload.generatedPin });
    reload();
  };
  const onDelete = async (id: string) => {
    await remove({ id });
    reload();
  };
  const onLogout = async (id: string, name: string) => {
    const answer = await logout({ id });
    if (answer.data?.userLogout.userErrors.length === 0) setMessage(t("users.loggedOut", { name }));
  };

  return (
    <>
      <h1>{t("users.title")}</h1>
      <div aria-live="polite">
        {shownPin && (
          <div className="notice" role="status">
            <p>
              {t("users.pinFor", { name: shownPin.name })} <strong className="code-value" data-testid="generated-pin">{shownPin.pin}</strong>
            </p>
            <p>{t("users.pinShownOnce")}</p>
            <button type="button" className="secondary" onClick={() => setShownPin(null)}>{t("users.pinNoted")}</button>
          </div>
        )}
        {message && !shownPin && <p className="success">{message}</p>}
      </div>
      <RequestError error={list.error} />
      <UserErrors errors={reset.data?.userUpdate.userErrors ?? deleted.data?.userDelete.userErrors ?? loggedOut.data?.userLogout.userErrors} />
      <table>
        <caption className="visually-hidden">{t("users.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("users.displayName")}</th>
            <th scope="col">{t("users.username")}</th>
            <th scope="col">{t("users.role")}</th>
            <th scope="col">{t("users.loginMethod")}</th>
            <th scope="col">{t("users.hasPin")}</th>
            <th scope="col"><span className="visually-hidden">{t("common.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          {list.data?.users.nodes.map((u) => (
            <tr key={u.id}>
              <td>{u.displayName}</td>
              <td>{u.username}</td>
              <td>{t(`role.${u.role}`)}</td>
              <td>{t(`loginMethod.${u.loginMethod}`)}</td>
              <td>{u.hasPin ? t("common.yes") : t("common.no")}</td>
              <td className="actions">
                {u.loginMethod !== "PASSWORD" && (
                  <button type="button" className="secondary" onClick={() => void onReset(u.id)} aria-label={t("users.resetPinNamed", { name: u.displayName })}>
                    {t("users.resetPin")}
                  </button>
                )}
                <button type="button" className="secondary" onClick={() => void onLogout(u.id, u.displayName)} aria-label={t("users.logoutNamed", { name: u.displayName })}>
                  {t("users.logout")}
                </button>
                <button type="button" className="secondary" onClick={() => void onDelete(u.id)} aria-label={t("users.deleteNamed", { name: u.displayName })}>
                  {t("common.delete")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="card" style={{ marginTop: "1rem" }}>
        <h2>{t("users.create")}</h2>
        <form onSubmit={submit}>
          <label>
            {t("users.username")}
            <input value={username} onChange={(e) => setUsername(e.target.value)} required maxLength={100} autoComplete="off" />
          </label>
          <label>
            {t("users.displayName")}
            <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} required maxLength={100} />
          </label>
          <label>
            {t("users.role")}
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
            </select>
          </label>
          <label>
            {t("users.loginMethod")}
            <select value={loginMethod} onChange={(e) => setLoginMethod(e.target.value as LoginMethod)}>
              {METHODS.map((m) => <option key={m} value={m}>{t(`loginMethod.${m}`)}</option>)}
            </select>
          </label>
          {needsPassword && (
            <label>
              {t("users.password")}
              <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" />
            </label>
          )}
          {needsPin && (
            <fieldset>
              <legend>{t("users.pin")}</legend>
              <label className="inline">
                <input type="radio" name="pin-choice" checked={pinChoice === "generate"} onChange={() => setPinChoice("generate")} />
                {t("users.generatePin")}
              </label>
              <label className="inline">
                <input type="radio" name="pin-choice" checked={pinChoice === "type"} onChange={() => setPinChoice("type")} />
                {t("users.typePin")}
              </label>
              {pinChoice === "type" && (
                <label>
                  {t("users.pinValue")}
                  <input type="password" inputMode="numeric" value={pin} onChange={(e) => setPin(e.target.value)} required autoComplete="off" />
                </label>
              )}
            </fieldset>
          )}
          <UserErrors errors={created.data?.userCreate.userErrors} />
          <div className="actions">
            <button type="submit" disabled={created.fetching}>{t("users.createSubmit")}</button>
          </div>
        </form>
      </section>
    </>
  );
}
