// ekslab report: draws the closed nodes of a collapsed map when they are opened, searches by pod,
// node, IP or ENI, and shows a pod's verification result on click.
// Works on the page's own elements and data only; nothing is fetched. Text from the input is only
// ever set as textContent or an attribute value, never parsed as markup.
(function () {
  "use strict";
  var index = null, hit = null, data;
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  var count = document.getElementById("matches");
  var panel = document.getElementById("panel");
  var LIMIT = 50;

  // --- Closed nodes: their parts are data (ekslab/report/map_data.py has the format), drawn here
  // element for element as _map.html.j2 draws an open node's.
  function mapData() {
    if (data === undefined) {
      var el = document.getElementById("map-data");
      data = el ? JSON.parse(el.textContent) : { labels: {}, nodes: [] };
    }
    return data;
  }

  function make(parent, tag, attrs, text) {
    var el = document.createElement(tag);
    if (attrs) for (var name in attrs) el.setAttribute(name, attrs[name]);
    if (text !== undefined) el.textContent = text;
    if (parent) parent.appendChild(el);
    return el;
  }

  function add(parent, text) { parent.appendChild(document.createTextNode(text)); }

  function badge(parent, result, word) { make(parent, "span", { class: "badge r-" + result }, word); }

  function word(result) {
    var labels = mapData().labels;
    return Object.prototype.hasOwnProperty.call(labels, result) ? labels[result] : result;
  }

  // The addresses of a group's slots, or null for a slot per pod.
  function addresses(slots) {
    if (slots === null || Array.isArray(slots)) return slots;
    var texts = [];
    for (var n = slots.from; n < slots.from + slots.count; n++) {
      texts.push([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."));
    }
    return texts;
  }

  // Calls each(ip, pod or undefined, index) for the slots of group g in order: one per address
  // (with the pod on it) where the group lists addresses, else one per pod.
  function groupSlots(g, each) {
    var ips = addresses(g[1]), pods = g[2];
    if (!ips) { pods.forEach(function (pod, si) { each(pod[0], pod, si); }); return; }
    var at = new Map();
    pods.forEach(function (pod) { at.set(pod[0], pod); });
    ips.forEach(function (ip, si) { each(ip, at.get(ip), si); });
  }

  function slot(list, ip, pod) {
    if (!pod) { make(list, "li", { class: "i" }, ip); return; }
    var text = ip + " " + pod[1] + "/" + pod[2], phase = pod[4] || "";
    if (pod[3] === "pass") { make(list, "li", { class: "p", "data-ph": phase }, text); return; }
    make(list, "li", {
      class: "p " + (pod[3] === "fail" ? "f" : "u"), "data-ph": phase, "data-v": pod[3],
      "data-r": pod[5].join(", "), title: pod[6].join("; ")
    }, text);
  }

  function drawEni(body, e) {
    var div = make(body, "div", { class: "eni", "data-eni": e[0], "data-k": e[1], "data-d": e[2], "data-ip": e[3] || "" });
    var h4 = make(div, "h4");
    add(h4, e[0] + " · device " + e[2] + " · " + e[1] + (e[3] ? " · primary IP " + e[3] + " (the ENI's own)" : "") +
      (e[4] ? " · subnet " + e[4] : "") + " · " + e[5] + "/" + e[6] + " slots used" + (e[7] ? " · " : ""));
    if (e[7]) make(h4, "span", { class: "badge r-fail" }, e[7] + " failed");
    var groups = e[8];
    if (!groups.length) make(div, "p", { class: "na" }, "no secondary IPs or prefixes on this ENI");
    groups.forEach(function (g) {
      var prefix = g[0], ips = addresses(g[1]), pods = g[2], hidden = g[3];
      if (prefix) make(div, "div", { class: "grp" }, "prefix " + prefix + ": " + pods.length + "/" +
        ((ips ? ips.length : pods.length) + hidden) + " used");
      var list = make(div, "ol", prefix ? { class: "slots", "data-prefix": prefix } : { class: "slots" });
      groupSlots(g, function (ip, pod) { slot(list, ip, pod); });
      if (hidden) make(list, "li", { class: "more" }, "+" + hidden + " idle addresses");
    });
  }

  // Draws a closed node's parts once; true when it drew them now.
  function draw(node) {
    if (!node.hasAttribute("data-b")) return false;
    var parts = mapData().nodes[+node.dataset.b];
    node.removeAttribute("data-b");
    var body = document.createDocumentFragment();
    var checks = make(body, "ul", { class: "checks" });
    parts[0].forEach(function (c) {
      var li = make(checks, "li");
      badge(li, c[0], word(c[0]));
      add(li, " " + c[1] + (c[2] ? ": " + c[2] : ""));
    });
    parts[1].forEach(function (e) { drawEni(body, e); });
    if (parts[2].length) {
      var div = make(body, "div", { class: "unplaced" });
      make(div, "h4", null, "pods of this node without a slot");
      var list = make(div, "ul");
      parts[2].forEach(function (p) {
        var li = make(list, "li", { class: p[3] === "fail" ? "f" : "" });
        badge(li, p[3], word(p[3]));
        add(li, " ");
        make(li, "code", null, p[1] + "/" + p[2]);
        add(li, " " + (p[0] || "no IP") + " ");
        make(li, "i", null, p[4] || "");
        add(li, " " + p[5].join(", ") + (p[6].length ? ": " + p[6].join("; ") : ""));
      });
    }
    node.appendChild(body);
    return true;
  }

  document.addEventListener("toggle", function (event) {
    var node = event.target;
    if (node.open && node.matches && node.matches("details.node[data-b]")) draw(node);
  }, true);

  // --- Search. The index lists, in page order, every node, then its ENIs and its pods in slots:
  // from the page for a drawn node, from the data for a closed one (``el`` null until it is drawn).
  function build() {
    index = [];
    var nodes = document.querySelectorAll("details.node");
    for (var n = 0; n < nodes.length; n++) {
      var node = nodes[n];
      index.push(entry(node.dataset.node + " " + (node.dataset.i || ""), node, node));
      if (node.hasAttribute("data-b")) { fromData(node); continue; }
      var items = node.querySelectorAll("div.eni, li.p");
      for (var i = 0; i < items.length; i++) {
        var el = items[i];
        if (el.tagName === "LI") index.push(entry(el.firstChild ? el.firstChild.nodeValue : "", el, node));  // one text node
        else index.push(entry(el.dataset.eni + " " + (el.dataset.ip || ""), el, node));
      }
    }
  }

  function entry(text, el, node, place) {
    return { key: text.toLowerCase(), text: text, el: el, node: node, place: place };
  }

  function fromData(node) {
    mapData().nodes[+node.dataset.b][1].forEach(function (e, ei) {
      index.push(entry(e[0] + " " + (e[3] || ""), null, node, [ei]));
      e[8].forEach(function (g, gi) {
        groupSlots(g, function (ip, pod, si) {
          if (pod) index.push(entry(pod[0] + " " + pod[1] + "/" + pod[2], null, node, [ei, gi, si]));
        });
      });
    });
  }

  // The element of an index entry, drawing its node first when it is closed.
  function element(item) {
    if (item.el) return item.el;
    draw(item.node);
    var eni = item.node.querySelectorAll(":scope > div.eni")[item.place[0]];
    item.el = item.place.length === 1 ? eni : eni.querySelectorAll(":scope > ol.slots")[item.place[1]].children[item.place[2]];
    return item.el;
  }

  function label(item) {
    if (item.place ? item.place.length === 3 : item.el.tagName === "LI") return "pod " + item.text;
    if (item.el === item.node) return "node " + item.node.dataset.node;
    return "ENI " + item.text.split(" ")[0] + " on " + item.node.dataset.node;
  }

  function find(query) {
    if (index === null) build();
    var exact = [], partial = [];
    for (var i = 0; i < index.length; i++) {
      var text = index[i].key, at = text.indexOf(query);
      if (at < 0) continue;
      var end = at + query.length;
      var whole = (at === 0 || text[at - 1] === " " || text[at - 1] === "/") &&
        (end === text.length || text[end] === " " || text[end] === "/");
      (whole ? exact : partial).push(index[i]);
    }
    return exact.concat(partial);
  }

  function reveal(item) {
    var el = element(item);
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
    found.slice(0, LIMIT).forEach(function (item) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.textContent = label(item);
      a.addEventListener("click", function () { reveal(item); });
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
  // Printing: draw and open the nodes that have a problem, so the paper shows them.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.bad").forEach(function (el) {
      draw(el);
      for (var up = el; up; up = up.parentElement) if (up.tagName === "DETAILS") up.open = true;
    });
  });
})();
