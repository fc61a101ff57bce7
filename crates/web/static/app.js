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
})();

// Print the page: <button data-print>. Inline handlers are blocked by the content policy.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
