// GraphiQL, bundled: the gateway serves this page at /graphql to browsers, so it works
// on a machine without internet (the strawberry page loaded React and GraphiQL from a CDN).
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
const fetcher = createGraphiQLFetcher({ url: "/graphql", subscriptionUrl: wsUrl });

const defaultQuery = `# pairgate's GraphQL API. Log in with loginWithPassword, then put
#   {"Authorization": "Bearer <token>"}
# under Headers below. The README's examples walk through a first session.

query DeviceTypes {
  deviceTypes { key label supportsPinLogin }
}
`;

document.body.style.margin = "0";
const root = document.getElementById("root")!;
root.style.height = "100vh";
createRoot(root).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} defaultEditorToolsVisibility="headers" />
  </StrictMode>,
);
