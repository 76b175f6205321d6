// The technician's pages: the phone's position for check-in and closing, and formset rows.
// Messages come from the page (data-msg-* on <body> or the form) so they are in Spanish.
(function () {
  "use strict";

  function message(form, name, fallback) {
    return form.dataset[name] || document.body.dataset[name] || fallback;
  }

  function setStatus(form, text, kind) {
    const status = form.querySelector("[data-geo-status]");
    if (!status) return;
    status.textContent = text;
    status.className = "small mt-1 mb-0 " + (kind === "error" ? "text-danger fw-semibold" : "text-body-secondary");
  }

  function fill(form, position) {
    form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(6);
    form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(6);
    const accuracy = form.querySelector("input[name=accuracy]");
    if (accuracy) accuracy.value = Math.round(position.coords.accuracy || 0);
  }

  function locate(form, onDone, onFail) {
    if (!("geolocation" in navigator)) {
      onFail(message(form, "msgUnavailable", "This phone cannot tell its position."));
      return;
    }
    setStatus(form, message(form, "msgLocating", "Reading your position…"));
    navigator.geolocation.getCurrentPosition(
      (position) => { fill(form, position); onDone(); },
      (error) => {
        const denied = error && error.code === 1;
        onFail(denied ? message(form, "msgDenied", "You did not allow the location.")
                      : message(form, "msgUnavailable", "Your position could not be read."));
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  document.querySelectorAll("form[data-geolocate]").forEach((form) => {
    const purpose = form.dataset.geolocate;
    const withoutButton = form.querySelector("[data-without-position]");
    if (withoutButton) {
      withoutButton.addEventListener("click", () => {
        form.querySelector("input[name=latitude]").value = "";
        form.querySelector("input[name=longitude]").value = "";
        form.querySelector("input[name=without_position]").value = "True";
        form.dataset.located = "1";
      });
    }
    form.addEventListener("submit", (event) => {
      if (form.dataset.located === "1" || form.querySelector("input[name=latitude]").value) return;
      event.preventDefault();
      const buttons = form.querySelectorAll("button[type=submit]");
      buttons.forEach((b) => { b.disabled = true; });
      locate(
        form,
        () => { form.dataset.located = "1"; form.submit(); },
        (text) => {
          buttons.forEach((b) => { b.disabled = false; });
          if (purpose === "check-in") {
            // No position: say so plainly and offer the manual check-in.
            setStatus(form, text + " " + message(form, "msgFallback", "You can check in without your position."), "error");
            if (withoutButton) withoutButton.classList.remove("d-none");
          } else {
            // Closing does not need the position: close without it.
            form.dataset.located = "1";
            form.submit();
          }
        }
      );
    });
  });

  // "Add a line" for Django formsets: clone the empty form, numbered by TOTAL_FORMS.
  document.querySelectorAll("[data-formset]").forEach((fieldset) => {
    const prefix = fieldset.dataset.formset;
    const total = fieldset.querySelector(`input[name=${prefix}-TOTAL_FORMS]`);
    const template = fieldset.querySelector("template[data-formset-empty]");
    const rows = fieldset.querySelector("[data-formset-rows]");
    const add = fieldset.querySelector("[data-formset-add]");
    if (!total || !template || !rows || !add) return;
    add.addEventListener("click", () => {
      const index = parseInt(total.value, 10);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
    });
  });
})();
