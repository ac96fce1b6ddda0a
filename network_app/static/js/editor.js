// Progressive enhancement for the specification editor; the forms work without it.
// - Live preview: the text is sent to the server's renderer (the same as the page) after a pause.
// - CPV picker: search codes by number or Swedish/English words and add them to the CPV field.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  // Search as the person types (from 2 characters) and list the answers as buttons; `read` turns
  // the JSON into {total, items: [{text, choose}]}. Used by the CPV picker and the criteria finder.
  function searchAsYouType(box, input, list, status, url, read) {
    input.addEventListener("input", debounce(function () {
      var q = input.value.trim();
      list.innerHTML = "";
      if (q.length < 2) { status.textContent = ""; return; }
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var found = read(data);
          list.innerHTML = "";
          found.items.forEach(function (entry) {
            var item = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "button--secondary";
            button.textContent = entry.text;
            button.addEventListener("click", entry.choose);
            item.appendChild(button);
            list.appendChild(item);
          });
          status.textContent = found.total + " " + (box.getAttribute("data-found") || "found");
        })
        .catch(function () { status.textContent = ""; });
    }, 250));
  }

  function livePreview(form) {
    var url = form.getAttribute("data-preview-url");
    var text = form.querySelector("textarea[name=text]");
    var target = form.querySelector("#preview");
    if (!url || !text || !target) { return; }
    var token = form.querySelector("input[name=csrf_token]");
    var sent = null;
    var update = function () {
      if (text.value === sent) { return; }
      sent = text.value;
      var body = new FormData();
      body.append("csrf_token", token ? token.value : "");
      body.append("text", text.value);
      fetch(url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          // The server sanitised this HTML with the same allow-list as the published page.
          if (html !== null && sent === text.value) { target.innerHTML = html; }
        })
        .catch(function () { /* keep the last preview; saving does not depend on it */ });
    };
    text.addEventListener("input", debounce(update, 400));
    update();
  }

  function cpvPicker(box) {
    var url = box.getAttribute("data-cpv-search");
    var field = box.querySelector("input[name=cpv]");
    if (!url || !field) { return; }
    var wrapper = document.createElement("div");
    wrapper.className = "cpv-search";
    var id = field.id + "-search";
    wrapper.innerHTML = '<label></label><input type="search" autocomplete="off">' +
      '<p class="hint" aria-live="polite"></p><ul class="cpv-results"></ul>';
    var label = wrapper.querySelector("label");
    var input = wrapper.querySelector("input");
    var status = wrapper.querySelector("p");
    var list = wrapper.querySelector("ul");
    label.htmlFor = id;
    label.textContent = box.getAttribute("data-label") || "Find a CPV code";
    input.id = id;
    box.appendChild(wrapper);

    function add(code) {
      var codes = field.value.split(",").map(function (c) { return c.trim(); }).filter(Boolean);
      if (codes.indexOf(code) === -1) { codes.push(code); }
      field.value = codes.join(", ");
      status.textContent = (box.getAttribute("data-added") || "Added") + " " + code;
    }

    searchAsYouType(box, input, list, status, url, function (data) {
      return { total: data.codes.length, items: data.codes.map(function (c) {
        var label = document.documentElement.lang === "en" ? c.label_en : c.label_sv;
        return { text: c.code + " " + label, choose: function () { add(c.code); } };
      }) };
    });
  }

  // Criteria finder: search the library and insert [[K-0042@r3]] on its own line at the cursor.
  function criteriaFinder(box) {
    var url = box.getAttribute("data-criteria-search");
    var form = box.closest("form");
    var text = form && form.querySelector("textarea[name=text]");
    var input = box.querySelector("input[type=search]");
    var list = box.querySelector("ul");
    var status = box.querySelector("[aria-live]");
    if (!url || !text || !input) { return; }
    box.hidden = false;

    function insert(code, number) {
      var reference = "[[" + code + "@r" + number + "]]";
      var at = text.selectionStart || text.value.length;
      var before = text.value.slice(0, at).replace(/\n*$/, "");
      var after = text.value.slice(at).replace(/^\n*/, "");
      text.value = before + (before ? "\n\n" : "") + reference + "\n\n" + after;
      text.dispatchEvent(new Event("input"));
      status.textContent = (box.getAttribute("data-inserted") || "Inserted") + " " + reference;
    }

    searchAsYouType(box, input, list, status, url, function (data) {
      return { total: data.total, items: data.results.slice(0, 15).map(function (c) {
        return { text: c.id + " " + c.title + " (r" + c.number + ")", choose: function () { insert(c.id, c.number); } };
      }) };
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-preview-url]").forEach(livePreview);
    document.querySelectorAll("[data-cpv-search]").forEach(cpvPicker);
    document.querySelectorAll("[data-criteria-search]").forEach(criteriaFinder);
  });
})();
