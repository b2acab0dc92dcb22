// Admin pages: ask before destructive actions. Forms work without this file.
// CSP: no inline handlers, so the question lives in a data-confirm attribute.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});
