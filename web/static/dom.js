// Small DOM helpers shared by the page scripts (chat.js, beheer.js); loaded before them.
// Text only ever reaches the page through textContent.
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function announce(live, text) {
    // Clear first so the same text twice is still read out.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  window.VraagbaakDom = { el: el, announce: announce };
})();
