/* The portal keeps ONE entry in the browser's history, whatever the survivor opens:
   links inside the portal replace the current entry (location.replace) and forms are
   sent with fetch, their answer replacing this page, so no portal page is ever pushed.
   Quick exit then ends the session and replaces that one entry with a harmless page:
   the back button leads to wherever she was before the portal, never to a portal page.
   Esc twice does the same. Without JavaScript the link itself ends the session and
   redirects (the pages are never cached, so going back shows the sign-in form). */
(function () {
  var gone = false;

  function leave(event) {
    var exitLink = document.getElementById("quick-exit");  // the body may have been replaced
    if (event) event.preventDefault();
    if (gone || !exitLink) return;
    gone = true;
    var target = exitLink.getAttribute("data-exit-url") || "about:blank";
    try {
      if (!(navigator.sendBeacon && navigator.sendBeacon(exitLink.href))) {
        fetch(exitLink.href, { method: "POST", keepalive: true, credentials: "same-origin" });
      }
    } catch (e) { /* leaving matters more than the request */ }
    document.title = "";
    document.body.innerHTML = "";
    window.location.replace(target);
  }

  function inPortal(url) {
    return url.origin === window.location.origin && url.pathname.indexOf("/portal/") === 0
      && url.pathname.indexOf("/portal/staff/") !== 0;
  }

  function show(response) {
    if (response.redirected) {
      window.location.replace(response.url);
      return;
    }
    return response.text().then(function (html) {
      // The answer (a form with its errors) replaces this page in place: no new entry.
      var answer = new DOMParser().parseFromString(html, "text/html");
      document.title = answer.title;
      document.documentElement.lang = answer.documentElement.lang;
      document.body.replaceWith(document.adoptNode(answer.body));
      window.scrollTo(0, 0);
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link) return;
    if (link.id === "quick-exit") { leave(event); return; }
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey
        || event.shiftKey || event.altKey || link.target || link.hasAttribute("download")) return;
    var url = new URL(link.href, window.location.href);
    if (!inPortal(url)) return;
    event.preventDefault();
    window.location.replace(url.href);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var url = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    if (!inPortal(url) || event.defaultPrevented) return;
    event.preventDefault();
    var data;
    try { data = new FormData(form, event.submitter); } catch (e) { data = new FormData(form); }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") {
      url.search = new URLSearchParams(data).toString();
      window.location.replace(url.href);
      return;
    }
    fetch(url.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(show)
      .catch(function () { form.submit(); });  // the network failed: the ordinary way
  });

  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - last < 1000) leave(event);
    last = now;
  });
})();
