import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../shared/i18n";
import "../shared/styles.css";
import { BackOffice } from "./App";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BackOffice />
  </StrictMode>,
);
