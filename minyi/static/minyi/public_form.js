// The citizens' form (appeals/public/new.html): the character count and the villages of the chosen township.
(function () {
  // Progressive help only: the form works the same without JavaScript.
  var body = document.getElementById("id_body"), count = document.getElementById("body-count");
  var used = document.getElementById("body-used");
  if (body && count && used) {
    var show = function () { used.textContent = body.value.length; };
    body.addEventListener("input", show);
    show();
    count.hidden = false;
  }
  var township = document.getElementById("id_township"), village = document.getElementById("id_village");
  if (township && village) {
    var filter = function () {
      var chosen = township.value;
      village.querySelectorAll("optgroup").forEach(function (group) {
        var off = chosen !== "" && group.dataset.township !== chosen;
        group.hidden = off;
        group.disabled = off;
        if (off && group.contains(village.selectedOptions[0])) { village.value = ""; }
      });
    };
    township.addEventListener("change", filter);
    village.addEventListener("change", function () {
      var group = village.selectedOptions[0] && village.selectedOptions[0].parentElement;
      if (group && group.dataset.township) { township.value = group.dataset.township; filter(); }
    });
    filter();
  }
})();
