// Progressive enhancement only: every page works without this file.
// A <select data-submit-on-change> submits its form when changed (the kecamatan picker reloads
// the desa list), and the button that does the same without JavaScript is then hidden.
document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
  var button = select.form && select.form.querySelector("[data-without-js]");
  if (button) { button.hidden = true; }
  select.addEventListener("change", function () {
    var field = select.form.querySelector("input[name=pilih]");
    if (field) { field.value = select.name; }
    select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
  });
});
