import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Provider, useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ApprovalPrompt } from "../shared/ApprovalPrompt";
import { makeClient, type ErrorCodes } from "../shared/client";
import { Link, navigate, usePath } from "../shared/router";
import { load, save } from "../shared/storage";
import { LanguageSwitch, RequestError, UserErrors } from "../shared/ui";
import { AuditPage } from "./AuditPage";
import { CodeCreatePage, CodeDetailPage, CodesPage } from "./CodesPage";
import { ConfigurationsPage } from "./ConfigurationsPage";
import { DeviceDetailPage, PinLoginPage } from "./DevicesPage";
import { UsersPage } from "./UsersPage";

const SESSION_KEY = "pairgate.backoffice.session";
const DEVICE_KEY = "pairgate.backoffice.device";

const Login = graphql(`
  mutation BackOfficeLogin($username: String!, $password: String!) {
    loginWithPassword(input: { username: $username, password: $password }) {
      token
      deviceToken
      deviceApproval
      user { id displayName }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Logout = graphql(`
  mutation BackOfficeLogout {
    logout { session { id } userErrors { message code } }
  }
`);

const KnownDevice = graphql(`
  query BackOfficeThisDevice {
    thisDevice { known }
  }
`);

const Viewer = graphql(`
  query BackOfficeViewer {
    viewer { user { id displayName role } organisation { id name } }
  }
`);

export function BackOffice() {
  const [sessionToken, setSessionToken] = useState(() => load(SESSION_KEY));
  const [deviceToken, setDeviceToken] = useState(() => load(DEVICE_KEY));
  const [prompt, setPrompt] = useState(false);
  const { t } = useTranslation();

  const signOut = useCallback(() => {
    save(SESSION_KEY, null);
    setSessionToken(null);
  }, []);
  const onErrorCodes = useCallback(
    (codes: ErrorCodes) => {
      if (codes.includes("UNAUTHENTICATED")) signOut();
    },
    [signOut],
  );
  const { client, dispose } = useMemo(
    () => makeClient({ sessionToken, deviceToken }, onErrorCodes),
    [sessionToken, deviceToken, onErrorCodes],
  );
  useEffect(() => dispose, [dispose]);
  useEffect(() => {
    document.title = t("office.title");
  }, [t]);

  const loggedIn = (token: string, newDeviceToken: string | null | undefined, approval: string | null | undefined) => {
    if (newDeviceToken) {
      save(DEVICE_KEY, newDeviceToken);
      setDeviceToken(newDeviceToken);
    }
    save(SESSION_KEY, token);
    setSessionToken(token);
    setPrompt(approval === "PROMPT");
  };

  return (
    <Provider value={client}>
      {deviceToken && <ForgetDeadDevice onDead={() => { save(DEVICE_KEY, null); setDeviceToken(null); }} />}
      {sessionToken === null ? (
        <LoginPage onLoggedIn={loggedIn} />
      ) : prompt ? (
        <Frame>
          <ApprovalPrompt onDone={() => setPrompt(false)} />
        </Frame>
      ) : (
        <Shell onSignOut={signOut} />
      )}
    </Provider>
  );
}

/** A device token the gateway no longer knows (the device was deleted) is dropped: the next
 *  login gets a new one, and the live updates' connection is not refused for it. */
function ForgetDeadDevice({ onDead }: { onDead: () => void }) {
  const [device] = useQuery({ query: KnownDevice, requestPolicy: "network-only" });
  const known = device.data?.thisDevice.known;
  useEffect(() => {
    if (known === false) onDead();
  }, [known, onDead]);
  return null;
}

function Frame({ children, nav }: { children: React.ReactNode; nav?: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <>
      <header className="top">
        <span className="brand">{t("office.brand")}</span>
        {nav}
        <LanguageSwitch />
      </header>
      <main>{children}</main>
    </>
  );
}

function LoginPage({ onLoggedIn }: { onLoggedIn: (token: string, device: string | null | undefined, approval: string | null | undefined) => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [result, login] = useMutation(Login);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await login({ username, password });
    const payload = answer.data?.loginWithPassword;
    if (payload?.token) onLoggedIn(payload.token, payload.deviceToken, payload.deviceApproval);
  };
  return (
    <Frame>
      <section className="card register">
        <h1>{t("login.title")}</h1>
        <form onSubmit={submit}>
          <label>
            {t("login.username")}
            <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required autoFocus />
          </label>
          <label>
            {t("login.password")}
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
          </label>
          <UserErrors errors={result.data?.loginWithPassword.userErrors} />
          <RequestError error={result.error} />
          <div className="actions">
            <button type="submit" disabled={result.fetching}>{t("login.submit")}</button>
          </div>
        </form>
      </section>
    </Frame>
  );
}

const PAGES: [string, string][] = [
  ["/codes", "nav.codes"],
  ["/configurations", "nav.configurations"],
  ["/users", "nav.users"],
  ["/pin-login", "nav.pinLogin"],
  ["/audit", "nav.audit"],
];

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { t } = useTranslation();
  const path = usePath();
  const [viewer] = useQuery({ query: Viewer });
  const [, logout] = useMutation(Logout);
  useEffect(() => {
    if (path === "/") navigate("/codes");
  }, [path]);
  useEffect(() => {
    if (viewer.data && viewer.data.viewer === null) onSignOut();
  }, [viewer.data, onSignOut]);
  const signOut = async () => {
    await logout({});
    onSignOut();
  };
  const nav = (
    <nav aria-label={t("nav.label")}>
      <ul>
        {PAGES.map(([to, key]) => (
          <li key={to}>
            <Link to={to} current={path.startsWith(to)}>{t(key as "nav.codes")}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
  return (
    <Frame nav={nav}>
      <p className="who">
        {viewer.data?.viewer && t("office.signedInAs", { name: viewer.data.viewer.user.displayName, organisation: viewer.data.viewer.organisation.name })}{" "}
        <button type="button" className="secondary" onClick={() => void signOut()}>{t("office.logout")}</button>
      </p>
      <Page path={path} />
    </Frame>
  );
}

function Page({ path }: { path: string }) {
  const [, section, id] = path.split("/");
  switch (section) {
    case "codes":
      if (id === "new") return <CodeCreatePage />;
      return id ? <CodeDetailPage id={decodeURIComponent(id)} /> : <CodesPage />;
    case "configurations":
      return <ConfigurationsPage />;
    case "users":
      return <UsersPage />;
    case "pin-login":
      return <PinLoginPage />;
    case "devices":
      return id ? <DeviceDetailPage id={decodeURIComponent(id)} /> : <PinLoginPage />;
    case "audit":
      return <AuditPage />;
    default:
      return <CodesPage />;
  }
}
