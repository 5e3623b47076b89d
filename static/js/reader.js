// The font-size control: A− / A+ change a step on <html data-font-size>, and a
// cookie remembers it. The server never reads that cookie (pages are the same
// for every reader, so that they can be cached): preferences.js applies it in
// the next page's <head>, before that page is painted.
(function () {
  "use strict";
  var MIN = 0;
  var MAX = 4;
  var root = document.documentElement;

  function current() {
    var size = parseInt(root.getAttribute("data-font-size"), 10);
    return isNaN(size) ? 1 : size;
  }

  function apply(size) {
    size = Math.max(MIN, Math.min(MAX, size));
    root.setAttribute("data-font-size", String(size));
    document.cookie = "font_size=" + size + "; path=/; max-age=31536000; samesite=lax";
    document.querySelectorAll("[data-font-step]").forEach(function (button) {
      var step = parseInt(button.getAttribute("data-font-step"), 10);
      button.disabled = step < 0 ? size <= MIN : size >= MAX;
    });
  }

  document.querySelectorAll("[data-font-step]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      apply(current() + parseInt(button.getAttribute("data-font-step"), 10));
    });
  });
  if (document.querySelector("[data-font-step]")) {
    apply(current());
  }
})();
