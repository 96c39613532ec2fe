// OpenSlot's embed script, for the owner's own site (its origin listed in [page] embed_origins;
// every other site is refused by the page's frame-ancestors). Put it once on a page:
//
//   <div data-openslot-inline data-event-type="intro"></div>
//       the booking page inline; its frame grows and shrinks with the page
//   <button type="button" data-openslot-popup data-event-type="intro">Book a call</button>
//       the booking page in a dialog over the site (Escape or the close button closes it)
//   <script src="https://book.example.org/embed.js" async></script>
//
// data-event-type (optional) preselects an event type; data-ref (optional, default "embed")
// names where bookings came from in the owner's statistics. The booking page posts only its
// height to this page, and an Escape it did not use (frame.js); nothing else passes between them.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.openslotEmbed) return;
  window.openslotEmbed = true;
  var origin = new URL(script.src, location.href).origin;

  function pageUrl(el) {
    var url = new URL("/", origin);
    var type = el.getAttribute("data-event-type");
    if (type) url.searchParams.set("type", type);
    url.searchParams.set("ref", el.getAttribute("data-ref") || "embed");
    return url.href;
  }

  function frameFor(el, height) {
    var frame = document.createElement("iframe");
    frame.src = pageUrl(el);
    frame.title = el.getAttribute("data-title") || "Book a time";
    frame.setAttribute("data-openslot", "");
    frame.style.cssText = "display:block;width:100%;border:0;height:" + height;
    return frame;
  }

  // The booking page's height, sent by frame.js: only from the page's origin, only to the
  // frame that sent it.
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data) return;
    // Escape pressed inside the pop-up's page.
    if (data.type === "openslot:escape") {
      var shown = dialog && dialog.querySelector("iframe");
      if (shown && shown.contentWindow === event.source) closePopup();
      return;
    }
    if (data.type !== "openslot:height") return;
    var height = Number(data.height);
    if (!(height > 0 && height < 100000)) return;
    var frames = document.querySelectorAll("iframe[data-openslot]");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source && !frames[i].hasAttribute("data-openslot-fixed")) {
        frames[i].style.height = Math.ceil(height) + "px";
      }
    }
  });

  function inline(el) {
    el.appendChild(frameFor(el, "640px"));
  }

  var dialog = null;
  var opener = null;
  function closePopup() {
    if (!dialog) return;
    dialog.remove();
    dialog = null;
    document.removeEventListener("keydown", onKey, true);
    if (opener) opener.focus();
  }
  function onKey(event) {
    if (event.key === "Escape") closePopup();
  }
  function popup(button) {
    button.addEventListener("click", function () {
      closePopup();
      opener = button;
      dialog = document.createElement("div");
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.setAttribute("aria-label", button.getAttribute("data-title") || "Book a time");
      dialog.setAttribute("data-openslot-dialog", "");
      dialog.style.cssText =
        "position:fixed;inset:0;z-index:2147483646;background:rgba(0,0,0,.55);display:flex;" +
        "align-items:center;justify-content:center;padding:16px";
      var box = document.createElement("div");
      box.style.cssText =
        "position:relative;width:100%;max-width:720px;height:min(90vh,860px);background:#fff;" +
        "border-radius:12px;overflow:hidden";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "\u00d7";
      close.setAttribute("aria-label", "Close");
      close.style.cssText =
        "position:absolute;top:6px;right:6px;z-index:1;width:40px;height:40px;border:0;" +
        "border-radius:20px;background:#222;color:#fff;font:24px/1 sans-serif;cursor:pointer";
      close.addEventListener("click", closePopup);
      var frame = frameFor(button, "100%");
      frame.setAttribute("data-openslot-fixed", "");
      box.appendChild(close);
      box.appendChild(frame);
      dialog.appendChild(box);
      dialog.addEventListener("click", function (event) {
        if (event.target === dialog) closePopup();
      });
      document.body.appendChild(dialog);
      document.addEventListener("keydown", onKey, true);
      close.focus();
    });
  }

  function start() {
    var i;
    var inlines = document.querySelectorAll("[data-openslot-inline]");
    for (i = 0; i < inlines.length; i++) inline(inlines[i]);
    var buttons = document.querySelectorAll("[data-openslot-popup]");
    for (i = 0; i < buttons.length; i++) popup(buttons[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
