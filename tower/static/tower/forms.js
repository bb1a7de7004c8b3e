/* Form behaviour that used to be inline handlers (the Content-Security-Policy allows no inline
 * script):
 *
 *   <select data-clears="product">   changing it empties the form's field named "product" (a
 *                                    product of another client would not match the new one)
 *   <select data-submit-on-change>   changing it submits its form
 *
 * Listens in the capture phase, so a field is cleared before htmx reads the form for the same
 * change event (as the inline handler on the select did).
 */
(function () {
  "use strict";
  document.addEventListener(
    "change",
    function (event) {
      var field = event.target;
      if (!(field instanceof HTMLSelectElement) || !field.form) {
        return;
      }
      var clears = field.getAttribute("data-clears");
      if (clears && field.form.elements[clears]) {
        field.form.elements[clears].value = "";
      }
      if (field.hasAttribute("data-submit-on-change")) {
        field.form.submit();
      }
    },
    true
  );
})();

/* <details data-collapse-narrow open>: open on a wide screen, closed on a phone (at most 760 px
 * wide, as tower.css's small-screen rules), so a page's first screen there shows its figures
 * rather than its filters. Without JavaScript the details stay open. */
(function () {
  "use strict";
  function collapse() {
    if (!window.matchMedia("(max-width: 760px)").matches) {
      return;
    }
    document.querySelectorAll("details[data-collapse-narrow][open]").forEach(function (details) {
      details.removeAttribute("open");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", collapse);
  } else {
    collapse();
  }
})();

// A "Print" button: <button type="button" data-print> (no inline handler: the CSP forbids it).
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) {
    event.preventDefault();
    window.print();
  }
});
