// refbridge API docs: the "Try it" forms. Each sends its request with
// fetch() to this server (same origin) under the vendor's base path and
// shows the status, headers and body. Nothing is stored: the credential
// lives in the page only, copied between the page's forms as typed.
(function () {
  "use strict";
  var base = document.body.getAttribute("data-base") || "";

  function basic(value) {
    if (value.indexOf(":") < 0) value += ":";
    var bytes = new TextEncoder().encode(value), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return "Basic " + btoa(bin);
  }

  function build(form) {
    var path = form.getAttribute("data-path"), query = new URLSearchParams(), headers = new Headers();
    var fields = form.querySelectorAll("input[data-in]");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i], v = f.value, where = f.getAttribute("data-in");
      if (where === "path") {
        path = path.split("{" + f.name + "}").join(encodeURIComponent(v));
      } else if (v !== "" && where === "query") {
        query.append(f.name, v);
      } else if (v !== "" && where === "header") {
        headers.set(f.name, v);
      }
    }
    var scheme = form.querySelector("select.scheme"), cred = form.querySelector("input.credential");
    var opt = scheme && scheme.options[scheme.selectedIndex];
    if (opt && cred && cred.value !== "") {
      var param = opt.getAttribute("data-param");
      switch (scheme.value) {
        case "bearer": headers.set("Authorization", "Bearer " + cred.value); break;
        case "basic": headers.set("Authorization", basic(cred.value)); break;
        case "header": headers.set(param, cred.value); break;
        case "query": query.set(param, cred.value); break;
      }
    }
    var init = { method: form.getAttribute("data-method"), headers: headers, credentials: "omit", cache: "no-store" };
    var body = form.querySelector("textarea[name=body]");
    if (body && body.value.trim() !== "" && init.method !== "GET" && init.method !== "HEAD") {
      init.body = body.value;
      headers.set("Content-Type", form.getAttribute("data-content-type") || "application/json");
    }
    var qs = query.toString();
    return { url: base + path + (qs ? "?" + qs : ""), init: init };
  }

  function show(form, status, ok, headers, body) {
    var out = form.parentNode.querySelector(".result");
    var s = out.querySelector(".status");
    s.textContent = status;
    s.className = "status " + (ok ? "ok" : "err");
    out.querySelector(".headers").textContent = headers;
    out.querySelector(".body").textContent = body;
    out.hidden = false;
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("try-form")) return;
    ev.preventDefault();
    var req = build(form);
    show(form, "Sending " + req.init.method + " " + req.url + " …", true, "", "");
    fetch(req.url, req.init).then(function (resp) {
      return resp.text().then(function (text) {
        var lines = [];
        resp.headers.forEach(function (v, k) { lines.push(k + ": " + v); });
        try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON: as sent */ }
        show(form, resp.status + " " + resp.statusText + " · " + req.init.method + " " + req.url, resp.ok, lines.join("\n"), text);
      });
    }).catch(function (err) {
      show(form, "Request failed: " + err, false, "", "");
    });
  });

  // One credential for the page: typing in any form fills the others.
  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (!t.classList || !t.classList.contains("credential")) return;
    var all = document.querySelectorAll("input.credential");
    for (var i = 0; i < all.length; i++) if (all[i] !== t) all[i].value = t.value;
  });
})();
