// ekslab report: search by pod, node, IP or ENI; click a pod for its verification result.
// Works on the page's own elements only; nothing is fetched.
(function () {
  "use strict";
  var index = null, hit = null;
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  var count = document.getElementById("matches");
  var panel = document.getElementById("panel");
  var LIMIT = 50;

  function build() {
    index = [];
    var items = document.querySelectorAll("li.p, details.node, div.eni");
    for (var i = 0; i < items.length; i++) {
      var el = items[i], text;
      if (el.tagName === "LI") text = el.firstChild ? el.firstChild.nodeValue : "";  // one text node
      else if (el.tagName === "DETAILS") text = el.dataset.node + " " + (el.dataset.i || "");
      else text = el.dataset.eni + " " + (el.dataset.ip || "");
      index.push([text.toLowerCase(), el]);
    }
  }

  function label(el) {
    if (el.tagName === "LI") return "pod " + el.textContent;
    if (el.tagName === "DETAILS") return "node " + el.dataset.node;
    return "ENI " + el.dataset.eni + " on " + el.closest("details.node").dataset.node;
  }

  function find(query) {
    if (index === null) build();
    var exact = [], partial = [];
    for (var i = 0; i < index.length; i++) {
      var text = index[i][0], at = text.indexOf(query);
      if (at < 0) continue;
      var end = at + query.length;
      var whole = (at === 0 || text[at - 1] === " " || text[at - 1] === "/") &&
        (end === text.length || text[end] === " " || text[end] === "/");
      (whole ? exact : partial).push(index[i][1]);
    }
    return exact.concat(partial);
  }

  function reveal(el) {
    for (var up = el.parentElement; up; up = up.parentElement) {
      if (up.tagName === "DETAILS") up.open = true;
    }
    if (hit) hit.classList.remove("hit");
    hit = el;
    el.classList.add("hit");
    el.scrollIntoView({ block: "center" });
    if (el.tagName === "LI") show(el);
  }

  function run() {
    var query = search.value.trim().toLowerCase();
    results.textContent = "";
    if (query.length < 2) { count.textContent = ""; return; }
    var found = find(query);
    count.textContent = found.length + (found.length === 1 ? " match" : " matches") +
      (found.length > LIMIT ? " (first " + LIMIT + " listed)" : "");
    found.slice(0, LIMIT).forEach(function (el) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.textContent = label(el);
      a.addEventListener("click", function () { reveal(el); });
      li.appendChild(a);
      results.appendChild(li);
    });
    if (found.length) reveal(found[0]);
  }

  function line(text) {
    var p = document.createElement("div");
    p.textContent = text;
    panel.appendChild(p);
  }

  function show(li) {
    // The slot's text is "IP namespace/name"; its phase and reasons are attributes.
    var text = li.textContent, space = text.indexOf(" ");
    var ip = text.slice(0, space), pod = text.slice(space + 1);
    var result = li.classList.contains("f") ? "FAIL" : li.classList.contains("u") ? li.dataset.v || "skip" : "pass";
    var eni = li.closest("div.eni"), node = li.closest("details.node"), group = li.closest("ol.slots");
    panel.textContent = "";
    var title = document.createElement("strong");
    title.textContent = pod + " (" + ip + "): " + result;
    panel.appendChild(title);
    if (li.dataset.ph) line("phase: " + li.dataset.ph);
    if (li.dataset.r) line("reasons: " + li.dataset.r);
    if (li.title) line(li.title);
    if (eni) {
      var where = group && group.dataset.prefix ? "address of prefix " + group.dataset.prefix : eni.dataset.k === "branch" ? "branch ENI" : "secondary IP";
      line(where + " of " + eni.dataset.eni + " (" + eni.dataset.k + ", device " + eni.dataset.d + ")");
    }
    if (node) line("node " + node.dataset.node);
    var close = document.createElement("button");
    close.textContent = "close";
    close.addEventListener("click", function () { panel.hidden = true; });
    panel.appendChild(close);
    panel.hidden = false;
  }

  var timer = null;
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 250); });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { clearTimeout(timer); run(); }
  });
  document.addEventListener("click", function (event) {
    var li = event.target.closest && event.target.closest("li.p");
    if (li) show(li);
  });
  // Printing: open the nodes that have a problem, so the paper shows them.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.bad").forEach(function (el) {
      for (var up = el; up; up = up.parentElement) if (up.tagName === "DETAILS") up.open = true;
    });
  });
})();
