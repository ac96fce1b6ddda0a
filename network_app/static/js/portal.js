// Progressive enhancement only: every form works without this file.
// Elements with data-show-when="field=value1,value2" are hidden unless that field has one of the values.
(function () {
  "use strict";
  function currentValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var field = form.querySelector('[name="' + name + '"]');
    return field && field.type !== "radio" ? field.value : "";
  }
  function update(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (el) {
      var rule = el.getAttribute("data-show-when").split("=");
      el.hidden = rule[1].split(",").indexOf(currentValue(form, rule[0])) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-when]")) { return; }
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
    var errors = document.getElementById("form-errors");
    if (errors) { errors.focus(); }
  });
})();
