/* The main menu's groups are native <details> dropdowns (base.html, tower/menu.py): they open
 * and close with the keyboard and without this file. It only adds what a menu is expected to do
 * (no inline script: the Content-Security-Policy allows none):
 *
 *   - opening one group closes the others;
 *   - Escape closes the open group and puts the focus back on its summary;
 *   - a click or focus outside the menu closes it.
 */
(function () {
  "use strict";
  function groups() {
    return document.querySelectorAll("details[data-menu-group]");
  }
  function closeAll(except) {
    groups().forEach(function (group) {
      if (group !== except) {
        group.open = false;
      }
    });
  }
  document.addEventListener(
    "toggle",
    function (event) {
      var group = event.target;
      if (group instanceof HTMLDetailsElement && group.hasAttribute("data-menu-group") && group.open) {
        closeAll(group);
      }
    },
    true
  );
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector("details[data-menu-group][open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  function outside(event) {
    if (!(event.target instanceof Element) || !event.target.closest("details[data-menu-group]")) {
      closeAll(null);
    }
  }
  document.addEventListener("click", outside);
  document.addEventListener("focusin", outside);
})();
