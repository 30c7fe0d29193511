// The register's own events. They travel on a connection of their own, authenticated by the
// device token alone: logging in, out or switching user recreates the session's client, and
// an event sent meanwhile (REVOKED right after SESSION_ENDED) must not be lost with it.
import { useEffect, useRef } from "react";
import type { Client } from "urql";
import { graphql } from "../gql";
import type { DeviceEventType } from "../gql/graphql";

const ThisDeviceEvents = graphql(`
  subscription ThisDeviceEvents {
    thisDeviceEvents { type deviceId at }
  }
`);

/** What the register reacts to: the rest (ONLINE, its own SESSION_STARTED…) changes nothing on screen. */
const REACTS_TO: DeviceEventType[] = [
  "REVOKED", "DELETED", "LOGGED_OUT", "SESSION_ENDED", "SESSION_LOCKED", "APPROVED", "RESYNC",
];

export function useThisDeviceEvents(client: Client | null, onEvent: (type: DeviceEventType) => void): void {
  const callback = useRef(onEvent);
  callback.current = onEvent;
  useEffect(() => {
    if (!client) return;
    const { unsubscribe } = client.subscription(ThisDeviceEvents, {}).subscribe((result) => {
      const type = result.data?.thisDeviceEvents.type;
      if (type && REACTS_TO.includes(type)) callback.current(type);
    });
    return unsubscribe;
  }, [client]);
}
