// In the booking page: when it is shown in a frame (embed.js on the owner's site), tell the
// page around it how tall the booking page is, so that its frame follows, and pass on an Escape
// the page did not use (it closes embed.js's pop-up). Nothing else is sent. Framing itself is
// allowed or refused by the service ([page] embed_origins).
(function () {
  "use strict";
  if (window.parent === window || typeof ResizeObserver !== "function") return;
  var last = 0;
  function send() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height > 0 && height !== last) {
      last = height;
      window.parent.postMessage({ type: "openslot:height", height: height }, "*");
    }
  }
  function start() {
    new ResizeObserver(send).observe(document.body);
    send();
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !event.defaultPrevented) {
      window.parent.postMessage({ type: "openslot:escape" }, "*");
    }
  });
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
