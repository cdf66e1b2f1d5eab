/* Site-wide scripts for optdocs (see mkdocs.yml extra_javascript).

   Math: MathJax 3 is served from assets/mathjax/ by hooks/mathjax.py and loaded only by pages that
   contain math (1.2 MB of script a page without formulas, such as the home page, never needs).
   pymdownx.arithmatex (generic mode) wraps math in \( \) or \[ \] inside elements of class
   "arithmatex"; only those are typeset. */
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
};

(function () {
  var mathjaxUrl = new URL("../assets/mathjax/tex-mml-chtml.js", document.currentScript.src).href;
  var requested = false;

  function typesetMath() {
    if (!document.querySelector(".arithmatex")) return;
    var mj = window.MathJax;
    if (!requested) {              // first page with math: load MathJax, which typesets on startup
      requested = true;
      var script = document.createElement("script");
      script.src = mathjaxUrl;
      script.async = true;
      document.head.appendChild(script);
      return;
    }
    if (!mj.startup || !mj.startup.promise) return;   // still loading: startup will typeset
    mj.startup.promise.then(function () {             // a later page (instant navigation)
      mj.startup.output.clearCache();
      mj.typesetClear();
      mj.texReset();
      return mj.typesetPromise();
    });
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(typesetMath);      // Material: first page and every instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", typesetMath);
  }
})();
