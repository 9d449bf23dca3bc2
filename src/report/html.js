// Filter, search, view switch and copy buttons for the clearance HTML report.
// Everything is in the page already; this script only hides and shows it.
(function () {
  "use strict";
  var root = document.documentElement;
  var $ = function (sel, el) { return (el || document).querySelector(sel); };
  var $$ = function (sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); };

  // An image flagged on several pages embeds its thumbnail once; the other
  // appearances borrow it here, which keeps the file small.
  $$("img[data-thumb-of]").forEach(function (img) {
    var first = document.getElementById(img.getAttribute("data-thumb-of"));
    if (first) { img.src = first.src; }
  });

  var search = $("#q");
  var ruleSelect = $("#rule");
  var shown = $("#shown");
  var cards = $$("#by-page .card");
  var pages = $$("#by-page .page");
  var rows = $$("#by-rule tr[data-sev]");
  var ruleSections = $$("#by-rule .rule");
  var textCache = new WeakMap();

  function text(el) {
    var t = textCache.get(el);
    if (t === undefined) { t = el.textContent.toLowerCase(); textCache.set(el, t); }
    return t;
  }

  function wanted() {
    var sev = {};
    $$(".controls input[name=sev]").forEach(function (box) { sev[box.value] = box.checked; });
    return sev;
  }

  function passes(el, sev, rule) {
    var ok = el.hasAttribute("data-sup") ? sev.suppressed : sev[el.getAttribute("data-sev")];
    return ok && (!rule || el.getAttribute("data-rule") === rule);
  }

  function apply() {
    var sev = wanted();
    var rule = ruleSelect.value;
    var q = search.value.trim().toLowerCase();
    var visibleFindings = 0;
    cards.forEach(function (card) {
      var any = 0;
      $$(".finding", card).forEach(function (li) {
        var ok = passes(li, sev, rule);
        li.hidden = !ok;
        if (ok) { any++; }
      });
      var show = any > 0 && (!q || text(card).indexOf(q) !== -1);
      card.hidden = !show;
      if (show) { visibleFindings += any; }
    });
    pages.forEach(function (page) {
      page.hidden = !$(".card:not([hidden])", page);
    });
    rows.forEach(function (row) {
      row.hidden = !(passes(row, sev, rule) && (!q || text(row).indexOf(q) !== -1));
    });
    ruleSections.forEach(function (section) {
      section.hidden = !$("tr[data-sev]:not([hidden])", section);
    });
    shown.textContent = visibleFindings + " finding" + (visibleFindings === 1 ? "" : "s") + " shown";
  }

  function setView(view) {
    root.setAttribute("data-view", view);
    $$(".view button").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-view") === view));
    });
  }

  search.addEventListener("input", apply);
  ruleSelect.addEventListener("change", apply);
  $$(".controls input[name=sev]").forEach(function (box) { box.addEventListener("change", apply); });
  $$(".view button").forEach(function (b) {
    b.addEventListener("click", function () { setView(b.getAttribute("data-view")); });
  });
  // Clicking a rule in the summary table narrows the list to it.
  $$(".rules-table button[data-rule]").forEach(function (b) {
    b.addEventListener("click", function () {
      ruleSelect.value = b.getAttribute("data-rule");
      apply();
      $(".controls").scrollIntoView();
    });
  });

  function copyText(value) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(value);
    }
    // file:// pages are not always a secure context: fall back to a selection.
    var area = document.createElement("textarea");
    area.value = value;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy") : null;
    if (!button) { return; }
    var code = $("code", button.parentNode);
    copyText(code.textContent).then(function () {
      button.textContent = "Copied";
    }, function () {
      button.textContent = "Select and copy";
    });
    setTimeout(function () { button.textContent = "Copy"; }, 2000);
  });

  setView("page");
  apply();
  root.setAttribute("data-js", "ready");
  // Milliseconds from navigation to a usable page, for the benchmark and for anyone
  // wondering why a huge report is slow.
  root.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  window.addEventListener("load", function () {
    root.setAttribute("data-load-ms", String(Math.round(performance.now())));
  });
})();
