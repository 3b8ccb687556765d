/* The visit form: asks the browser for the position (Geolocation API) and filters the family list.
   A denied or failed fix never blocks saving: the visit is stored "without geotag" with the reason. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-visit-form]");
  if (!form) {
    return;
  }
  var field = function (name) { return form.querySelector("[name=" + name + "]"); };
  var statusBox = document.querySelector("[data-geo-status]");
  var retry = document.querySelector("[data-geo-retry]");
  var homeBox = document.querySelector("[data-home-position]");
  var maxHomeAccuracy = parseFloat(form.getAttribute("data-home-accuracy") || "100");
  var texts = {
    waiting: form.getAttribute("data-text-waiting"),
    ok: form.getAttribute("data-text-ok"),
    denied: form.getAttribute("data-text-denied"),
    unavailable: form.getAttribute("data-text-unavailable"),
    timeout: form.getAttribute("data-text-timeout"),
    unsupported: form.getAttribute("data-text-unsupported")
  };

  function show(kind, text) {
    if (!statusBox) {
      return;
    }
    statusBox.textContent = text;
    statusBox.className = "alert py-2 small mb-3 " + (kind === "ok" ? "alert-success" : kind === "waiting" ? "alert-secondary" : "alert-warning");
  }

  function setNoFix(status, message) {
    field("latitude").value = "";
    field("longitude").value = "";
    field("accuracy_m").value = "";
    field("geo_status").value = status;
    field("geo_error").value = (message || "").slice(0, 250);
    show(status, texts[status] || status);
    if (homeBox) {
      homeBox.hidden = true;
    }
    if (retry) {
      retry.hidden = status === "unsupported";
    }
  }

  function locate() {
    if (!("geolocation" in navigator)) {
      setNoFix("unsupported", "navigator.geolocation missing");
      return;
    }
    field("geo_status").value = "timeout";  // what is sent if the form goes before the fix arrives
    field("geo_error").value = "no position before the form was sent";
    show("waiting", texts.waiting);
    if (retry) {
      retry.hidden = true;
    }
    navigator.geolocation.getCurrentPosition(function (position) {
      var c = position.coords;
      field("latitude").value = c.latitude.toFixed(6);
      field("longitude").value = c.longitude.toFixed(6);
      field("accuracy_m").value = Math.round(c.accuracy);
      field("geo_status").value = "ok";
      field("geo_error").value = "";
      show("ok", texts.ok.replace("%(accuracy)s", Math.round(c.accuracy)));
      if (homeBox) {
        homeBox.hidden = c.accuracy > maxHomeAccuracy;
      }
      if (retry) {
        retry.hidden = false;
      }
    }, function (error) {
      var status = error.code === 1 ? "denied" : error.code === 3 ? "timeout" : "unavailable";
      setNoFix(status, error.message);
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  if (retry) {
    retry.addEventListener("click", function (event) {
      event.preventDefault();
      locate();
    });
  }
  locate();

  /* Ask only what applies: the reason for a late entry when the visit is old, the name when not the pengurus. */
  function toggle(wrapperId, visible) {
    var wrapper = document.getElementById(wrapperId);
    if (wrapper && !wrapper.querySelector(".is-invalid, .invalid-feedback")) {
      wrapper.hidden = !visible;
    }
  }
  var backdateDays = parseInt(form.getAttribute("data-backdate-days") || "7", 10);
  var when = field("visited_at");
  function onWhen() {
    var value = when && when.value ? new Date(when.value) : null;
    var old = value && !isNaN(value.getTime()) && (Date.now() - value.getTime()) > backdateDays * 86400000;
    toggle("div_id_backdate_reason", !!old);
  }
  if (when) {
    when.addEventListener("change", onWhen);
    when.addEventListener("input", onWhen);
    onWhen();
  }
  function onMet() {
    var chosen = form.querySelector("input[name=met]:checked");
    toggle("div_id_met_name", !!chosen && chosen.value !== "pengurus" && chosen.value !== "nobody");
  }
  form.querySelectorAll("input[name=met]").forEach(function (radio) { radio.addEventListener("change", onMet); });
  onMet();

  /* Type a few letters of the name or ID KPM to narrow the family list (no server round trip). */
  var select = form.querySelector("select[data-filterable]");
  var filter = document.querySelector("[data-family-filter]");
  if (select && filter) {
    filter.hidden = false;
    var options = Array.prototype.slice.call(select.options);
    filter.addEventListener("input", function () {
      var needle = filter.value.trim().toLowerCase();
      var first = null;
      options.forEach(function (option) {
        var match = !needle || !option.value || option.text.toLowerCase().indexOf(needle) !== -1;
        option.hidden = !match;
        option.disabled = !match && !!option.value;
        if (match && option.value && first === null) {
          first = option;
        }
      });
      if (needle && first && (select.selectedOptions.length === 0 || select.selectedOptions[0].hidden)) {
        select.value = first.value;
      }
    });
  }
})();
