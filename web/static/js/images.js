// Hopper's image guard (first party: the CSP forbids inline onerror handlers).
// A publisher's picture that fails to load, or that the media proxy answered with its
// 1×1 placeholder, is hidden and its card falls back to text. The server already leaves
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

  function settle(image) {
    if (image.complete && image.naturalWidth <= 1) {
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
