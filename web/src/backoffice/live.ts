// Live updates for the back office, over the gateway's WebSocket (subscriptions).
import { useEffect, useRef, useState } from "react";
import { useSubscription } from "urql";
import { graphql } from "../gql";

const CodeEvents = graphql(`
  subscription ConnectionCodeEvents($id: ID!) {
    connectionCodeEvents(id: $id) {
      type
      at
      connectionCode { id status useCount }
      device { id name }
    }
  }
`);

const DeviceEvents = graphql(`
  subscription DeviceEvents($id: ID) {
    deviceEvents(id: $id) { type deviceId at }
  }
`);

/** The latest callback, without resubscribing each render. */
function useLatest<T>(value: T) {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}

/** The name of the device that just paired with this code ("Paired: Till 1"); onEvent refetches. */
export function useCodePaired(id: string, onEvent: () => void): string | null {
  const [paired, setPaired] = useState<string | null>(null);
  const callback = useLatest(onEvent);
  const [result] = useSubscription({ query: CodeEvents, variables: { id } });
  const event = result.data?.connectionCodeEvents;
  useEffect(() => {
    if (!event) return;
    if (event.type === "PAIRED" && event.device) setPaired(event.device.name);
    callback.current(); // every event (and RESYNC) changes what the page shows: read it again
  }, [event, callback]);
  return paired;
}

/** Calls onEvent for every event of one device (id) or of all the organisation's devices (null). */
export function useDeviceEvents(id: string | null, onEvent: () => void): void {
  const callback = useLatest(onEvent);
  const [result] = useSubscription({ query: DeviceEvents, variables: { id } });
  const event = result.data?.deviceEvents;
  useEffect(() => {
    if (event) callback.current();
  }, [event, callback]);
}
