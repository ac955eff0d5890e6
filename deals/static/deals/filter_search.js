// A search box over each long list filter in the admin sidebar (countries, programmes): type a
// few letters and only the matching choices stay.
(function () {
  "use strict";
  document.querySelectorAll("#changelist-filter details, #changelist-filter > ul").forEach(function (group) {
    var list = group.tagName === "UL" ? group : group.querySelector("ul");
    if (!list || list.children.length < 10) return;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "filter-search";
    box.placeholder = document.documentElement.lang === "ko" ? "찾기…" : "Find…";
    box.setAttribute("aria-label", box.placeholder);
    box.style.cssText = "width: 90%; margin: 4px 8px;";
    list.parentNode.insertBefore(box, list);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLocaleLowerCase();
      Array.prototype.forEach.call(list.children, function (li) {
        li.hidden = q !== "" && li.textContent.toLocaleLowerCase().indexOf(q) === -1;
      });
    });
  });
})();
