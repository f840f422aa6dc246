// Loaded as a module so Content Security Policy needs no 'unsafe-inline'.
import { initAll } from "../govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
