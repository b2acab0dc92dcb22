// Progressive enhancement of the consent banner: send the choice with fetch and hide the
// banner without a reload. Without JavaScript the same form posts and redirects back.
// "Customise" still navigates to the settings page. Announces the choice to other scripts
// (e.g. embeds waiting for media consent) with a "hopper:consent" event on document.
(function () {
  "use strict";
  var form = document.querySelector("[data-consent-form]");
  var banner = document.querySelector("[data-consent-banner]");
  if (!banner) { return; }
  // The space the page keeps free under the banner (consent.css), measured, kept current.
  var measure = function () {
    if (banner.hidden) { return; }
    document.documentElement.style.setProperty(
      "--consent-space", (banner.offsetHeight + 24) + "px");
  };
  measure();
  window.addEventListener("resize", measure);
  if (!form || !window.fetch || !window.FormData) { return; }
  // Where the reader was before reaching the banner: once the banner hides, focus goes
  // back there, or else to the page's content, never to <body> (WCAG 2.4.3).
  var before = null;
  document.addEventListener("focusin", function (event) {
    if (!banner.contains(event.target)) { before = event.target; }
  });
  var restoreFocus = function () {
    if (before && document.body.contains(before)) {
      before.focus();
      return;
    }
    var main = document.getElementById("main");
    if (main) { main.focus({ preventScroll: true }); }
  };
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.value === "customise") { return; }
    event.preventDefault();
    var body = new FormData(form);
    body.append("action", button.value);
    // getAttribute: the buttons are named "action", which shadows form.action.
    fetch(form.getAttribute("action"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("consent not saved: " + response.status); }
      return response.json();
    }).then(function (result) {
      banner.hidden = true;
      restoreFocus();
      document.dispatchEvent(new CustomEvent("hopper:consent", { detail: result.choices }));
    }).catch(function () {
      // Fall back to the plain form post, carrying the button's value by hand.
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = button.value;
      form.appendChild(action);
      form.submit();
    });
  });
}());
