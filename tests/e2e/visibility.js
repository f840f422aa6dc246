// Every form control a person could be asked to use, checked as a person sees it. Returns one line per
// control that is drawn on the page yet cannot be seen or reached (transparent, zero-size, clipped,
// pushed off the page or covered by something else) while its label or its question (the fieldset's
// legend) is in plain sight, and per visible control that has no label at all.
//
// A control that is not drawn at all (display: none, a closed <details>, GOV.UK's hidden conditional
// reveal) is hidden together with its label, so it is no trap and is left alone.
//
// GOV.UK radios and checkboxes are transparent on purpose: the real input is sized and laid over the
// circle or box that the label's ::before draws. Such an input counts as visible when it sits inside a
// visible govuk-radios__item / govuk-checkboxes__item, its box is on the page and inside that item, it
// is the thing a click at its centre reaches, and its label is the GOV.UK label that draws it.
() => {
  const GOVUK = [
    { input: "govuk-radios__input", item: "govuk-radios__item", label: "govuk-radios__label" },
    { input: "govuk-checkboxes__input", item: "govuk-checkboxes__item", label: "govuk-checkboxes__label" },
  ];

  // Not drawn: display none on it or an ancestor, or inside content the browser skips (a closed
  // <details> is content-visibility: hidden in Chromium).
  const drawn = (el) => el.getClientRects().length > 0 && (!el.checkVisibility || el.checkVisibility());

  function describe(el) {
    const name = el.getAttribute("name") || el.id || el.tagName.toLowerCase();
    const value = el.type === "radio" || el.type === "checkbox" ? `=${el.value}` : "";
    return `${el.tagName.toLowerCase()}[name=${name}${value}]`;
  }

  function onThePage(rect) {
    const width = document.documentElement.scrollWidth;
    const height = document.documentElement.scrollHeight;
    const left = rect.left + window.scrollX;
    const top = rect.top + window.scrollY;
    return left + rect.width > 0 && top + rect.height > 0 && left < width && top < height;
  }

  function clippedBy(style) {
    return style.clipPath === "inset(50%)" || /^rect\(0(px)?,? 0(px)?,? 0(px)?,? 0(px)?\)$/.test(style.clip);
  }

  // Why a person cannot see this element, or "" when they can.
  function unseen(el, { transparentOk = false } = {}) {
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) return "has no size";
    if (!onThePage(rect)) return "is off the page";
    for (let node = el; node instanceof Element; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.visibility === "hidden" || style.visibility === "collapse") return "is visibility: hidden";
      if (parseFloat(style.opacity) === 0 && !(transparentOk && node === el)) {
        return node === el ? "is transparent (opacity 0)" : `is inside a transparent ${describe(node)}.${node.className}`;
      }
      if (clippedBy(style)) return "is clipped away";
      if (node !== el && style.overflow !== "visible") {
        const box = node.getBoundingClientRect();
        const overlaps =
          rect.right > box.left && rect.left < box.right && rect.bottom > box.top && rect.top < box.bottom;
        if (!overlaps) return `is clipped by ${describe(node)}`;
      }
    }
    return "";
  }

  // Whether a click at the element's centre reaches it (or what it would reach instead).
  function coveredBy(el, allowed) {
    el.scrollIntoView({ block: "center", inline: "center" });
    const rect = el.getBoundingClientRect();
    const hit = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
    if (!hit || allowed.some((ok) => ok === hit || ok.contains(hit))) return "";
    return `is covered by ${hit.tagName.toLowerCase()}.${hit.className || "(no class)"}`;
  }

  function govukProblem(el, kind) {
    const item = el.parentElement;
    if (!item || !item.classList.contains(kind.item)) {
      return `carries ${kind.input} (transparent) outside a ${kind.item}`;
    }
    const itemProblem = unseen(item);
    if (itemProblem) return `sits in a ${kind.item} that ${itemProblem}`;
    const own = unseen(el, { transparentOk: true });
    if (own) return own;
    // GOV.UK sizes the input to the touch target (44px, beyond a small checkbox's item): its centre,
    // where the circle or box is drawn, must lie within the item.
    const rect = el.getBoundingClientRect();
    const box = item.getBoundingClientRect();
    const [x, y] = [rect.left + rect.width / 2, rect.top + rect.height / 2];
    const inside = x >= box.left && x <= box.right && y >= box.top && y <= box.bottom;
    if (!inside) return `is not laid over its ${kind.item}`;
    const labels = [...el.labels];
    if (!labels.some((label) => label.classList.contains(kind.label))) {
      return `has no ${kind.label} to draw it`;
    }
    return coveredBy(el, [el, ...labels]);
  }

  function problem(el) {
    const kind = GOVUK.find((k) => el.classList.contains(k.input));
    if (kind) return govukProblem(el, kind);
    return unseen(el) || coveredBy(el, [el]);
  }

  function question(el) {
    const fieldset = el.closest("fieldset");
    return fieldset && fieldset.querySelector(":scope > legend");
  }

  function named(el) {
    return el.labels.length > 0 || el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby") || el.title;
  }

  const scroll = [window.scrollX, window.scrollY];
  const found = [];
  const controls = document.querySelectorAll("input:not([type=hidden]), select, textarea");
  for (const el of controls) {
    if (!drawn(el)) continue;
    const why = problem(el);
    if (why) {
      const shown = [...el.labels, question(el)].filter((l) => l && drawn(l) && !unseen(l));
      if (shown.length) {
        const text = shown.map((l) => JSON.stringify(l.innerText.trim().slice(0, 60))).join(" / ");
        found.push(`${describe(el)} ${why}, but its label ${text} is visible`);
      }
    } else if (!named(el)) {
      found.push(`${describe(el)} is visible but has no label`);
    }
  }
  window.scrollTo(...scroll);
  return found;
}
