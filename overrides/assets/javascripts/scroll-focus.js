/* Keyboard access to content that scrolls sideways (WCAG 2.1.1): a wide table (Material wraps it
   in .md-typeset__scrollwrap) or a notebook's code cell (mkdocs-jupyter's .highlight-ipynb) can
   only be scrolled with the keyboard if it can take focus. Material does this for its own code
   blocks; this does it for the others, on every page Material shows (document$: first load and
   instant navigation) and again after the window is resized. Loaded by overrides/main.html. */
(function () {
  "use strict";
  var SCROLLERS = ".md-typeset__scrollwrap, .jupyter-wrapper .highlight-ipynb";

  function update() {
    var nodes = document.querySelectorAll(SCROLLERS);
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var scrolls = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-optdocs-scroll-focus", "");
      } else if (!scrolls && el.hasAttribute("data-optdocs-scroll-focus")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-optdocs-scroll-focus");
      }
    }
  }

  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 200);
  });
  if (typeof document$ !== "undefined") {
    document$.subscribe(update);
  } else {
    document.addEventListener("DOMContentLoaded", update);
  }
})();
