import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../shared/i18n";
import "../shared/styles.css";
import { RegisterApp } from "./App";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <RegisterApp />
  </StrictMode>,
);
