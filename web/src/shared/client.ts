// One urql client per set of credentials. Every request carries the session token (when
// logged in), the device token (when the app has one) and the app's version; the WebSocket
// for live updates sends the same tokens in its connection_init payload.
import { createClient as createWsClient } from "graphql-ws";
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from "urql";

export const APP_VERSION = "pairgate-web/0.1.0";

export interface Credentials {
  sessionToken: string | null;
  deviceToken: string | null;
}

/** Top-level error codes (extensions.code) of a failed operation, e.g. SESSION_LOCKED. */
export type ErrorCodes = string[];

export function makeClient(credentials: Credentials, onErrorCodes: (codes: ErrorCodes) => void) {
  const headers: Record<string, string> = { "X-App-Version": APP_VERSION };
  if (credentials.sessionToken) headers.Authorization = `Bearer ${credentials.sessionToken}`;
  if (credentials.deviceToken) headers["X-Device-Token"] = credentials.deviceToken;

  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const ws = createWsClient({
    url: wsUrl,
    lazy: true,
    retryAttempts: Infinity,
    connectionParams: () => {
      const params: Record<string, string> = {};
      if (credentials.sessionToken) params.authorization = `Bearer ${credentials.sessionToken}`;
      if (credentials.deviceToken) params.deviceToken = credentials.deviceToken;
      return params;
    },
  });

  const client = new Client({
    url: "/graphql",
    preferGetMethod: false,
    fetchOptions: () => ({ headers }),
    exchanges: [
      mapExchange({
        onError(error) {
          const codes = error.graphQLErrors
            .map((e) => e.extensions?.code)
            .filter((c): c is string => typeof c === "string");
          if (codes.length) onErrorCodes(codes);
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}
