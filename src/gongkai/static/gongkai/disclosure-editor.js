/* A small rich-text editor for disclosure drafts: a contenteditable area with a toolbar that keeps the
   form's <textarea class="rich"> in sync. Without JavaScript the textarea takes plain text or HTML.
   The server sanitizes whatever arrives (nh3), so this only has to be convenient, not safe. */
(function () {
  "use strict";
  var COMMANDS = [
    ["bold", "B", null], ["italic", "I", null], ["underline", "U", null],
    ["formatBlock", "H3", "h3"], ["formatBlock", "¶", "p"],
    ["insertUnorderedList", "•", null], ["insertOrderedList", "1.", null], ["formatBlock", "❝", "blockquote"]
  ];
  function setup(textarea) {
    var area = document.createElement("div");
    area.className = "editor-area body";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (textarea.id) {
      var label = document.querySelector('label[for="' + textarea.id + '"]');
      if (label) { area.setAttribute("aria-label", label.textContent.replace(/[:：]\s*$/, "")); }
    }
    area.innerHTML = textarea.value;
    var bar = document.createElement("div");
    bar.className = "editor-toolbar";
    bar.setAttribute("role", "toolbar");
    COMMANDS.forEach(function (c) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = c[1];
      b.addEventListener("click", function () {
        area.focus();
        document.execCommand(c[0], false, c[2] ? "<" + c[2] + ">" : null);
        textarea.value = area.innerHTML;
      });
      bar.appendChild(b);
    });
    textarea.hidden = true;
    textarea.parentNode.insertBefore(bar, textarea);
    textarea.parentNode.insertBefore(area, textarea);
    area.addEventListener("input", function () { textarea.value = area.innerHTML; });
    textarea.form.addEventListener("submit", function () { textarea.value = area.innerHTML; });
  }
  function init() { document.querySelectorAll("textarea.rich").forEach(setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
