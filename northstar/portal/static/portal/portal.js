/* Quick exit: end the portal session, then replace this page in history with a harmless
   one (the back button does not return). Esc twice does the same. Without JavaScript
   the link itself ends the session and redirects. */
(function () {
  var link = document.getElementById("quick-exit");
  if (!link) return;
  var gone = false;
  function leave(event) {
    if (event) event.preventDefault();
    if (gone) return;
    gone = true;
    var target = link.getAttribute("data-exit-url") || "about:blank";
    try {
      if (!(navigator.sendBeacon && navigator.sendBeacon(link.href))) {
        fetch(link.href, { method: "POST", keepalive: true, credentials: "same-origin" });
      }
    } catch (e) { /* leaving matters more than the request */ }
    document.title = "";
    document.body.innerHTML = "";
    window.location.replace(target);
  }
  link.addEventListener("click", leave);
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - last < 1000) leave(event);
    last = now;
  });
})();
