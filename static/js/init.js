// Loaded as a module so Content Security Policy needs no 'unsafe-inline'.
import { initAll } from "../govuk-frontend/govuk-frontend.min.js";
import { initServiceNavigation } from "./service-navigation.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
document.querySelectorAll('[data-mash-module="service-navigation"]').forEach(initServiceNavigation);
