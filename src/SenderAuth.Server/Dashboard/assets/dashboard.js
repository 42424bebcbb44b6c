// SenderAuth dashboard: small progressive enhancements. Every page works without this file.
"use strict";
(function () {
  // Copy buttons: shown only when scripts run; they copy the text of the element named by data-copy.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain HTTP to a non-local host has no Clipboard API: fall back to a selected textarea.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand && document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function announce(button, message) {
    var live = document.getElementById("copy-status");
    if (!live) {
      live = document.createElement("p");
      live.id = "copy-status";
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      document.body.appendChild(live);
    }
    live.textContent = message;
    var label = button.dataset.label || button.firstChild.textContent;
    button.dataset.label = label;
    button.firstChild.textContent = message;
    setTimeout(function () { button.firstChild.textContent = label; }, 2000);
  }

  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      if (!source) { return; }
      copyText(source.textContent.trim()).then(
        function () { announce(button, "Copied"); },
        function () { announce(button, "Select and copy by hand"); });
    });
  });

  // Forms that take a while (a DNS check): say so and keep the button from being pressed twice.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter || form.querySelector("button[type=submit]");
      var busy = (button && button.dataset.busy) || form.dataset.busy;
      if (!button || !busy) { return; }
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      button.textContent = busy;
      // A disabled button is not submitted; its name/value, when it has one, goes in a hidden field.
      if (button.name) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = button.name;
        hidden.value = button.value;
        form.appendChild(hidden);
      }
    });
  });
})();
