// Hopper's image guard (first party: the CSP forbids inline onerror handlers).
// A publisher's picture that fails to load, or that the media proxy answered with its
// 32×18 placeholder, is hidden and its card falls back to text. The server already leaves
// out images its background check found dead (templates/partials/images.html); this
// catches those that die in between. Without JavaScript the placeholder still shows no
// broken-image icon.
(function () {
  "use strict";

  function hide(image) {
    image.style.display = "none";
    var card = image.closest(".has-image");
    if (card) { card.classList.remove("has-image"); }
    var figure = image.closest("figure");
    if (figure && !figure.querySelector("img:not([data-broken])")) {
      figure.style.display = "none";
    }
  }

  // A lead image is at least 120 px wide (smaller ones are marked dead by the server's
  // check), and `naturalWidth` is in CSS pixels: under 40 it can only be the placeholder.
  var PLACEHOLDER_WIDTH = 40;

  function settle(image) {
    var least = image.hasAttribute("data-hide-broken") ? PLACEHOLDER_WIDTH : 1;
    if (image.complete && image.naturalWidth < least) {
      image.setAttribute("data-broken", "");
      hide(image);
    }
  }

  var images = document.querySelectorAll("img[data-hide-broken], .article-body img");
  Array.prototype.forEach.call(images, function (image) {
    image.addEventListener("error", function () { settle(image); });
    image.addEventListener("load", function () { settle(image); });
    settle(image);   // it may have failed before this script ran
  });
})();
