// Progressive enhancement only: every page works without this file.
// The complaint form's kecamatan picker fills the desa list in place (without JavaScript the
// "Tampilkan desa" button reloads the form with it), and the form's error summary gets focus.
(function () {
  var kecamatan = document.querySelector("select[data-choose-desa]");
  if (kecamatan) {
    var form = kecamatan.form;
    var desa = form.querySelector("#desa");
    var button = form.querySelector("[data-without-js]");
    if (button) { button.hidden = true; }
    kecamatan.addEventListener("change", function () {
      var url = form.getAttribute("data-desa-url") + "?kecamatan=" + encodeURIComponent(kecamatan.value);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          desa.innerHTML = "";
          var first = document.createElement("option");
          first.value = "";
          first.textContent = items.length ? "— Pilih desa/kelurahan —" : "— Pilih kecamatan dahulu —";
          desa.appendChild(first);
          items.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.code;
            option.textContent = item.name;
            desa.appendChild(option);
          });
        });
    });
  }
  var summary = document.getElementById("salah");
  if (summary) { summary.focus(); }
})();
