// The jobs on the admin page (/beheer): one item per upload or removal, followed until it ends, with each
// file's result and, while the job can still be cancelled, a button to cancel it. Loaded before beheer.js.
// Names come from documents: they only ever reach the page through textContent.
(function () {
  "use strict";

  var POLL_MS = 700;
  var STATUS = { pending: "wacht", indexed: "geïndexeerd", unchanged: "ongewijzigd", skipped: "overgeslagen",
    removed: "verwijderd" };
  var STATE = { queued: "in de wachtrij", running: "bezig", done: "klaar", failed: "mislukt",
    cancelled: "geannuleerd" };

  var el = window.VraagbaakDom.el;

  // `options`: list (the <ul> of items), api(method, path) and confirm(text, ok, back) (promises),
  // announce(text), showError(text), and ended(job): a job that is done or cancelled changed the collection.
  function create(options) {
    var api = options.api;

    function uploadItem(title, state) {
      var item = el("li", "upload");
      item.appendChild(el("span", "upload-name", title));
      var progress = el("progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", "Voortgang " + title);
      item.appendChild(progress);
      item.appendChild(el("span", "upload-state", state));
      item.appendChild(el("ul", "upload-files"));
      options.list.insertBefore(item, options.list.firstChild);
      return item;
    }

    function setState(item, text, percent, finished) {
      item.querySelector(".upload-state").textContent = text;
      if (percent !== null) item.querySelector("progress").value = percent;
      if (finished) item.classList.add(finished);
    }

    // How far a job is, after the upload's own half: reading its files is quick, embedding their
    // passages is most of the work, and what follows (neighbours, saving) is short.
    function jobPercent(job) {
      var total = job.total || 0;
      if (job.stage === "embedden" && job.stage_total) {
        return 60 + Math.round(35 * (job.stage_done || 0) / job.stage_total);
      }
      if (job.stage && job.stage !== "lezen" && job.stage !== "embedden") return 95;
      return 50 + (total ? Math.round(10 * (job.done || 0) / total) : 0);
    }

    function jobText(job) {
      var total = job.total || 0;
      var text = STATE[job.state] || job.state;
      if (job.state === "running" && job.cancel_requested) return "wordt geannuleerd…";
      if (job.state === "running" && job.stage) text += ": " + job.stage;
      if (job.state === "running" && job.stage === "embedden" && job.stage_total) {
        text += " (" + job.stage_done + " van " + job.stage_total + " passages)";
      } else if (job.state === "running" && total) {
        text += " (" + job.done + " van " + total + " bestanden)";
      }
      return text;
    }

    // A queued job, or a running upload, can be cancelled (a removal only while it waits).
    function showCancel(item, job) {
      var button = item.querySelector(".upload-cancel");
      var may = !job.cancel_requested && (job.state === "queued" || (job.state === "running" && job.kind === "upload"));
      if (!may) { if (button) button.remove(); return; }
      if (button) return;
      button = el("button", "button secondary small upload-cancel", "Annuleren");
      button.type = "button";
      button.setAttribute("aria-label", "Annuleer " + item.querySelector(".upload-name").textContent);
      button.addEventListener("click", function () {
        options.confirm("Deze taak annuleren? Wat nog niet in de index staat, komt er niet in; upload de bestanden " +
          "later opnieuw als je ze toch wilt.", "Taak annuleren", "Terug").then(function (ok) {
          if (!ok) return null;
          button.disabled = true;
          return api("POST", "/jobs/" + encodeURIComponent(job.id) + "/cancel");
        }).catch(function (error) { button.disabled = false; options.showError(error.message); });
      });
      item.insertBefore(button, item.querySelector(".upload-files"));
    }

    // Poll a job until it is done, failed or cancelled; each file's result is listed under the item.
    function followJob(id, item) {
      return new Promise(function (resolve, reject) {
        function poll() {
          api("GET", "/jobs/" + encodeURIComponent(id)).then(function (job) {
            var text = jobText(job);
            showFiles(item, job.files || []);
            showCancel(item, job);
            if (job.state === "cancelled") {
              setState(item, text, null, "cancelled");
              options.ended(job);
              options.announce("Taak geannuleerd.");
              resolve(job);
            } else if (job.state === "done") {
              setState(item, text, 100, "done");
              options.ended(job);
              options.announce("Klaar: " + summary(job.files || []));
              resolve(job);
            } else if (job.state === "failed") {
              setState(item, text + (job.error ? ": " + job.error : ""), null, "failed");
              reject(new Error(job.error || "De taak is mislukt."));
            } else {
              setState(item, text, jobPercent(job));
              window.setTimeout(poll, POLL_MS);
            }
          }, reject);
        }
        poll();
      });
    }

    function showFiles(item, files) {
      var list = item.querySelector(".upload-files");
      list.textContent = "";
      files.forEach(function (f) {
        var line = el("li", "file-" + (f.status || "pending"));
        line.appendChild(el("span", "file-name", f.name));
        line.appendChild(el("span", "file-status", STATUS[f.status] || "wacht"));
        if (f.reason) line.appendChild(el("span", "file-reason", f.reason));
        list.appendChild(line);
      });
    }

    function summary(files) {
      var counts = {};
      files.forEach(function (f) { counts[f.status] = (counts[f.status] || 0) + 1; });
      return Object.keys(counts).map(function (k) { return counts[k] + " " + (STATUS[k] || k); }).join(", ");
    }

    return {
      item: uploadItem, setState: setState, follow: followJob,
      stateName: function (state) { return STATE[state] || state; }
    };
  }

  window.VraagbaakJobs = { create: create };
})();
