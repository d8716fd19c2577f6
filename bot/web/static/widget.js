/*
 * Chat widget of the "Appui-conseil à l'innovation sociale" assistant.
 *
 * Embed on any page with one tag (see README.md):
 *   <script src="https://assistant.example.fr/widget/widget.js" defer
 *           data-server="https://chat.example.fr" data-title="Assistant Appui-conseil"
 *           data-color="#00566b"></script>
 *
 * Plain DOM, no framework, nothing loaded from third-party servers: the
 * socket.io client and the stylesheet come from the same place as this file.
 * Every text is inserted as text (never as HTML); links are built only for
 * http, https and mailto. Nothing is stored in the browser before the visitor
 * opens the chat; then the session id and the transcript are kept in
 * sessionStorage (this tab, until it is closed).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__appuiConseilWidget) { return; }
  window.__appuiConseilWidget = true;

  var base = script.src.replace(/[^/]*(\?.*)?$/, "");
  var options = {
    server: script.getAttribute("data-server") || new URL(script.src).origin.replace(/:\d+$/, "") + ":5005",
    title: script.getAttribute("data-title") || "Assistant Appui-conseil",
    color: script.getAttribute("data-color") || "",
    textColor: script.getAttribute("data-text-color") || ""
  };
  var STORAGE_KEY = "appui-conseil-chat";
  var MAX_CHARS = 2000;
  var REPLY_TIMEOUT_MS = 20000;
  var SAFE_PROTOCOLS = ["http:", "https:", "mailto:"];

  var state = null;       // {sessionId, messages: [...], open}
  var socket = null;
  var confirmed = false;
  var pending = null;     // a message asked for by a page element, sent once the session is confirmed
  var replyTimer = null;
  var ui = {};

  // ---- storage (only after the visitor opened the chat) -------------------
  function loadState() {
    try {
      var raw = window.sessionStorage.getItem(STORAGE_KEY);
      return raw ? JSON.parse(raw) : null;
    } catch (e) { return null; }
  }
  function saveState() {
    if (!state) { return; }
    try { window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state)); } catch (e) { /* private mode: keep in memory */ }
  }
  function newSessionId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  function freshState() { return { sessionId: newSessionId(), messages: [], open: true }; }

  // ---- DOM helpers ---------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function safeHref(url) {
    try {
      var parsed = new URL(url, window.location.href);
      return SAFE_PROTOCOLS.indexOf(parsed.protocol) >= 0 ? parsed.href : null;
    } catch (e) { return null; }
  }

  // Text with [label](url), bare URLs and email addresses turned into links; everything else stays text.
  var LINK = /\[([^\]\n]{1,200})\]\(([^)\s]{1,500})\)|(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)»])|([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
  function appendRichText(parent, text) {
    var last = 0;
    text.replace(LINK, function (match, label, target, bare, email, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var href = safeHref(email ? "mailto:" + email : (target || bare));
      if (href) {
        var link = el("a", { href: href, text: label || email || bare });
        if (!email) { link.setAttribute("target", "_blank"); link.setAttribute("rel", "noopener noreferrer"); }
        parent.appendChild(link);
      } else {
        parent.appendChild(document.createTextNode(match));
      }
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function euros(value) {
    var number = Number(value);
    if (!isFinite(number)) { return String(value); }
    return number.toLocaleString("fr-FR", { maximumFractionDigits: 2 }) + "\u00a0€ HT";
  }

  // ---- rendering -----------------------------------------------------------
  function renderMessage(message, index) {
    var node;
    if (message.kind === "user") {
      node = el("div", { "class": "ac-msg ac-user" }, [
        el("span", { "class": "ac-sr", text: "Vous : " }), el("span", { text: message.text })
      ]);
    } else if (message.kind === "bot") {
      var bubble = el("div", { "class": "ac-msg ac-bot" }, [el("span", { "class": "ac-sr", text: "Assistant : " })]);
      var body = el("span");
      appendRichText(body, message.text || "");
      bubble.appendChild(body);
      node = bubble;
    } else if (message.kind === "buttons") {
      node = renderButtons(message, index);
    } else if (message.kind === "eligibility") {
      node = renderEligibility(message.data || {});
    } else if (message.kind === "funding") {
      node = renderFunding(message.data || {});
    } else if (message.kind === "notice") {
      node = el("div", { "class": "ac-msg ac-notice-msg", text: message.text });
    }
    if (node) { ui.log.appendChild(node); }
    return node;
  }

  function renderButtons(message, index) {
    var group = el("div", { "class": "ac-buttons", role: "group", "aria-label": "Réponses proposées" });
    message.buttons.forEach(function (button, position) {
      var chosen = message.chosen === position;
      var node = el("button", { type: "button", "class": "ac-choice" + (chosen ? " ac-chosen" : ""), "aria-pressed": chosen ? "true" : "false", text: button.title });
      node.addEventListener("click", function () {
        var stored = state.messages[index];
        stored.chosen = position;
        Array.prototype.forEach.call(group.children, function (child, i) {
          child.setAttribute("aria-pressed", i === position ? "true" : "false");
          child.classList.toggle("ac-chosen", i === position);
        });
        send(button.payload, button.title);
      });
      group.appendChild(node);
    });
    return group;
  }

  var VERDICTS = {
    eligible: "Votre projet semble correspondre aux critères du dispositif",
    not_eligible: "Votre projet ne semble pas correspondre aux critères du dispositif",
    to_check: "Votre projet est à vérifier avec l'Aract"
  };
  function renderEligibility(data) {
    var card = el("section", { "class": "ac-card ac-verdict ac-" + (data.verdict || "to_check"), "aria-label": "Résultat du test d'éligibilité" });
    card.appendChild(el("h3", { text: VERDICTS[data.verdict] || VERDICTS.to_check }));
    var list = el("ul");
    (data.reasons || []).forEach(function (reason) {
      var mark = reason.ok === true ? "✓ " : reason.ok === false ? "✗ " : "? ";
      var label = reason.ok === true ? "Critère rempli : " : reason.ok === false ? "Critère non rempli : " : "À vérifier : ";
      list.appendChild(el("li", {}, [el("span", { "aria-hidden": "true", text: mark }), el("span", { "class": "ac-sr", text: label }), el("span", { text: reason.message || reason.criterion || "" })]));
    });
    card.appendChild(list);
    card.appendChild(el("p", { "class": "ac-small", text: "Indicatif : c'est le comité de sélection qui décide." }));
    return card;
  }
  function renderFunding(data) {
    var card = el("section", { "class": "ac-card ac-funding", "aria-label": "Estimation du coût" });
    var support = data.support === "long" ? "Appui-conseil long" : "Appui-conseil court";
    card.appendChild(el("h3", { text: "Estimation : " + support + (data.days ? " (" + data.days + " jour" + (data.days > 1 ? "s" : "") + ")" : "") }));
    var table = el("dl");
    [["Coût total", data.total_eur], ["Financé par le dispositif (80 %)", data.funded_eur], ["À la charge de votre structure (20 %)", data.company_eur]].forEach(function (row) {
      if (row[1] === undefined || row[1] === null) { return; }
      table.appendChild(el("dt", { text: row[0] }));
      table.appendChild(el("dd", { text: euros(row[1]) }));
    });
    card.appendChild(table);
    card.appendChild(el("p", { "class": "ac-small", text: "Montants indicatifs, hors taxes." }));
    return card;
  }

  function renderAll() {
    ui.log.textContent = "";
    state.messages.forEach(renderMessage);
    scrollToEnd();
  }

  function push(message) {
    state.messages.push(message);
    saveState();
    renderMessage(message, state.messages.length - 1);
    scrollToEnd();
  }

  function scrollToEnd() { ui.log.scrollTop = ui.log.scrollHeight; }

  function setTyping(on) {
    ui.typing.hidden = !on;
    if (replyTimer) { window.clearTimeout(replyTimer); replyTimer = null; }
    if (on) {
      replyTimer = window.setTimeout(function () {
        ui.typing.hidden = true;
        push({ kind: "notice", text: "L'assistant met du temps à répondre. Réessayez dans un instant." });
      }, REPLY_TIMEOUT_MS);
      scrollToEnd();
    }
  }

  function setStatus(text) {
    ui.status.textContent = text;
    ui.status.hidden = !text;
  }

  // ---- socket.io -----------------------------------------------------------
  function onBotMessage(data) {
    if (!data || typeof data !== "object") { return; }
    setTyping(false);
    if (typeof data.text === "string" && data.text) { push({ kind: "bot", text: data.text }); }
    var buttons = data.quick_replies || data.buttons;
    if (Array.isArray(buttons) && buttons.length) {
      push({ kind: "buttons", buttons: buttons.filter(function (b) { return b && typeof b.title === "string"; }).map(function (b) {
        return { title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title };
      }), chosen: null });
    }
    var custom = data.custom;
    if (custom && typeof custom === "object") {
      if (custom.eligibility) { push({ kind: "eligibility", data: custom.eligibility }); }
      if (custom.funding) { push({ kind: "funding", data: custom.funding }); }
    }
  }

  function connect() {
    if (socket) { return; }
    if (typeof window.io !== "function") {
      loadClient(connect);
      return;
    }
    socket = window.io(options.server, { transports: ["websocket", "polling"], reconnection: true, reconnectionDelayMax: 10000 });
    socket.on("connect", function () {
      setStatus("");
      confirmed = false;
      socket.emit("session_request", { session_id: state.sessionId });
      updateSendState();
    });
    socket.on("session_confirm", function (sessionId) {
      confirmed = true;
      if (typeof sessionId === "string" && sessionId !== state.sessionId) { state.sessionId = sessionId; saveState(); }
      updateSendState();
      if (pending) {
        var request = pending;
        pending = null;
        state.greeted = true;
        saveState();
        send(request.payload, request.label);
      } else if (!state.messages.length && !state.greeted) {
        state.greeted = true;
        saveState();
        emit("/greet");
      }
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("connect_error", function () {
      confirmed = false;
      setStatus("Le service de discussion est injoignable pour le moment. Nouvelle tentative automatique…");
      setTyping(false);
      updateSendState();
    });
    socket.on("disconnect", function (reason) {
      confirmed = false;
      updateSendState();
      if (reason !== "io client disconnect") {
        setStatus("La connexion au service de discussion est coupée. Nouvelle tentative automatique…");
      }
    });
  }

  function emit(text) {
    if (!socket || !confirmed) { return false; }
    socket.emit("user_uttered", { message: text, session_id: state.sessionId });
    setTyping(true);
    return true;
  }

  function send(payload, shown) {
    if (!confirmed) {
      setStatus("Le message n'a pas pu partir : le service de discussion est injoignable. Réessayez dès que la connexion revient.");
      return false;
    }
    push({ kind: "user", text: shown });
    emit(payload);
    return true;
  }

  function updateSendState() {
    if (ui.send) { ui.send.setAttribute("aria-disabled", confirmed ? "false" : "true"); }
  }

  // How long the exchanges are kept comes from the server's settings (RETENTION_…): one source, any host page.
  function loadPrivacyLine(notice) {
    if (!window.fetch) { return; }
    window.fetch(base + "privacy.json", { credentials: "omit" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (line) {
      if (line && typeof line.text === "string") { notice.firstChild.textContent = line.text + " "; }
    }).catch(function () { /* the short line stays */ });
  }

  function loadClient(done) {
    if (document.querySelector("script[data-ac-socketio]")) { return; }
    var tag = el("script", { src: base + "socket.io.min.js", "data-ac-socketio": "" });
    tag.addEventListener("load", done);
    tag.addEventListener("error", function () {
      setStatus("Le service de discussion est injoignable pour le moment. Nouvelle tentative automatique…");
      tag.remove();
      window.setTimeout(function () { loadClient(done); }, 5000);
    });
    document.head.appendChild(tag);
  }

  // ---- panel ---------------------------------------------------------------
  function build() {
    var css = el("link", { rel: "stylesheet", href: base + "widget.css" });
    document.head.appendChild(css);

    ui.root = el("div", { "class": "ac-widget", lang: "fr" });
    if (options.color) { ui.root.style.setProperty("--ac-color", options.color); }
    if (options.textColor) { ui.root.style.setProperty("--ac-on-color", options.textColor); }

    ui.launcher = el("button", { type: "button", "class": "ac-launcher", "aria-expanded": "false", "aria-controls": "ac-panel", text: "Discuter avec l'assistant" });
    ui.panel = el("section", { id: "ac-panel", "class": "ac-panel", role: "dialog", "aria-labelledby": "ac-title", hidden: "" });
    ui.restart = el("button", { type: "button", "class": "ac-tool", text: "Nouvelle conversation" });
    ui.close = el("button", { type: "button", "class": "ac-tool ac-close", "aria-label": "Fermer la discussion", title: "Fermer la discussion", text: "×" });
    var header = el("header", { "class": "ac-header" }, [el("h2", { id: "ac-title", text: options.title }), ui.restart, ui.close]);
    ui.status = el("p", { "class": "ac-status", role: "status", hidden: "" });
    ui.log = el("div", { "class": "ac-log", role: "log", "aria-live": "polite", "aria-label": "Conversation avec l'assistant", tabindex: "0" });
    ui.typing = el("p", { "class": "ac-typing", hidden: "" }, [el("span", { "class": "ac-dots", "aria-hidden": "true", text: "•••" }), el("span", { "class": "ac-sr", text: "L'assistant écrit…" })]);
    ui.input = el("input", { id: "ac-input", type: "text", maxlength: String(MAX_CHARS), autocomplete: "off", placeholder: "Écrivez votre question…" });
    ui.send = el("button", { type: "submit", "class": "ac-send", text: "Envoyer" });
    ui.form = el("form", { "class": "ac-form" }, [el("label", { "for": "ac-input", "class": "ac-sr", text: "Votre message à l'assistant" }), ui.input, ui.send]);
    var notice = el("p", { "class": "ac-privacy" }, [
      el("span", { text: "Assistant automatique : n'indiquez pas de données sensibles. " }),
      el("a", { href: new URL("/confidentialite", base).href, target: "_blank", rel: "noopener", text: "Vos données" })
    ]);
    loadPrivacyLine(notice);
    ui.panel.appendChild(header);
    ui.panel.appendChild(ui.status);
    ui.panel.appendChild(ui.log);
    ui.panel.appendChild(ui.typing);
    ui.panel.appendChild(ui.form);
    ui.panel.appendChild(notice);
    ui.root.appendChild(ui.panel);
    ui.root.appendChild(ui.launcher);
    document.body.appendChild(ui.root);

    ui.launcher.addEventListener("click", function () { if (ui.panel.hidden) { open(); } else { close(); } });
    ui.close.addEventListener("click", close);
    ui.restart.addEventListener("click", restart);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text) { return; }
      if (text.length > MAX_CHARS) { setStatus("Votre message dépasse " + MAX_CHARS + " caractères : raccourcissez-le."); return; }
      if (send(text, text)) { ui.input.value = ""; }
    });
    // data-chat-open="message": open the chat and send that message (shown as the element's text).
    Array.prototype.forEach.call(document.querySelectorAll("[data-chat-open]"), function (trigger) {
      trigger.addEventListener("click", function () {
        var payload = trigger.getAttribute("data-chat-open");
        open();
        if (!payload) { return; }
        var label = trigger.getAttribute("data-chat-label") || trigger.textContent.trim();
        if (confirmed) { send(payload, label); } else { pending = { payload: payload, label: label }; }
      });
    });
  }

  function open() {
    if (!state) { state = freshState(); saveState(); renderAll(); }
    state.open = true;
    saveState();
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcher.textContent = "Réduire la discussion";
    connect();
    ui.input.focus();
    scrollToEnd();
  }

  function close() {
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.textContent = "Discuter avec l'assistant";
    if (state) { state.open = false; saveState(); }
    ui.launcher.focus();
  }

  function restart() {
    state = freshState();
    saveState();
    renderAll();
    setTyping(false);
    if (socket) {
      confirmed = false;
      socket.emit("session_request", { session_id: state.sessionId });
    }
    ui.input.focus();
  }

  function start() {
    build();
    state = loadState();
    if (state && Array.isArray(state.messages)) {
      renderAll();
      if (state.open) { open(); }
    } else {
      state = null;
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
