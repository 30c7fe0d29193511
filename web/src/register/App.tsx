// The register app, as the README's "PIN login: the flow a register app follows" describes:
// pair once, then show what thisDevice calls for (PIN pad, password form or lock screen).
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Provider, useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { ApprovalPrompt } from "../shared/ApprovalPrompt";
import { makeClient, type ErrorCodes } from "../shared/client";
import { PinPad } from "../shared/PinPad";
import { load, save } from "../shared/storage";
import { LanguageSwitch, RequestError, UserErrors } from "../shared/ui";
import { useThisDeviceEvents } from "./live";
import { OverrideDialog } from "./OverrideDialog";

const DEVICE_KEY = "pairgate.register.device";
const SESSION_KEY = "pairgate.register.session";
const POLL_MS = 5000;

const Pair = graphql(`
  mutation RegisterPair($code: String!, $name: String) {
    devicePair(input: { code: $code, name: $name }) {
      deviceToken
      device { id name }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const ThisDevice = graphql(`
  query RegisterThisDevice {
    thisDevice {
      known approved pinLoginAvailable name organisationName
      lockedSession { lockedAt user { displayName } }
    }
  }
`);

const PinLogin = graphql(`
  mutation RegisterPinLogin($pin: String!) {
    loginWithPin(input: { pin: $pin }) {
      token
      user { id displayName }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const PasswordLogin = graphql(`
  mutation RegisterPasswordLogin($username: String!, $password: String!) {
    loginWithPassword(input: { username: $username, password: $password }) {
      token
      deviceToken
      deviceApproval
      user { id displayName }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Viewer = graphql(`
  query RegisterViewer {
    viewer { user { id displayName role } session { id method } }
  }
`);

const Lock = graphql(`
  mutation RegisterLock {
    sessionLock(input: {}) {
      session { id locked }
      userErrors { field message code retryAfterSeconds }
    }
  }
`);

const Logout = graphql(`
  mutation RegisterLogout {
    logout { session { id } userErrors { message code } }
  }
`);

/** The code a person types, or the one inside the pairing URI the QR code holds. */
export function codeFrom(text: string): string {
  const trimmed = text.trim();
  const match = /[?&]code=([^&#]+)/.exec(trimmed);
  return match ? decodeURIComponent(match[1]) : trimmed;
}

export function RegisterApp() {
  const { t } = useTranslation();
  const [deviceToken, setDeviceToken] = useState(() => load(DEVICE_KEY));
  const [sessionToken, setSessionToken] = useState(() => load(SESSION_KEY));
  const [check, setCheck] = useState(0); // bump: ask thisDevice again

  const setSession = useCallback((token: string | null) => {
    save(SESSION_KEY, token);
    setSessionToken(token);
  }, []);
  const unpair = useCallback(() => {
    save(DEVICE_KEY, null);
    save(SESSION_KEY, null);
    setDeviceToken(null);
    setSessionToken(null);
  }, []);
  const onErrorCodes = useCallback(
    (codes: ErrorCodes) => {
      if (codes.includes("SESSION_LOCKED") || codes.includes("UNAUTHENTICATED")) setCheck((n) => n + 1);
    },
    [],
  );
  const { client, dispose } = useMemo(
    () => makeClient({ sessionToken, deviceToken }, onErrorCodes),
    [sessionToken, deviceToken, onErrorCodes],
  );
  useEffect(() => dispose, [dispose]);
  const events = useMemo(() => (deviceToken ? makeClient({ sessionToken: null, deviceToken }, () => {}) : null), [deviceToken]);
  useEffect(() => (events ? events.dispose : undefined), [events]);
  useThisDeviceEvents(events?.client ?? null, (type) => {
    if (type === "REVOKED" || type === "DELETED") unpair(); // back to pairing at once
    else setCheck((n) => n + 1); // ended, locked or logged out elsewhere: show what thisDevice says
  });
  useEffect(() => {
    document.title = t("register.title");
  }, [t]);

  return (
    <Provider value={client}>
      <header className="top">
        <span className="brand">{t("register.brand")}</span>
        <LanguageSwitch />
      </header>
      <main className="register">
        {deviceToken === null ? (
          <PairScreen
            onPaired={(token) => {
              save(DEVICE_KEY, token);
              setDeviceToken(token);
            }}
          />
        ) : (
          <Register
            key={`${check}:${sessionToken ?? ""}`} // a new session or a check starts afresh: no answer of the last one lingers
            sessionToken={sessionToken}
            setSession={setSession}
            setDeviceToken={(token) => {
              save(DEVICE_KEY, token);
              setDeviceToken(token);
            }}
            unpair={unpair}
            recheck={() => setCheck((n) => n + 1)}
          />
        )}
      </main>
    </Provider>
  );
}

function PairScreen({ onPaired }: { onPaired: (token: string) => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [result, pair] = useMutation(Pair);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await pair({ code: codeFrom(code), name: name || null });
    const token = answer.data?.devicePair.deviceToken;
    if (token) onPaired(token);
  };
  return (
    <section className="card">
      <h1>{t("pair.title")}</h1>
      <p>{t("pair.explain")}</p>
      <form onSubmit={submit}>
        <label>
          {t("pair.code")}
          <input value={code} onChange={(e) => setCode(e.target.value)} required autoFocus autoComplete="off" spellCheck={false} />
        </label>
        <label>
          {t("pair.name")}
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        </label>
        <UserErrors errors={result.data?.devicePair.userErrors} />
        <RequestError error={result.error} />
        <div className="actions">
          <button type="submit" disabled={result.fetching}>{t("pair.submit")}</button>
        </div>
      </form>
    </section>
  );
}

function Register({
  sessionToken,
  setSession,
  setDeviceToken,
  unpair,
  recheck,
}: {
  sessionToken: string | null;
  setSession: (token: string | null) => void;
  setDeviceToken: (token: string) => void;
  unpair: () => void;
  recheck: () => void;
}) {
  const { t } = useTranslation();
  const [device, refetchDevice] = useQuery({ query: ThisDevice, requestPolicy: "network-only" });
  // A locked token answers SESSION_LOCKED: ask who we are only when thisDevice shows no lock.
  const [viewer] = useQuery({
    query: Viewer,
    requestPolicy: "network-only",
    pause: !sessionToken || !device.data || Boolean(device.data.thisDevice.lockedSession),
  });
  const [prompt, setPrompt] = useState(false);
  // While nobody is logged in, ask thisDevice again now and then (the device token alone, so
  // no session's idle clock moves): PIN login turned on or off in the back office shows here.
  useEffect(() => {
    if (sessionToken) return;
    const timer = window.setInterval(() => refetchDevice({ requestPolicy: "network-only" }), POLL_MS);
    return () => window.clearInterval(timer);
  }, [sessionToken, refetchDevice]);
  const known = device.data?.thisDevice.known;
  useEffect(() => {
    if (known === false) unpair(); // deleted, or its token no longer works: pair again
  }, [known, unpair]);
  const sessionGone = Boolean(sessionToken) && viewer.data !== undefined && viewer.data.viewer === null;
  const locked = device.data?.thisDevice.lockedSession;
  useEffect(() => {
    if (sessionGone && !locked) setSession(null); // ended elsewhere: back to the PIN pad
  }, [sessionGone, locked, setSession]);

  if (device.error) return <RequestError error={device.error} />;
  if (!device.data) return <p>{t("common.loading")}</p>;
  const here = device.data.thisDevice;
  const loggedIn = (token: string) => {
    setSession(token);
  };
  if (prompt) return <ApprovalPrompt onDone={() => { setPrompt(false); refetchDevice({ requestPolicy: "network-only" }); }} />;
  if (here.lockedSession) {
    return (
      <LockScreen
        lockedBy={here.lockedSession.user.displayName}
        onLoggedIn={loggedIn}
        onLogout={() => {
          setSession(null);
          recheck();
        }}
      />
    );
  }
  if (sessionToken && viewer.data?.viewer) {
    return <SaleScreen name={viewer.data.viewer.user.displayName} deviceName={here.name} onEnded={() => setSession(null)} onLocked={recheck} />;
  }
  if (sessionToken && !viewer.data) return <p>{t("common.loading")}</p>;
  return (
    <>
      <p className="notice">{here.name ? t("register.thisDevice", { name: here.name, organisation: here.organisationName ?? "" }) : t("register.notApproved")}</p>
      {here.pinLoginAvailable ? (
        <PinLoginScreen onLoggedIn={loggedIn} />
      ) : (
        <PasswordScreen
          onLoggedIn={(token, deviceToken, approval) => {
            if (deviceToken) setDeviceToken(deviceToken);
            setPrompt(approval === "PROMPT");
            loggedIn(token);
          }}
        />
      )}
    </>
  );
}

function PinLoginScreen({ onLoggedIn }: { onLoggedIn: (token: string) => void }) {
  const { t } = useTranslation();
  const [result, login] = useMutation(PinLogin);
  return (
    <section className="card">
      <h1>{t("pin.title")}</h1>
      <PinPad
        label={t("pin.label")}
        submitLabel={t("pin.submit")}
        busy={result.fetching}
        onSubmit={async (pin) => {
          const answer = await login({ pin });
          const token = answer.data?.loginWithPin.token;
          if (token) onLoggedIn(token);
        }}
      />
      <UserErrors errors={result.data?.loginWithPin.userErrors} />
      <RequestError error={result.error} />
    </section>
  );
}

function LockScreen({ lockedBy, onLoggedIn, onLogout }: { lockedBy: string; onLoggedIn: (token: string) => void; onLogout: () => void }) {
  const { t } = useTranslation();
  const [result, login] = useMutation(PinLogin);
  const [, logout] = useMutation(Logout);
  return (
    <section className="card">
      <h1>{t("lock.title")}</h1>
      <p className="locked-by">{t("lock.lockedBy", { name: lockedBy })}</p>
      <p>{t("lock.explain")}</p>
      <PinPad
        label={t("pin.label")}
        submitLabel={t("lock.unlock")}
        busy={result.fetching}
        onSubmit={async (pin) => {
          const answer = await login({ pin });
          const token = answer.data?.loginWithPin.token;
          if (token) onLoggedIn(token);
        }}
      />
      <UserErrors errors={result.data?.loginWithPin.userErrors} />
      <div className="actions">
        <button type="button" className="secondary" onClick={async () => { await logout({}); onLogout(); }}>{t("lock.logout")}</button>
      </div>
    </section>
  );
}

function PasswordScreen({ onLoggedIn }: { onLoggedIn: (token: string, deviceToken: string | null | undefined, approval: string | null | undefined) => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [result, login] = useMutation(PasswordLogin);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await login({ username, password });
    const payload = answer.data?.loginWithPassword;
    if (payload?.token) onLoggedIn(payload.token, payload.deviceToken, payload.deviceApproval);
  };
  return (
    <section className="card">
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
  );
}

function SaleScreen({ name, deviceName, onEnded, onLocked }: { name: string; deviceName: string | null | undefined; onEnded: () => void; onLocked: () => void }) {
  const { t } = useTranslation();
  const [locked, lock] = useMutation(Lock);
  const [, logout] = useMutation(Logout);
  const [override, setOverride] = useState(false);
  return (
    <section className="card">
      <h1>{t("sale.title")}</h1>
      <p className="locked-by">{t("sale.loggedInAs", { name })}</p>
      {deviceName && <p>{t("sale.device", { name: deviceName })}</p>}
      <div className="actions">
        <button type="button" onClick={() => setOverride(true)}>{t("sale.override")}</button>
        <button
          type="button"
          className="secondary"
          onClick={async () => {
            const answer = await lock({});
            if (answer.data?.sessionLock.session?.locked) onLocked();
          }}
        >
          {t("sale.lock")}
        </button>
        <button type="button" className="secondary" onClick={async () => { await logout({}); onEnded(); }}>{t("sale.logout")}</button>
      </div>
      <UserErrors errors={locked.data?.sessionLock.userErrors} />
      {override && <OverrideDialog onClose={() => setOverride(false)} />}
    </section>
  );
}
