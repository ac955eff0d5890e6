// The upload's result page follows its articles: it polls the small JSON progress endpoint and
// writes each article's state and the drafts it led to into the list, until every one is read.
// A file, not an inline script: the CSP allows script-src 'self' only.
(function () {
  "use strict";
  var box = document.getElementById("upload-progress");
  if (!box || !window.fetch) return;
  var delay = 1000, maxDelay = 5000, quietLimit = 10 * 60 * 1000, started = Date.now();

  function rowOf(id) {
    var box = document.querySelector("#result_list input.action-select[value='" + id + "']");
    return box ? box.closest("tr") : null;
  }
  function render(article) {
    var row = rowOf(article.id);
    if (!row) return;
    row.dataset.status = article.status;
    var status = row.querySelector("td.field-status");
    if (status) {
      status.textContent = article.status_label;
      if (article.error) status.title = article.error;
    }
    var cell = row.querySelector("td.field-deal_links");
    if (cell && article.deals.length) {
      cell.textContent = "";
      article.deals.forEach(function (deal, i) {
        if (i) cell.appendChild(document.createTextNode(", "));
        var a = document.createElement("a");
        a.href = deal.url;
        a.textContent = box.dataset.dealWord + " " + deal.id;
        cell.appendChild(a);
      });
    }
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        data.articles.forEach(render);
        var read = data.articles.filter(function (a) { return a.done; }).length;
        if (data.done) {
          box.textContent = box.dataset.done;
          box.dataset.state = "done";
          return;
        }
        box.textContent = box.dataset.waiting + " (" + read + " / " + data.articles.length + ")";
        schedule();
      })
      .catch(function () { delay = maxDelay; schedule(); });
  }
  function schedule() {
    if (Date.now() - started > quietLimit) {
      box.textContent = box.dataset.stalled;
      box.dataset.state = "stalled";
      return;
    }
    setTimeout(poll, delay);
    delay = Math.min(delay * 1.5, maxDelay);
  }
  poll();
})();
