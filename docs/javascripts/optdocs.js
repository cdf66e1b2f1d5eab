/* Site-wide scripts for optdocs (loaded before MathJax; see mkdocs.yml extra_javascript). */

/* MathJax 3, served from assets/mathjax/ by hooks/mathjax.py. pymdownx.arithmatex (generic mode)
   wraps math in \( \) or \[ \] inside elements of class "arithmatex"; only those are typeset. */
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

/* Material's instant navigation swaps the page content without reloading scripts: typeset the new
   page on every page change after the first (MathJax typesets the first page itself). */
(function () {
  var first = true;
  if (typeof document$ === "undefined") return;
  document$.subscribe(function () {
    if (first) { first = false; return; }
    var mj = window.MathJax;
    if (!mj || !mj.startup || !mj.startup.promise) return;
    mj.startup.promise.then(function () {
      mj.startup.output.clearCache();
      mj.typesetClear();
      mj.texReset();
      return mj.typesetPromise();
    });
  });
})();
