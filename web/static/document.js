// The document view: marks the paragraph named in the address (#p12) and scrolls it into view.
// CSS :target does the marking too; this also covers browsers and cases where :target does not apply.
(function () {
  "use strict";

  var current = null;

  function showTarget() {
    var match = /^#p(\d+)$/.exec(window.location.hash);
    var target = match ? document.getElementById("p" + match[1]) : null;
    if (current && current !== target) current.classList.remove("is-target");
    current = target;
    if (!target) return;
    target.classList.add("is-target");
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }

  window.addEventListener("hashchange", showTarget);
  showTarget();
})();
