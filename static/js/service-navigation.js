// GOV.UK Frontend's service navigation collapses its links behind the Menu button below the tablet
// breakpoint. A MASH lead has eight destinations, more than one line holds even on a wide screen, so
// here the same markup also collapses wherever its links would wrap onto a second line. Same button,
// same attributes (hidden, aria-hidden, aria-expanded) as GOV.UK's component, so it reads the same.
const COLLAPSED = "mash-service-navigation--collapsed";

function tabletQuery() {
  const width = getComputedStyle(document.documentElement).getPropertyValue("--govuk-breakpoint-tablet");
  return window.matchMedia(`(min-width: ${width.trim() || "40.0625em"})`);
}

function wrapsOntoSecondLine(root, menu) {
  root.classList.remove(COLLAPSED);
  menu.hidden = false;
  const items = menu.children;
  return items.length > 1 && items[items.length - 1].offsetTop > items[0].offsetTop;
}

export function initServiceNavigation(root) {
  const toggle = root.querySelector(".govuk-js-service-navigation-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) {
    return;
  }
  const tablet = tabletQuery();
  let open = false;

  function update() {
    const wide = tablet.matches;
    const collapse = !wide || wrapsOntoSecondLine(root, menu);
    root.classList.toggle(COLLAPSED, wide && collapse);
    if (collapse) {
      toggle.hidden = false;
      toggle.removeAttribute("aria-hidden");
      toggle.setAttribute("aria-expanded", String(open));
      menu.hidden = !open;
    } else {
      toggle.hidden = true;
      toggle.setAttribute("aria-hidden", "true");
      toggle.removeAttribute("aria-expanded");
      menu.hidden = false;
    }
  }

  toggle.addEventListener("click", () => {
    open = !open;
    update();
  });
  tablet.addEventListener("change", update);
  window.addEventListener("resize", update);
  update();
}
