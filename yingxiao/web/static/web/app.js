// Send the CSRF token with every htmx request (the token lives in a meta tag: no inline script under CSP).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});

// Bulk selection on list pages: a header checkbox toggles every row checkbox.
document.addEventListener("change", (event) => {
  const master = event.target.closest("[data-select-all]");
  if (!master) return;
  const table = master.closest("table");
  table.querySelectorAll("input[data-row-select]").forEach((box) => { box.checked = master.checked; });
});
