// make-brief serve: a little script where it helps; every page works without it.
"use strict";
(function () {
  // The guide's search filters the list as you type, and choosing a guide reloads the form.
  var search = document.getElementById("q");
  var choice = document.getElementById("guide-choice");
  if (search && choice) {
    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(choice.options, function (option) {
        var text = (option.textContent + " " + option.value).toLowerCase();
        option.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
  }
  // A batch's progress, streamed from its typed events (server-sent events).
  var progress = document.getElementById("progress");
  if (progress && progress.dataset.running === "yes" && window.EventSource) {
    var made = document.getElementById("made"), failed = document.getElementById("failed");
    var bar = document.getElementById("bar"), body = document.querySelector("#events tbody");
    body.textContent = "";
    made.textContent = "0"; failed.textContent = "0"; bar.value = 0;
    var source = new EventSource(progress.dataset.events);
    source.onmessage = function (message) {
      var event = JSON.parse(message.data);
      var row = document.createElement("tr");
      row.className = event.event.replace(/ /g, "-");
      var detail = event.error || event.reason || event.text || "";
      if (event.event === "brief made") { detail = event.path + ", " + event.pages + " pages"; }
      [event.label || "", event.event, detail].forEach(function (text) {
        var cell = document.createElement("td"); cell.textContent = text; row.appendChild(cell);
      });
      body.appendChild(row);
      if (event.event === "brief made") { made.textContent = +made.textContent + 1; bar.value += 1; }
      if (event.event === "brief failed") { failed.textContent = +failed.textContent + 1; bar.value += 1; }
    };
    source.addEventListener("done", function () { source.close(); window.location.reload(); });
  }
})();
