// Runs in <head>, before the page is painted: applies the reader's remembered
// font size, and remembers a reading mode chosen with ?view= for the next pages.
// Pages are the same for every reader (so that they can be cached); what is
// the reader's own is applied here.
(function () {
  "use strict";
  var root = document.documentElement;
  var size = document.cookie.match(/(?:^|;\s*)font_size=([0-4])/);
  if (size) {
    root.setAttribute("data-font-size", size[1]);
  }
  var view = new URLSearchParams(window.location.search).get("view");
  if (view === "ar" || view === "both" || view === "en") {
    document.cookie = "reading_mode=" + view + "; path=/; max-age=31536000; samesite=lax";
  }
})();
