// HAI LURAH citizen pages: the web chat (/curhat), the kiosk (/kiosk) and
// the simulated phone (/dev/phone). Plain JavaScript, no inline code (the
// Content-Security-Policy allows only files from this server), and every
// text from the server is set with textContent, never as HTML.
(function () {
  "use strict";

  var POLL_MS = 3000;

  function $(id) { return document.getElementById(id); }

  function show(el, on) { if (el) { el.hidden = !on; } }

  function setError(el, msg) {
    if (!el) { return; }
    el.textContent = msg || "";
    show(el, !!msg);
  }

  // api sends JSON and resolves to {status, body}; a network failure
  // resolves with status 0, so callers show one message for both.
  function api(method, url, body, key) {
    var opts = { method: method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (key) { opts.headers["Idempotency-Key"] = key; }
    if (body instanceof FormData) {
      opts.body = body; // the browser sets multipart/form-data with its boundary
    } else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return request(url, opts);
  }

  // request fetches and answers {status, body}: the JSON body, or null;
  // status 0 when the network failed.
  function request(url, opts) {
    return fetch(url, opts).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { status: resp.status, body: data };
      });
    }, function () { return { status: 0, body: null }; });
  }

  // newKey returns a random idempotency key.
  function newKey() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  function errorText(res, fallback) {
    if (res.status === 0) { return "Koneksi terputus. Periksa internet lalu coba lagi."; }
    if (res.status === 429) { return "Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi."; }
    if (res.body && res.body.error && res.body.error.message) { return res.body.error.message; }
    return fallback;
  }

  function bubble(list, who, text, meta) {
    var li = document.createElement("li");
    li.className = "bubble " + who;
    var p = document.createElement("p");
    p.textContent = text;
    li.appendChild(p);
    if (meta) {
      var small = document.createElement("small");
      small.className = "bubble-meta";
      small.textContent = meta;
      li.appendChild(small);
    }
    list.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
    return li;
  }

  function timeLabel(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return ""; }
    return d.toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit" });
  }

  // ---------------------------------------------------------------------
  // Web chat and kiosk.

  // Quick replies by ticket status: the same commands as on WhatsApp.
  function commandsFor(status) {
    switch (status) {
      case "new":
      case "open":
        return ["LANJUT", "ANONIM YA", "TEMBUSAN YA", "STATUS", "MINTA DRAFT"];
      case "assigned":
      case "in_progress":
        return ["STATUS", "MINTA DRAFT", "SESUDAH"];
      case "awaiting_confirmation":
        return ["SESUDAH", "BELUM", "STATUS"];
      case "resolved":
        return ["1", "2", "3", "4", "5"];
    }
    return [];
  }

  function initChat(root) {
    var channel = root.getAttribute("data-channel") || "web";
    var remember = root.getAttribute("data-remember") === "session";
    var idleSeconds = parseInt(root.getAttribute("data-idle") || "0", 10);
    var form = $("curhat-form"), trackForm = $("track-form"), chat = $("chat");
    var log = $("chat-log"), commands = $("chat-commands"), replyForm = $("reply-form");
    var phoneForm = $("phone-form");
    var state = null; // {code, ticket, seen, mine: [{text, after}], status}
    var timer = null;

    function save() {
      if (!remember) { return; }
      try {
        if (state) { sessionStorage.setItem("hailurah.chat", JSON.stringify(state)); }
        else { sessionStorage.removeItem("hailurah.chat"); }
      } catch (e) { /* private mode: the chat just is not kept */ }
    }

    function render(track) {
      $("chat-ticket").textContent = track.ticket_id;
      $("chat-code").textContent = state.code;
      var st = $("chat-status");
      st.textContent = track.status_label;
      st.className = "badge " + ({ resolved: "st-done", closed: "st-final", rejected: "st-final", awaiting_confirmation: "st-wait" }[track.status] || "st-open");
      // Citizen messages sit after the system messages they answered.
      log.textContent = "";
      var msgs = track.messages || [];
      if (!msgs.length && state.ack) {
        // The intake's ACK until the outbox row the workflow writes arrives.
        msgs = [{ text: state.ack, at: "" }];
      }
      var mine = state.mine.slice();
      for (var i = 0; i <= msgs.length; i++) {
        while (mine.length && mine[0].after <= i) {
          bubble(log, "me", mine.shift().text);
        }
        if (i < msgs.length) { bubble(log, "them", msgs[i].text, timeLabel(msgs[i].at)); }
      }
      renderPhotos(track.media || []);
      state.seen = (track.messages || []).length;
      state.status = track.status;
      show($("chat-wait"), !track.reply && track.status === "new");
      commands.textContent = "";
      commandsFor(track.status).forEach(function (cmd) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "secondary";
        b.textContent = /^[1-5]$/.test(cmd) ? cmd + " ★" : cmd;
        b.setAttribute("data-command", cmd);
        commands.appendChild(b);
      });
      if (track.status === "resolved") {
        var note = document.createElement("p");
        note.className = "hint";
        note.textContent = "Beri nilai layanan: 1 (buruk) sampai 5 (sangat baik).";
        commands.insertBefore(note, commands.firstChild);
      }
      var closed = track.status === "closed" || track.status === "rejected";
      show(replyForm, !closed);
      // A phone typed into the form follows the ticket only with the code
      // sent to it on WhatsApp.
      show(phoneForm, track.phone === "pending" && !closed);
      show($("phone-ok"), track.phone === "confirmed");
      save();
    }

    // renderPhotos shows the citizen's own photos and the unit's evidence
    // as thumbnails linking to the full photo (served under the code).
    function renderPhotos(media) {
      var list = $("chat-photo-list");
      var photos = media.filter(function (m) { return m.type === "image" && m.thumbnail_url; });
      var key = JSON.stringify(photos.map(function (m) { return m.url; }));
      if (list.getAttribute("data-key") === key) { return; }
      list.setAttribute("data-key", key);
      list.textContent = "";
      photos.forEach(function (m, i) {
        var label = (m.from === "dinas" ? "Bukti dari dinas " : "Foto Anda ") + (i + 1);
        var li = document.createElement("li");
        var fig = document.createElement("figure");
        var a = document.createElement("a");
        a.href = m.url;
        a.target = "_blank";
        a.rel = "noopener";
        var img = document.createElement("img");
        img.src = m.thumbnail_url;
        img.alt = label;
        img.loading = "lazy";
        a.appendChild(img);
        var cap = document.createElement("figcaption");
        cap.textContent = m.from === "dinas" ? "Bukti dari dinas" : "Foto Anda";
        fig.appendChild(a);
        fig.appendChild(cap);
        li.appendChild(fig);
        list.appendChild(li);
      });
      show($("chat-photos"), photos.length > 0);
    }

    function poll() {
      if (!state) { return; }
      api("GET", "/api/v1/track/" + encodeURIComponent(state.code)).then(function (res) {
        if (!state) { return; }
        if (res.status === 200 && res.body) { render(res.body); }
        else if (res.status === 404) { setError($("reply-error"), "Kode lacak tidak ditemukan."); stop(); return; }
        timer = setTimeout(poll, POLL_MS);
      });
    }

    function stop() {
      if (timer) { clearTimeout(timer); timer = null; }
    }

    function open(code, mine, ack) {
      state = { code: code, seen: 0, mine: mine || [], status: "", ack: ack || "" };
      show(form, false);
      show(trackForm, false);
      show(chat, true);
      show($("kiosk-done"), true);
      $("chat-code").textContent = code;
      stop();
      poll();
    }

    function reset() {
      stop();
      state = null;
      save();
      log.textContent = "";
      commands.textContent = "";
      if (form) { form.reset(); }
      photos = [];
      drawPhotos();
      [$("form-error"), $("photo-error"), $("reply-error"), $("track-error"), $("phone-code-error")].forEach(function (e) { setError(e, ""); });
      show(chat, false);
      show(form, true);
      show(trackForm, true);
      show($("kiosk-done"), false);
      window.scrollTo(0, 0);
    }

    // Photos chosen with "Tambah foto", one or more at a time (a phone's
    // camera gives one per shot), up to MAX_PHOTOS. The server checks them
    // by content; here only the count and the size, to say it early.
    var photos = [];
    var photoInput = $("curhat-photo"), photoList = $("photo-list");
    // The limits the server checks, from the page.
    var MAX_PHOTOS = photoInput ? parseInt(photoInput.getAttribute("data-max-photos"), 10) : 0;
    var MAX_PHOTO_MB = photoInput ? parseInt(photoInput.getAttribute("data-max-mb"), 10) : 0;

    function drawPhotos() {
      if (!photoList) { return; }
      photoList.textContent = "";
      photos.forEach(function (f, i) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " KB)";
        var del = document.createElement("button");
        del.type = "button";
        del.className = "secondary small";
        del.textContent = "Hapus";
        del.setAttribute("aria-label", "Hapus foto " + f.name);
        del.setAttribute("data-photo", String(i));
        li.appendChild(name);
        li.appendChild(del);
        photoList.appendChild(li);
      });
      if (photoInput) { photoInput.disabled = photos.length >= MAX_PHOTOS; }
    }

    if (photoInput) {
      photoInput.addEventListener("change", function () {
        setError($("photo-error"), "");
        Array.prototype.forEach.call(photoInput.files, function (f) {
          if (photos.length >= MAX_PHOTOS) {
            setError($("photo-error"), "Paling banyak " + MAX_PHOTOS + " foto per curhat.");
          } else if (f.size > MAX_PHOTO_MB * 1024 * 1024) {
            setError($("photo-error"), "Foto \"" + f.name + "\" terlalu besar (maks. " + MAX_PHOTO_MB + " MB per foto).");
          } else {
            photos.push(f);
          }
        });
        photoInput.value = "";
        drawPhotos();
      });
      photoList.addEventListener("click", function (ev) {
        var b = ev.target.closest("button[data-photo]");
        if (!b) { return; }
        photos.splice(parseInt(b.getAttribute("data-photo"), 10), 1);
        setError($("photo-error"), "");
        drawPhotos();
        photoInput.focus();
      });
    }

    // curhatBody is the JSON body, or with photos the same fields as a
    // multipart form with the photos in "photo".
    function curhatBody(body) {
      if (!photos.length) { return body; }
      var fd = new FormData();
      Object.keys(body).forEach(function (k) { fd.append(k, String(body[k])); });
      photos.forEach(function (f) { fd.append("photo", f, f.name); });
      return fd;
    }

    var attempt = null; // the curhat being sent: its body and idempotency key
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = form.elements.text.value.trim();
      if (!text) { setError($("form-error"), "Isi curhat wajib diisi."); form.elements.text.focus(); return; }
      var body = { text: text, channel: channel, kelurahan: form.elements.kelurahan ? form.elements.kelurahan.value : "",
        rt: form.elements.rt.value.trim(), rw: form.elements.rw.value.trim() };
      // Unticked means "not said": the message's own ANONIM:/TEMBUSAN: lines still count.
      if (form.elements.phone && form.elements.phone.value.trim()) { body.phone = form.elements.phone.value.trim(); }
      if (form.elements.anonim.checked) { body.anonim = true; }
      if (form.elements.tembusan.checked) { body.tembusan = true; }
      // One key per curhat: sending the same words again after a failure
      // (a timeout that may have reached the server) returns the first
      // ticket instead of making a second.
      var sent = JSON.stringify([body, photos.map(function (f) { return [f.name, f.size, f.lastModified]; })]);
      if (!attempt || attempt.body !== sent) { attempt = { body: sent, key: newKey() }; }
      var send = form.querySelector("button[type=submit]");
      send.disabled = true;
      setError($("form-error"), "");
      setError($("photo-error"), "");
      setError($("form-status"), photos.length ? "Mengunggah… Mohon tunggu, foto sedang dikirim." : "");
      api("POST", "/api/v1/curhat", curhatBody(body), attempt.key).then(function (res) {
        send.disabled = false;
        setError($("form-status"), "");
        if (res.status !== 202 || !res.body) {
          var onPhoto = res.body && res.body.error && res.body.error.field === "photo";
          if (res.status === 413 && !onPhoto) { onPhoto = photos.length > 0; }
          setError(onPhoto ? $("photo-error") : $("form-error"), errorText(res, "Curhat belum terkirim. Coba lagi."));
          if (onPhoto && photoInput && !photoInput.disabled) { photoInput.focus(); }
          return;
        }
        attempt = null;
        photos = [];
        drawPhotos();
        open(res.body.tracking_code, [{ text: text, after: 0 }], res.body.ack);
      });
    });

    if (trackForm) {
      trackForm.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var code = trackForm.elements.code.value.trim().toUpperCase();
        if (!code) { setError($("track-error"), "Masukkan kode lacak."); return; }
        api("GET", "/api/v1/track/" + encodeURIComponent(code)).then(function (res) {
          if (res.status !== 200) { setError($("track-error"), errorText(res, "Kode lacak tidak ditemukan.")); return; }
          open(code, []);
        });
      });
    }

    function reply(text) {
      if (!state || !text) { return; }
      setError($("reply-error"), "");
      state.mine.push({ text: text, after: state.seen });
      bubble(log, "me", text);
      save();
      api("POST", "/api/v1/track/" + encodeURIComponent(state.code) + "/reply", { text: text }).then(function (res) {
        if (res.status !== 202) {
          setError($("reply-error"), errorText(res, "Balasan belum terkirim. Coba lagi."));
          return;
        }
        stop();
        timer = setTimeout(poll, 1000);
      });
    }

    phoneForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!state) { return; }
      var input = phoneForm.elements.code;
      var code = input.value.replace(/\s+/g, "");
      if (!/^[0-9]{6}$/.test(code)) { setError($("phone-code-error"), "Kode terdiri dari 6 angka, dari pesan WhatsApp HAI LURAH."); return; }
      setError($("phone-code-error"), "");
      api("POST", "/api/v1/track/" + encodeURIComponent(state.code) + "/phone", { code: code }).then(function (res) {
        if (res.status !== 200) {
          // The server names what went wrong: a wrong code, an expired one, too many tries.
          var msg = res.body && res.body.error && res.body.error.message;
          setError($("phone-code-error"), msg || errorText(res, "Kode belum terkirim. Coba lagi."));
          return;
        }
        input.value = "";
        stop();
        poll();
      });
    });

    replyForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = replyForm.elements.text;
      var text = input.value.trim();
      input.value = "";
      reply(text);
    });
    commands.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-command]");
      if (b) { reply(b.getAttribute("data-command")); }
    });
    $("chat-new").addEventListener("click", reset);
    if ($("kiosk-done")) { $("kiosk-done").addEventListener("click", reset); }

    if (remember) {
      try {
        var saved = JSON.parse(sessionStorage.getItem("hailurah.chat") || "null");
        if (saved && saved.code) { open(saved.code, saved.mine || [], saved.ack); }
      } catch (e) { /* nothing kept */ }
    }

    // The kiosk forgets everything after idleSeconds without a touch, so
    // the next citizen never sees the previous one's curhat.
    if (idleSeconds > 0) {
      var last = Date.now();
      var notice = $("kiosk-idle");
      var touched = function () { last = Date.now(); show(notice, false); };
      ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (t) {
        document.addEventListener(t, touched, { passive: true });
      });
      setInterval(function () {
        var idle = (Date.now() - last) / 1000;
        var busy = state || (form.elements.text.value.trim() !== "");
        if (!busy) { show(notice, false); return; }
        var left = Math.ceil(idleSeconds - idle);
        if (left <= 0) { reset(); touched(); return; }
        if (left <= 20) {
          notice.textContent = "Layar akan dikosongkan dalam " + left + " detik. Sentuh layar untuk melanjutkan.";
          show(notice, true);
        }
      }, 1000);
    }
  }

  // ---------------------------------------------------------------------
  // Simulated phone.

  function initPhone(root) {
    var pick = $("phone-pick"), sendForm = $("phone-send"), log = $("phone-log");
    var phone = "", to = "", timer = null, lastKey = "";

    function draw(conv) {
      var items = [];
      conv.sent.forEach(function (m) { items.push({ at: m.at, side: "me", m: m, order: 0 }); });
      conv.received.forEach(function (m) { items.push({ at: m.at, side: "them", m: m, order: 1 }); });
      items.sort(function (a, b) {
        var d = new Date(a.at) - new Date(b.at);
        return d !== 0 ? d : a.order - b.order || a.m.id - b.m.id;
      });
      var key = JSON.stringify(items.map(function (i) { return [i.side, i.m.id, i.m.status]; }));
      if (key === lastKey) { return; }
      lastKey = key;
      log.textContent = "";
      items.forEach(function (i) {
        var m = i.m;
        var meta = timeLabel(m.at);
        if (i.side === "them") {
          meta += " · " + ({ pending: "di outbox (simulasi)", sending: "dikirim…", sent: "terkirim", delivered: "diterima",
            read: "dibaca", failed: "gagal: " + (m.error || ""),
            posted: m.sent_as === "simulated" ? "hanya di telepon simulasi" : "di halaman lacak" }[m.status] || m.status);
          if (m.sent_as && m.sent_as.indexOf("template:") === 0) { meta += " · templat " + m.sent_as.slice(9); }
        } else if (m.ticket_id) {
          meta += " · " + m.ticket_id;
        } else if (m.note) {
          meta += " · " + m.note;
        }
        var li = bubble(log, i.side, m.text, meta);
        if (i.side === "them" && m.buttons && m.buttons.length) {
          var row = document.createElement("div");
          row.className = "bubble-buttons";
          m.buttons.forEach(function (b) {
            var btn = document.createElement("button");
            btn.type = "button";
            btn.className = "secondary small";
            btn.textContent = b.title;
            btn.setAttribute("data-button", b.id);
            row.appendChild(btn);
          });
          li.appendChild(row);
        }
      });
    }

    function poll() {
      if (!phone) { return; }
      api("GET", "/api/v1/dev/phone?phone=" + encodeURIComponent(phone)).then(function (res) {
        if (res.status === 200 && res.body) { draw(res.body); setError($("phone-error"), ""); }
        else { setError($("phone-error"), errorText(res, "Percakapan tidak dapat dimuat.")); }
        timer = setTimeout(poll, 2000);
      });
    }

    function openPhone() {
      phone = pick.elements.phone.value.trim();
      to = pick.elements.phone_number_id.value;
      $("phone-who").textContent = phone;
      lastKey = "";
      log.textContent = "";
      if (timer) { clearTimeout(timer); }
      poll();
    }

    function send(body) {
      if (!phone) { openPhone(); }
      body.phone = phone;
      body.phone_number_id = to;
      return api("POST", "/api/v1/dev/phone", body).then(function (res) {
        if (res.status !== 202) { setError($("phone-error"), errorText(res, "Pesan tidak terkirim.")); return; }
        setError($("phone-error"), "");
        if (timer) { clearTimeout(timer); }
        poll();
      });
    }

    // A photo, voice note or document goes as a Cloud API attachment; the
    // text typed beside it is its caption.
    $("phone-file").addEventListener("change", function (ev) {
      var file = ev.target.files[0];
      if (!file) { return; }
      if (!phone) { openPhone(); }
      var data = new FormData();
      data.append("phone", phone);
      data.append("phone_number_id", to);
      data.append("caption", sendForm.elements.text.value.trim());
      data.append("file", file);
      sendForm.elements.text.value = "";
      ev.target.value = "";
      setError($("phone-error"), "Mengunggah…");
      request("/api/v1/dev/phone/media", { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (res) {
          if (res.status !== 202) { setError($("phone-error"), errorText(res, "Berkas tidak terkirim.")); return; }
          setError($("phone-error"), "");
          if (timer) { clearTimeout(timer); }
          poll();
        });
    });

    pick.addEventListener("submit", function (ev) { ev.preventDefault(); openPhone(); });
    sendForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = sendForm.elements.text;
      var text = input.value.trim();
      if (!text) { return; }
      input.value = "";
      send({ kind: "text", text: text });
    });
    sendForm.elements.text.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); sendForm.requestSubmit(); }
    });
    log.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-button]");
      if (b) { send({ kind: "button", button_id: b.getAttribute("data-button"), text: b.textContent }); }
    });
    root.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-kind]");
      if (!b) { return; }
      var kind = b.getAttribute("data-kind");
      if (kind === "location") { send({ kind: "location", lat: -7.6298, lng: 111.5239, text: "Jl. Pahlawan, Madiun" }); }
      else { send({ kind: kind }); }
    });
    openPhone();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var chat = $("citizen");
    if (chat) { initChat(chat); }
    var phone = $("devphone");
    if (phone) { initPhone(phone); }
  });
})();
