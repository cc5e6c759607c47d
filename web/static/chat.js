// The chat page: asks POST /api/v1/ask, shows answers with citations and source cards.
// Document text is untrusted: it only ever reaches the page through textContent.
(function () {
  "use strict";

  var form = document.getElementById("ask-form");
  var input = document.getElementById("question");
  var sendButton = document.getElementById("send");
  var newButton = document.getElementById("new-conversation");
  var conversation = document.getElementById("conversation");
  var intro = document.getElementById("intro");
  var live = document.getElementById("live");

  var MARKER = /\[(\d+)\]/g;
  var questions = [];   // the questions of this conversation that got an answer, oldest first
  // An answer reads only the last few earlier questions; sending them all made the request of
  // a long conversation too large (413) and its feedback invalid.
  var maxHistory = parseInt(form.getAttribute("data-max-history"), 10) || 10;
  var turnCount = 0;
  var pending = false;

  var el = window.VraagbaakDom.el;

  function announce(text) { window.VraagbaakDom.announce(live, text); }

  function sourceLabel(source) {
    var parts = ["alinea " + source.paragraph];
    // With more than one public collection, the card says which one a passage comes from.
    if (source.collection && source.collection !== "standaard") parts.unshift("collectie " + source.collection);
    if (source.lines && source.lines.length === 2) {
      parts.push(source.lines[0] === source.lines[1]
        ? "regel " + source.lines[0]
        : "regels " + source.lines[0] + "–" + source.lines[1]);
    }
    if (source.page) parts.push("pagina " + source.page);
    return parts.join(" · ");
  }

  function documentLink(source) {
    if (source.url) return source.url;
    // As web/links.py writes it: a collection other than "standaard" has its own prefix.
    var prefix = source.collection && source.collection !== "standaard"
      ? "/c/" + encodeURIComponent(source.collection) : "";
    return prefix + "/documents/" + source.document.split("/").map(encodeURIComponent).join("/") +
      "#p" + source.paragraph;
  }

  // The passage text with the answer's sentences in <mark>.
  function highlightedText(container, text, ranges) {
    var spans = ranges
      .map(function (r) { return [Math.max(0, r.start), Math.min(text.length, r.end)]; })
      .filter(function (r) { return r[1] > r[0]; })
      .sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    spans.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push(r.slice());
    });
    var at = 0;
    merged.forEach(function (r) {
      if (r[0] > at) container.appendChild(document.createTextNode(text.slice(at, r[0])));
      container.appendChild(el("mark", null, text.slice(r[0], r[1])));
      at = r[1];
    });
    if (at < text.length) container.appendChild(document.createTextNode(text.slice(at)));
  }

  function focusCard(card) {
    card.scrollIntoView({ block: "nearest", behavior: prefersReducedMotion() ? "auto" : "smooth" });
    card.focus({ preventScroll: true });
    card.classList.add("flash");
    window.setTimeout(function () { card.classList.remove("flash"); }, 1200);
  }

  function prefersReducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // Answer text with "[n]" markers as links to the cards of the cited passages.
  function answerText(container, text, cards, turnId) {
    text.split(/\n{2,}/).forEach(function (block) {
      var para = el("p", "answer-text");
      var at = 0;
      var match;
      MARKER.lastIndex = 0;
      while ((match = MARKER.exec(block)) !== null) {
        var number = match[1];
        var card = cards[number];
        if (!card) continue;
        if (match.index > at) para.appendChild(document.createTextNode(block.slice(at, match.index)));
        var link = el("a", "citation", "[" + number + "]");
        link.href = "#" + card.id;
        link.setAttribute("aria-label", "Bron " + number + ": " + card.dataset.title);
        link.dataset.target = card.id;
        para.appendChild(link);
        at = match.index + match[0].length;
      }
      if (at < block.length) para.appendChild(document.createTextNode(block.slice(at)));
      container.appendChild(para);
    });
  }

  function passageCard(passage, ranges, turnId) {
    var source = passage.source;
    var card = el("li", "source-card");
    card.id = turnId + "-bron-" + passage.rank;
    card.tabIndex = -1;
    card.dataset.title = source.title;

    var head = el("div", "card-head");
    head.appendChild(el("span", "card-number", "[" + passage.rank + "]"));
    var titles = el("div", "card-titles");
    titles.appendChild(el("h3", "card-title", source.title));
    if (source.heading) titles.appendChild(el("p", "card-heading", source.heading));
    head.appendChild(titles);
    card.appendChild(head);

    card.appendChild(el("p", "card-meta", sourceLabel(source)));
    var quote = el("blockquote", "card-text");
    highlightedText(quote, passage.text, ranges);
    card.appendChild(quote);

    var link = el("a", "card-link", "Bekijk in het document");
    link.href = documentLink(source);
    link.setAttribute("aria-label", "Bekijk alinea " + source.paragraph + " in " + source.title);
    card.appendChild(link);
    if (source.page && source.page_url) {
      // a PDF: the original file, which the browser's own viewer opens at the page
      var pageLink = el("a", "card-link card-page-link", "Bekijk pagina " + source.page);
      pageLink.href = source.page_url;
      pageLink.setAttribute("aria-label", "Bekijk pagina " + source.page + " van " + source.title + " (PDF)");
      card.appendChild(pageLink);
    }
    return card;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var THUMB_PATHS = [
    "M2 10h4v11H2z",
    "M8 21h9.2a2 2 0 0 0 1.95-1.55l1.6-7A2 2 0 0 0 18.8 10H14l.9-4.3a1.9 1.9 0 0 0-3.3-1.6L8 9.5z"
  ];

  function thumbIcon(down) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var group = document.createElementNS(SVG_NS, "g");
    if (down) group.setAttribute("transform", "rotate(180 12 12)");
    THUMB_PATHS.forEach(function (d) {
      var path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", d);
      group.appendChild(path);
    });
    svg.appendChild(group);
    return svg;
  }

  function thumbButton(down, label) {
    var button = el("button", "thumb " + (down ? "thumb-down" : "thumb-up"));
    button.type = "button";
    button.title = label;
    button.setAttribute("aria-label", label);
    button.setAttribute("aria-pressed", "false");
    button.appendChild(thumbIcon(down));
    return button;
  }

  function feedbackControls(turn, data) {
    var box = el("div", "feedback");
    box.appendChild(el("span", "feedback-label", "Was dit antwoord nuttig?"));
    var up = thumbButton(false, "Duim omhoog: goed antwoord");
    var down = thumbButton(true, "Duim omlaag: geen goed antwoord");
    var status = el("span", "feedback-status");
    status.setAttribute("role", "status");
    box.appendChild(up);
    box.appendChild(down);
    box.appendChild(status);

    function send(rating, button) {
      up.disabled = down.disabled = true;
      button.setAttribute("aria-pressed", "true");
      status.textContent = "Versturen…";
      var payload = {
        question: data.question,
        answer: data.answer.text,
        rating: rating,
        passages: data.passages.map(function (p) { return p.source.document + "#" + p.source.paragraph; }),
        // The collections the answer came from, each once, in the order of the passages.
        collections: data.passages.map(function (p) { return p.source.collection; }).filter(function (name, i, all) {
          return name && all.indexOf(name) === i;
        }),
        history: turn.history
      };
      postJson("/api/v1/feedback", payload).then(function () {
        status.textContent = "Bedankt voor je feedback.";
      }, function (error) {
        status.textContent = error.message;
        button.setAttribute("aria-pressed", "false");
        up.disabled = down.disabled = false;
      });
    }
    up.addEventListener("click", function () { send("up", up); });
    down.addEventListener("click", function () { send("down", down); });
    return box;
  }

  function renderAnswer(turn, data) {
    var body = turn.body;
    body.textContent = "";
    var turnId = turn.id;
    var passagesByRank = {};
    data.passages.forEach(function (p) { passagesByRank[p.rank] = p; });

    if (data.abstained) {
      turn.node.classList.add("is-abstained");
      var none = el("div", "answer nothing-found");
      none.appendChild(el("p", "answer-text", data.answer.text));
      none.appendChild(el("p", "hint",
        "De documenten geven hier geen antwoord op. Probeer een andere formulering of een andere vraag."));
      body.appendChild(none);
      body.appendChild(feedbackControls(turn, data));
      return "Niets gevonden. " + data.answer.text;
    }

    var cited = (data.answer.citations || []).filter(function (n) { return passagesByRank[n]; });
    var rangesByRank = {};
    (data.answer.highlights || []).forEach(function (h) {
      (rangesByRank[h.passage] = rangesByRank[h.passage] || []).push(h);
    });

    var cardList = el("ol", "sources");
    cardList.setAttribute("aria-label", "Bronnen bij dit antwoord");
    var cards = {};
    cited.forEach(function (n) {
      var card = passageCard(passagesByRank[n], rangesByRank[n] || [], turnId);
      cards[n] = card;
      cardList.appendChild(card);
    });

    var answer = el("div", "answer");
    answerText(answer, data.answer.text, cards, turnId);
    body.appendChild(answer);
    body.appendChild(feedbackControls(turn, data));
    if (cited.length) {
      body.appendChild(el("h3", "sources-title", cited.length === 1 ? "Bron" : "Bronnen"));
      body.appendChild(cardList);
    }

    var others = data.passages.filter(function (p) { return cited.indexOf(p.rank) < 0; });
    if (others.length) {
      var details = el("details", "more-sources");
      details.appendChild(el("summary", null, "Andere gevonden passages (" + others.length + ")"));
      var otherList = el("ol", "sources");
      others.forEach(function (p) { otherList.appendChild(passageCard(p, [], turnId)); });
      details.appendChild(otherList);
      body.appendChild(details);
    }
    return "Antwoord: " + data.answer.text.replace(MARKER, "");
  }

  function renderError(turn, message) {
    turn.node.classList.add("is-error");
    turn.body.textContent = "";
    var box = el("div", "answer error");
    box.appendChild(el("p", "error-title", "Dat lukte niet."));
    box.appendChild(el("p", "error-message", message));
    turn.body.appendChild(box);
    return "Fout: " + message;
  }

  function postJson(url, payload) {
    return fetch(url, {
      method: "POST",
      // Tells the service this question comes from the chat page (its metrics count channels apart).
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Vraagbaak-Client": "chat" },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.ok && body) return body;
        var message = body && body.error && body.error.message
          ? body.error.message
          : "Er ging iets mis bij Vraagbaak (status " + response.status + "). Probeer het opnieuw.";
        throw new Error(message);
      });
    }, function () {
      throw new Error("Geen verbinding met Vraagbaak. Controleer je internetverbinding en probeer het opnieuw.");
    });
  }

  function newTurn(question) {
    turnCount += 1;
    var node = el("article", "turn");
    node.id = "beurt-" + turnCount;
    node.setAttribute("aria-label", "Vraag " + turnCount);
    var q = el("div", "question-bubble");
    q.appendChild(el("span", "visually-hidden", "Jouw vraag: "));
    q.appendChild(el("p", "question-text", question));
    node.appendChild(q);
    var body = el("div", "turn-body");
    var loading = el("p", "loading");
    loading.setAttribute("role", "status");
    loading.appendChild(el("span", "spinner"));
    loading.appendChild(document.createTextNode("Vraagbaak zoekt in de documenten…"));
    body.appendChild(loading);
    node.appendChild(body);
    conversation.appendChild(node);
    return { id: node.id, node: node, body: body, history: questions.slice(-maxHistory) };
  }

  function setPending(value) {
    pending = value;
    sendButton.disabled = value;
    conversation.setAttribute("aria-busy", value ? "true" : "false");
  }

  function updateChrome() {
    var empty = conversation.children.length === 0;
    intro.hidden = !empty;
    newButton.hidden = empty;
  }

  function ask(question) {
    question = question.trim();
    if (!question || pending) return;
    var turn = newTurn(question);
    updateChrome();
    turn.node.scrollIntoView({ block: "start", behavior: prefersReducedMotion() ? "auto" : "smooth" });
    input.value = "";
    setPending(true);
    announce("Vraagbaak zoekt in de documenten…");
    postJson("/api/v1/ask", { question: question, history: turn.history }).then(function (data) {
      questions.push(question);
      announce(renderAnswer(turn, data));
    }, function (error) {
      announce(renderError(turn, error.message));
    }).then(function () {
      setPending(false);
      input.focus();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ask(input.value);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask(input.value);
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (button) {
    button.addEventListener("click", function () { ask(button.dataset.question || button.textContent); });
  });

  newButton.addEventListener("click", function () {
    if (pending) return;
    questions = [];
    conversation.textContent = "";
    updateChrome();
    announce("Nieuw gesprek begonnen.");
    input.value = "";
    input.focus();
  });

  conversation.addEventListener("click", function (event) {
    var link = event.target.closest("a.citation");
    if (!link) return;
    var card = document.getElementById(link.dataset.target);
    if (!card) return;
    event.preventDefault();
    focusCard(card);
  });

  updateChrome();
  input.focus();
})();
