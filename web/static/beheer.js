// The admin page (/beheer): collections, uploads with progress (and cancel), documents with delete.
// Each job's item on the page (progress, files, cancel) is beheer-jobs.js, loaded before this file.
// The admin token lives in this tab's sessionStorage only (never a cookie) and goes out as a Bearer header.
// Names and titles come from documents: they only ever reach the page through textContent.
(function () {
  "use strict";

  var TOKEN_KEY = "vraagbaak.beheer.token";
  var API = "/api/v1";

  var live = document.getElementById("live");
  var loginSection = document.getElementById("login");
  var loginForm = document.getElementById("login-form");
  var loginError = document.getElementById("login-error");
  var tokenInput = document.getElementById("token");
  var admin = document.getElementById("admin");
  var adminError = document.getElementById("admin-error");
  var collectionsBody = document.querySelector("#collections tbody");
  var createForm = document.getElementById("create-form");
  var newName = document.getElementById("new-name");
  var collectionSection = document.getElementById("collection");
  var collectionTitle = document.getElementById("collection-title");
  var dropzone = document.getElementById("dropzone");
  var fileInput = document.getElementById("files");
  var uploads = document.getElementById("uploads");
  var documentsBody = document.querySelector("#documents tbody");
  var noDocuments = document.getElementById("no-documents");
  var dialog = document.getElementById("confirm");
  var dialogText = document.getElementById("confirm-text");
  var dialogOk = document.getElementById("confirm-ok");
  var dialogBack = dialog.querySelector("button[value=cancel]");

  var selected = null;  // the name of the collection shown below the list
  var following = {};  // ids of the jobs this page follows (its own, and those it found open)

  var el = window.VraagbaakDom.el;

  function announce(text) { window.VraagbaakDom.announce(live, text); }

  function token() { return window.sessionStorage.getItem(TOKEN_KEY) || ""; }

  function showError(node, text) {
    node.textContent = text || "";
    node.hidden = !text;
  }

  function segment(name) { return encodeURIComponent(name); }

  function documentPath(doc) { return doc.split("/").map(encodeURIComponent).join("/"); }

  // fetch with the token; resolves to the JSON body, rejects with a Dutch message.
  function api(method, path, body) {
    var options = { method: method, headers: { "Authorization": "Bearer " + token() } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return window.fetch(API + path, options).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (response.status === 401) {
          signOut("De token is niet (meer) geldig. Meld je opnieuw aan.");
          throw new Error("De token is niet geldig.");
        }
        if (!response.ok) {
          throw new Error((data && data.error && data.error.message) ||
            "Er ging iets mis (" + response.status + ").");
        }
        return data;
      });
    }, function () { throw new Error("Vraagbaak is niet bereikbaar. Probeer het opnieuw."); });
  }

  // Ask before something that cannot be undone; `ok` and `back` name the two buttons (default: delete).
  function confirmWith(text, ok, back) {
    return new Promise(function (resolve) {
      dialogText.textContent = text;
      dialogOk.textContent = ok || "Verwijderen";
      dialogBack.textContent = back || "Annuleren";
      dialog.returnValue = "";
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        resolve(dialog.returnValue === "ok");
      });
      dialog.showModal();
    });
  }

  // --- signing in and out ---------------------------------------------------

  function signIn(value) {
    window.sessionStorage.setItem(TOKEN_KEY, value);
    return loadCollections().then(function () {
      loginSection.hidden = true;
      admin.hidden = false;
      showError(loginError, "");
      announce("Aangemeld.");
    });
  }

  function signOut(message) {
    window.sessionStorage.removeItem(TOKEN_KEY);
    admin.hidden = true;
    loginSection.hidden = false;
    selected = null;
    collectionSection.hidden = true;
    showError(loginError, message || "");
    tokenInput.value = "";
    tokenInput.focus();
  }

  loginForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = tokenInput.value.trim();
    if (!value) { showError(loginError, "Vul de beheerderstoken in."); return; }
    signIn(value).catch(function (error) {
      if (!loginSection.hidden) showError(loginError, error.message);
    });
  });

  document.getElementById("logout").addEventListener("click", function () { signOut(""); });

  // --- collections ------------------------------------------------------------

  function loadCollections() {
    return api("GET", "/collections").then(function (data) {
      collectionsBody.textContent = "";
      (data.collections || []).forEach(function (c) { collectionsBody.appendChild(collectionRow(c)); });
      if (selected && !(data.collections || []).some(function (c) { return c.name === selected; })) {
        selected = null;
        collectionSection.hidden = true;
      }
      return data;
    });
  }

  function collectionRow(c) {
    var row = el("tr");
    row.dataset.collection = c.name;
    if (c.name === selected) row.className = "selected";
    var nameCell = el("th");
    nameCell.scope = "row";
    var open = el("button", "linklike", c.name);
    open.type = "button";
    open.setAttribute("aria-label", "Open collectie " + c.name);
    open.addEventListener("click", function () { selectCollection(c.name); });
    nameCell.appendChild(open);
    row.appendChild(nameCell);
    row.appendChild(el("td", "number", c.documents));
    row.appendChild(el("td", "number", c.passages));
    row.appendChild(el("td", "version", c.version || "–"));
    row.appendChild(el("td", null, c.public ? "ja" : "nee"));
    var actions = el("td");
    if (c.name !== "standaard") {
      var remove = el("button", "button danger small", "Verwijderen");
      remove.type = "button";
      remove.setAttribute("aria-label", "Verwijder collectie " + c.name);
      remove.addEventListener("click", function () { deleteCollection(c.name); });
      actions.appendChild(remove);
    }
    row.appendChild(actions);
    return row;
  }

  createForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = newName.value.trim();  // the server checks the name and says what is wrong (one rule)
    api("POST", "/collections", { name: name }).then(function () {
      newName.value = "";
      showError(adminError, "");
      announce("Collectie " + name + " aangemaakt.");
      return loadCollections().then(function () { selectCollection(name); });
    }).catch(function (error) {
      showError(adminError, error.message);
      newName.focus();
    });
  });

  function deleteCollection(name) {
    confirmWith("Collectie " + name + " met al haar documenten verwijderen? Dit kan niet ongedaan worden.")
      .then(function (ok) {
        if (!ok) return null;
        return api("DELETE", "/collections/" + segment(name)).then(function () {
          announce("Collectie " + name + " verwijderd.");
          if (selected === name) { selected = null; collectionSection.hidden = true; }
          return loadCollections();
        });
      }).catch(function (error) { showError(adminError, error.message); });
  }

  function selectCollection(name) {
    selected = name;
    Array.prototype.forEach.call(collectionsBody.rows, function (row) {
      row.className = row.dataset.collection === name ? "selected" : "";
    });
    collectionTitle.textContent = "Collectie " + name;
    collectionSection.hidden = false;
    uploads.textContent = "";
    following = {};
    loadOpenJobs(name);
    return loadDocuments();
  }

  // Jobs of the collection that are still queued or running (started before a reload, from another
  // tab or over the API) are followed like the page's own.
  function loadOpenJobs(name) {
    return api("GET", "/collections/" + segment(name) + "/jobs").then(function (data) {
      if (selected !== name) return;
      (data.jobs || []).forEach(function (job) {
        if (following[job.id]) return;
        var names = (job.files || []).map(function (f) { return f.name; });
        var title = names.length === 1 ? names[0] : names.length + " bestanden";
        var item = uploadItem(title, job.kind === "delete" ? "wordt verwijderd" : jobs.stateName(job.state));
        followJob(job.id, item).catch(function (error) { setState(item, error.message, null, "failed"); });
      });
    }).catch(function (error) { showError(adminError, error.message); });
  }

  // --- documents --------------------------------------------------------------

  function loadDocuments() {
    var name = selected;
    if (!name) return Promise.resolve();
    return api("GET", "/collections/" + segment(name) + "/documents").then(function (data) {
      if (selected !== name) return;
      var docs = data.documents || [];
      documentsBody.textContent = "";
      docs.forEach(function (d) { documentsBody.appendChild(documentRow(name, d)); });
      noDocuments.hidden = docs.length > 0;
    }).catch(function (error) { showError(adminError, error.message); });
  }

  function documentRow(collection, d) {
    var row = el("tr");
    row.dataset.document = d.document;
    var title = el("th");
    title.scope = "row";
    title.appendChild(el("span", "doc-title", d.title || d.document));
    if (d.title && d.title !== d.document) title.appendChild(el("span", "doc-file", d.document));
    row.appendChild(title);
    row.appendChild(el("td", "number", d.pages === null || d.pages === undefined ? "–" : d.pages));
    row.appendChild(el("td", "number", d.passages));
    row.appendChild(el("td", null, d.indexed ? new Date(d.indexed).toLocaleString("nl-NL") : "–"));
    var actions = el("td");
    var remove = el("button", "button danger small", "Verwijderen");
    remove.type = "button";
    remove.setAttribute("aria-label", "Verwijder " + d.document);
    remove.addEventListener("click", function () { deleteDocument(collection, d.document, row); });
    actions.appendChild(remove);
    row.appendChild(actions);
    return row;
  }

  function deleteDocument(collection, doc, row) {
    confirmWith("Document " + doc + " uit collectie " + collection + " verwijderen?").then(function (ok) {
      if (!ok) return null;
      row.classList.add("pending");
      var item = uploadItem(doc, "wordt verwijderd");
      return api("DELETE", "/collections/" + segment(collection) + "/documents/" + documentPath(doc))
        .then(function (data) { return followJob(data.job, item); })
        .then(function (job) {
          announce(job.state === "cancelled" ? "Verwijderen van " + doc + " geannuleerd." : doc + " verwijderd.");
        });
    }).catch(function (error) { showError(adminError, error.message); });
  }

  // --- uploads ----------------------------------------------------------------

  var jobs = window.VraagbaakJobs.create({
    list: uploads, api: api, confirm: confirmWith, announce: announce,
    showError: function (text) { showError(adminError, text); },
    ended: function () { loadCollections(); loadDocuments(); }
  });
  var uploadItem = jobs.item;
  var setState = jobs.setState;

  // Follow a job on the page (see beheer-jobs.js); the page knows which it follows.
  function followJob(id, item) {
    following[id] = true;
    return jobs.follow(id, item);
  }

  function upload(files) {
    if (!selected || !files.length) return;
    var collection = selected;
    var names = Array.prototype.map.call(files, function (f) { return f.name; });
    var item = uploadItem(files.length === 1 ? names[0] : files.length + " bestanden", "uploaden…");
    var body = new FormData();
    Array.prototype.forEach.call(files, function (f) { body.append("files", f, f.name); });
    var request = new XMLHttpRequest();
    request.open("POST", API + "/collections/" + segment(collection) + "/documents");
    request.setRequestHeader("Authorization", "Bearer " + token());
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        setState(item, "uploaden… " + Math.round(100 * event.loaded / event.total) + "%",
          Math.round(50 * event.loaded / event.total));
      }
    });
    request.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(request.responseText); } catch (e) { data = null; }
      if (request.status === 401) { signOut("De token is niet (meer) geldig. Meld je opnieuw aan."); return; }
      if (request.status !== 202 || !data || !data.job) {
        setState(item, (data && data.error && data.error.message) || "Upload mislukt (" + request.status + ").",
          null, "failed");
        return;
      }
      followJob(data.job, item).catch(function (error) { setState(item, error.message, null, "failed"); });
    });
    request.addEventListener("error", function () {
      setState(item, "Upload mislukt: Vraagbaak is niet bereikbaar.", null, "failed");
    });
    request.send(body);
  }

  fileInput.addEventListener("change", function () {
    upload(fileInput.files);
    fileInput.value = "";
  });
  ["dragenter", "dragover"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.remove("over");
    });
  });
  dropzone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files) upload(event.dataTransfer.files);
  });

  // A token kept in this tab signs in again after a reload.
  if (token()) {
    signIn(token()).catch(function (error) { showError(loginError, error.message); });
  } else {
    tokenInput.focus();
  }
})();
