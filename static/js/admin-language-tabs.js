// Turns the admin fieldsets marked `language-tab` into Arabic / English tabs.
// Without JavaScript both fieldsets simply show one after the other.
(function () {
  "use strict";
  function init() {
    var panels = Array.prototype.slice.call(document.querySelectorAll("fieldset.language-tab"));
    if (panels.length < 2) { return; }
    var list = document.createElement("div");
    list.className = "language-tablist";
    list.setAttribute("role", "tablist");
    panels[0].parentNode.insertBefore(list, panels[0]);
    var tabs = panels.map(function (panel, index) {
      var legend = panel.querySelector("h2, legend");
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = "language-tab-" + index;
      tab.className = "language-tab-button";
      tab.setAttribute("role", "tab");
      tab.textContent = legend ? legend.textContent.trim() : String(index + 1);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      if (panel.querySelector(".errorlist")) { tab.classList.add("has-errors"); }
      list.appendChild(tab);
      return tab;
    });
    function select(index) {
      tabs.forEach(function (tab, i) {
        tab.setAttribute("aria-selected", i === index ? "true" : "false");
        tab.tabIndex = i === index ? 0 : -1;
        panels[i].hidden = i !== index;
      });
    }
    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function () { select(index); });
      tab.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (!step) { return; }
        if (document.dir === "rtl") { step = -step; }
        var next = (index + step + tabs.length) % tabs.length;
        select(next);
        tabs[next].focus();
      });
    });
    var firstWithErrors = tabs.findIndex(function (tab) { return tab.classList.contains("has-errors"); });
    select(firstWithErrors >= 0 ? firstWithErrors : 0);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
