// xueshi's own script: small progressive enhancements; every page also works without it.
(function () {
  "use strict";

  // Send the CSRF token with every htmx request.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
    }
  });

  // Show upload progress in the <progress> named by the form's data-progress attribute.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest("form");
    if (!form || !form.dataset.progress) return;
    var bar = document.getElementById(form.dataset.progress);
    if (!bar || !event.detail.lengthComputable) return;
    bar.classList.remove("hidden");
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });

  // Links marked data-back return to the previous page; their href is the fallback.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // Ask before destructive actions: <button data-confirm="…">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Keep one submission per click: disable submit buttons while a plain form posts.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("hx-post") || form.dataset.allowRepeat) return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Submit a small GET form (the term switcher) as soon as its select changes.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-auto-submit]");
    if (select && select.form) select.form.submit();
  });

  // Claim form: show the ledger activities of the chosen category, its rules, and fill
  // the fields from the chosen activity. Without this script the server does the filling.
  function setupClaimForm(form) {
    var category = form.querySelector("[data-category-select]");
    var activity = form.querySelector("[data-activity-select]");
    var activityField = form.querySelector("[data-activity-field]");
    var fillButton = form.querySelector("[data-fill-button]");
    if (fillButton) fillButton.classList.add("hidden");

    function showCategory() {
      var code = category.value;
      var chosen = category.selectedOptions[0];
      var needsActivity = chosen && chosen.dataset.requiresActivity === "1";
      form.querySelectorAll("[data-rules-for]").forEach(function (box) {
        box.classList.toggle("hidden", code !== "" && box.dataset.rulesFor !== code);
      });
      var details = form.querySelector("[data-rules-all]");
      if (details && code !== "") details.open = true;
      if (!activity) return;
      activity.querySelectorAll("option[data-category]").forEach(function (option) {
        option.hidden = option.dataset.category !== code;
        if (option.hidden && option.selected) activity.value = "";
      });
      if (activityField) activityField.classList.toggle("hidden", !needsActivity && activity.value === "");
    }

    function fillFromActivity() {
      var option = activity.selectedOptions[0];
      if (!option || !option.dataset.title) return;
      var values = {
        topic: option.dataset.title,
        organizer: option.dataset.organizer,
        start_date: option.dataset.start,
        end_date: option.dataset.end,
        mode: option.dataset.mode,
        claimed_hours: option.dataset.hours
      };
      Object.keys(values).forEach(function (name) {
        var input = form.elements[name];
        if (input) input.value = values[name];
      });
    }

    if (category) {
      category.addEventListener("change", showCategory);
      showCategory();
    }
    if (activity) activity.addEventListener("change", fillFromActivity);
  }
  document.querySelectorAll("form[data-claim-form]").forEach(setupClaimForm);

  // Reject a file over the upload limit before sending it: <form data-max-bytes="…">.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "file") return;
    var form = input.closest("form[data-max-bytes]");
    if (!form) return;
    var limit = Number(form.dataset.maxBytes);
    var message = form.querySelector("[data-size-error]");
    var tooLarge = Array.prototype.some.call(input.files, function (file) { return file.size > limit; });
    if (message) {
      message.textContent = tooLarge ? form.dataset.maxMessage : "";
      message.classList.toggle("hidden", !tooLarge);
    }
    if (tooLarge) input.value = "";
  });

  // Keep the size message when the person presses 上传 with no file left to send. This
  // listens in the capture phase, so htmx's own submit handler never receives the event.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-max-bytes]")) return;
    var message = form.querySelector("[data-size-error]");
    if (!message || message.classList.contains("hidden")) return;
    var chosen = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
    if (!chosen) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
})();

// Print the page: <button data-print>. Inline handlers are blocked by the content policy.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
