// Community pages: progressive enhancement only; every form works without this file.
// Forms marked data-confirm ask before a destructive action (CSP: no inline handlers).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});
